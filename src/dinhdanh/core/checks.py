"""Start-up checks that `manage.py check` (and migrate, runserver) run, and that the WSGI entry point
repeats as log lines or a refusal, since a WSGI server runs no system checks.

- core.W001: the data dir, or something directly in it (the SQLite file and its WAL/SHM, keys, the
  secret key, documents, error reports), is open to other accounts. The settings set umask 077, so
  whatever the program creates is private; this catches what was created before, or by hand.
- core.E002 (deploy): the production static storage needs `collectstatic`'s manifest; without it
  every page would fail.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks

log = logging.getLogger(__name__)

OPEN_TO_OTHERS = 0o077  # any permission bit for the group or for others


def open_paths(data_dir: Path) -> list[tuple[Path, int]]:
    """The data dir and its direct entries whose mode lets the group or others in: (path, mode).
    Not recursive: documents may be many, and each folder is 0700 already when its parent is."""
    if not data_dir.exists():
        return []
    found = []
    for path in [data_dir, *sorted(data_dir.iterdir())]:
        try:
            mode = stat.S_IMODE(path.lstat().st_mode)
        except FileNotFoundError:  # removed meanwhile (SQLite's -wal and -shm come and go)
            continue
        if mode & OPEN_TO_OTHERS and not path.is_symlink():
            found.append((path.resolve(), mode))
    return found


def describe_open(found: list[tuple[Path, int]]) -> str:
    return ", ".join(f"{path} ({mode:o})" for path, mode in found)


def open_paths_hint(data_dir: Path) -> str:
    return (
        f"chmod -R go-rwx {data_dir} — thư mục dữ liệu chứa phiên đăng nhập, dữ liệu cá nhân và khóa bí mật "
        f"/ the data dir holds sessions, personal data and secret keys"
    )


@checks.register(checks.Tags.security)
def check_data_dir(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    data_dir = Path(settings.DATA_DIR)
    found = open_paths(data_dir)
    if not found:
        return []
    return [
        checks.Warning(
            f"Tài khoản khác đọc được thư mục dữ liệu / the data dir is open to other accounts: {describe_open(found)}",
            hint=open_paths_hint(data_dir),
            id="core.W001",
        )
    ]


def missing_static_manifest() -> Path | None:
    """The manifest `collectstatic` writes, when the static storage needs it and it is not there."""
    storage: Any = staticfiles_storage
    if not isinstance(storage, ManifestFilesMixin):
        return None
    holder: Any = storage.manifest_storage or storage  # Django keeps the manifest with the files by default
    if holder.exists(storage.manifest_name):
        return None
    return Path(settings.STATIC_ROOT) / storage.manifest_name


def static_manifest_message(manifest: Path) -> str:
    return (
        f"Chưa thu thập tệp tĩnh: thiếu {manifest}; hãy chạy `dinhdanh collectstatic --noinput` trước khi chạy máy "
        f"chủ / Static files are not collected: {manifest} is missing; run `dinhdanh collectstatic --noinput` "
        f"before starting the server"
    )


@checks.register(checks.Tags.staticfiles, deploy=True)
def check_static_manifest(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    manifest = missing_static_manifest()
    return [] if manifest is None else [checks.Error(static_manifest_message(manifest), id="core.E002")]


def warn_at_start() -> None:
    """One log line per start when the data dir is open to others (servers run no system checks)."""
    data_dir = Path(settings.DATA_DIR)
    if found := open_paths(data_dir):
        log.warning(
            "the data dir is open to other accounts: %s; %s (core.W001)",
            describe_open(found),
            open_paths_hint(data_dir),
        )
