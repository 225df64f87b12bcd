"""Every test here sends SMS to a file under its own tmp_path and e-mail to ``mail.outbox``.

Django's test environment already points e-mail at the locmem backend (through ``EMAIL_BACKEND`` or
``MAILERS``, whichever the settings use), so the ``mailoutbox`` fixture sees every message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dinhdanh.people.models import User
from tests.conftest import make_user

PHONE = "0912345667"
EMAIL = "an.nguyen@example.com"


@pytest.fixture(autouse=True)
def outbox_settings(settings: Any, tmp_path: Path) -> None:
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    settings.NOTIFY_SMS_BACKEND = "dinhdanh.notifications.backends.FileSmsBackend"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_BASE_SECONDS = 60


@pytest.fixture
def sms_sent(tmp_path: Path) -> Callable[[], list[dict[str, Any]]]:
    def read() -> list[dict[str, Any]]:
        path = tmp_path / "outbox" / "sms.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    return read


def make_reachable_user(*, phone: str = PHONE, email: str = EMAIL, language: str = "vi") -> User:
    user = make_user()
    user.phone, user.email, user.preferred_language = phone, email, language
    user.save(update_fields=["phone", "email", "preferred_language"])
    return user
