from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dinhdanh.geo.models import Level
from dinhdanh.people.models import User
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, unit
from tests.registries.reconcile.support import World, build


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def manager(db: None) -> User:
    """Campaign manager of An Giang (91)."""
    return make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE), "Quản Lý An Giang")


@pytest.fixture
def world(manager: User) -> World:
    return build(manager)
