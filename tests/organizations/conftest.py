"""Organization tests send notifications to a file outbox under tmp_path, never to var/outbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from tests.conftest import make_officer, make_user
from tests.organizations.factories import province


@pytest.fixture(autouse=True)
def outbox(settings: Any, tmp_path: Path) -> Path:
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    settings.NOTIFY_SMS_BACKEND = "dinhdanh.notifications.backends.FileSmsBackend"
    return tmp_path / "outbox"


@pytest.fixture
def officer(db: None) -> User:
    """A reviewing officer over An Giang (province 91), where the factories put head offices."""
    return make_officer(PeopleRole.REVIEWING_OFFICER, province("91"), "Cán bộ An Giang")


@pytest.fixture
def outsider_officer(db: None) -> User:
    return make_officer(PeopleRole.REVIEWING_OFFICER, province("01"), "Cán bộ Hà Nội")


@pytest.fixture
def rep(db: None) -> User:
    return make_user("Trần Thị Đại Diện", personal_id="091185000111")


@pytest.fixture
def other(db: None) -> User:
    return make_user("Phạm Văn Kế Toán", personal_id="091085000222")
