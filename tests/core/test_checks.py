"""Start-up checks: the data dir must not be open to other accounts (issue 10, point 9)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest
from django.core import checks

from dinhdanh.core.checks import check_data_dir, open_paths, warn_at_start


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any) -> Path:
    folder = tmp_path / "var"
    folder.mkdir(mode=0o700)
    (folder / "dinhdanh.sqlite3").write_bytes(b"")
    (folder / "dinhdanh.sqlite3").chmod(0o600)
    (folder / "keys").mkdir(mode=0o700)
    settings.DATA_DIR = folder
    return folder


def test_a_private_data_dir_passes(data_dir: Path) -> None:
    assert open_paths(data_dir) == []
    assert check_data_dir(None) == []


@pytest.mark.parametrize(
    ("name", "mode"),
    [(".", 0o755), (".", 0o750), ("dinhdanh.sqlite3", 0o644), ("dinhdanh.sqlite3-wal", 0o640), ("keys", 0o701)],
)
def test_anything_open_to_group_or_others_is_warned(data_dir: Path, name: str, mode: int) -> None:
    path = (data_dir / name).resolve()
    if not path.exists():
        path.write_bytes(b"")
    path.chmod(mode)
    assert open_paths(data_dir) == [(path, mode)]
    warnings = check_data_dir(None)
    assert [w.id for w in warnings] == ["core.W001"]
    assert warnings[0].level == checks.WARNING
    assert str(path) in warnings[0].msg
    assert oct(mode)[2:] in warnings[0].msg
    assert "chmod" in (warnings[0].hint or "")


def test_the_check_is_registered_with_django(data_dir: Path) -> None:
    data_dir.chmod(0o755)
    assert "core.W001" in [m.id for m in checks.run_checks(tags=[checks.Tags.security])]


def test_the_start_logs_one_warning_line(data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    (data_dir / "dinhdanh.sqlite3").chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="dinhdanh.core.checks"):
        warn_at_start()
    assert len(caplog.records) == 1
    assert "dinhdanh.sqlite3" in caplog.records[0].getMessage()


def test_this_process_creates_private_files(tmp_path: Path) -> None:
    """The settings set the umask: whatever the tests (and the program) create is theirs alone."""
    created = tmp_path / "new-file"
    created.write_text("x")
    folder = tmp_path / "new-dir"
    folder.mkdir()
    assert created.stat().st_mode & 0o077 == 0
    assert folder.stat().st_mode & 0o077 == 0
    assert os.umask(0o077) == 0o077
