"""Re-sealing after the sealing key rotates (issue 12.0): every sealed column and file, under the key
that is current now, so the old key can eventually be retired.

Apps declare their sealed columns (``register``: model label, field, purpose) from their
``AppConfig.ready()``; sealed files are found under ``MEDIA_ROOT/<kind>/`` (their purpose is
``file:<kind>``). Values already under the current key are left alone, so a run can stop and start
again; each row is re-sealed in its own short update, each file written aside and renamed.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings

from dinhdanh.core.sealed import SealError, reseal, sealed_with_current_key

__all__ = ["Resealed", "register", "reseal_all"]

log = logging.getLogger(__name__)
_COLUMNS: list[tuple[str, str, str]] = []


def register(model: str, field: str, purpose: str) -> None:
    if (model, field, purpose) not in _COLUMNS:
        _COLUMNS.append((model, field, purpose))


@dataclass
class Resealed:
    values: int = 0
    files: int = 0
    unreadable: int = 0  # altered, or sealed under a key that is gone: left as they are, logged


def _columns(result: Resealed) -> None:
    for label, field, purpose in _COLUMNS:
        model = apps.get_model(label)
        rows = model._default_manager.exclude(**{f"{field}__isnull": True}).exclude(**{field: b""})
        for pk, blob in rows.values_list("pk", field).iterator():
            if sealed_with_current_key(bytes(blob)):
                continue
            try:
                fresh = reseal(bytes(blob), purpose=purpose)
            except SealError:
                result.unreadable += 1
                log.exception("reseal: %s.%s of row %s cannot be unsealed", label, field, pk)
                continue
            model._default_manager.filter(pk=pk, **{field: blob}).update(**{field: fresh})
            result.values += 1


def _files(result: Resealed) -> None:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.suffix:
                continue
            blob = path.read_bytes()
            if sealed_with_current_key(blob):
                continue
            try:
                fresh = reseal(blob, purpose=f"file:{folder.name}")
            except SealError:
                result.unreadable += 1
                log.exception("reseal: file %s/%s cannot be unsealed", folder.name, path.name)
                continue
            aside = path.with_suffix(".reseal")
            fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(fresh)
            os.replace(aside, path)
            result.files += 1


def reseal_all() -> Resealed:
    result = Resealed()
    _columns(result)
    _files(result)
    return result
