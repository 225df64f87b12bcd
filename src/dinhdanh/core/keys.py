"""Secrets kept as files in the data dir (backed up with it), generated on first use."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path

from django.conf import settings


@cache
def data_key(name: str) -> bytes:
    """A 32-byte key stored at DATA_DIR/keys/<name> with mode 0600; never logged, never in the database."""
    directory = Path(settings.DATA_DIR) / "keys"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text().strip())
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex())
    return key


def blind_index(name: str, value: str) -> str:
    """Keyed digest for looking up a sensitive value (a login name) without storing it in clear."""
    return hmac.new(data_key(name), value.encode(), hashlib.sha256).hexdigest()
