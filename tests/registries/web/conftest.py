"""Each registry page test keeps its uploads, progress files and error reports under its own tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def uploads(data_dir: Path) -> Path:
    return data_dir / "uploads" / "registries"
