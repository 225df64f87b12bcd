"""Encryption at rest for sensitive personal data (Law 91/2025): personal numbers, portraits, TOTP secrets.

AES-256-GCM under a key from the data dir (``core.keys``), never stored in the database, so a copied
database alone reveals nothing. ``purpose`` is bound as associated data: a value sealed for one use
cannot be replayed into another column. Each blob names the key that sealed it, so the key rotates
(``dinhdanh keys rotate sealing``): new values take the new key, old ones stay readable and are
re-sealed by ``dinhdanh keys reseal`` (issue 12.0).
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from dinhdanh.core.keys import current_key, data_key, key_by_id

_KEY_NAME = "sealing"
_V1 = b"\x01"  # version 1 blobs: the first key, no key id
_V2 = b"\x02"  # version 2: the key id (8 bytes) follows, so the key can rotate (core.keys)
_NONCE_BYTES = 12
_KID_BYTES = 8


class SealError(Exception):
    """The sealed value was altered, or sealed under another key or purpose."""


class Sealer:
    """Seals under one key, read once: for loops and for processes that must not read the data dir per
    value (a registry import's workers get the key from the importing process)."""

    def __init__(self, kid: str, key: bytes) -> None:
        self.header, self.cipher = _V2 + bytes.fromhex(kid), AESGCM(key)

    @classmethod
    def current(cls) -> Sealer:
        return cls(*current_key(_KEY_NAME))

    def seal(self, data: bytes, *, purpose: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return self.header + nonce + self.cipher.encrypt(nonce, data, purpose.encode())


def seal(data: bytes, *, purpose: str) -> bytes:
    return Sealer.current().seal(data, purpose=purpose)


def _key_of(blob: bytes, purpose: str) -> tuple[bytes, bytes]:
    """(key, the rest after the header) for a blob of either version."""
    if blob.startswith(_V1) and len(blob) >= 1 + _NONCE_BYTES + 16:
        return data_key(_KEY_NAME), blob[1:]
    if blob.startswith(_V2) and len(blob) >= 1 + _KID_BYTES + _NONCE_BYTES + 16:
        key = key_by_id(_KEY_NAME, blob[1 : 1 + _KID_BYTES].hex())
        if key is not None:
            return key, blob[1 + _KID_BYTES :]
    raise SealError(purpose)


def unseal(blob: bytes, *, purpose: str) -> bytes:
    key, rest = _key_of(bytes(blob), purpose)
    nonce, body = rest[:_NONCE_BYTES], rest[_NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, body, purpose.encode())
    except InvalidTag as exc:
        raise SealError(purpose) from exc


def sealed_with_current_key(blob: bytes) -> bool:
    """Whether ``blob`` is sealed with the current key (else ``reseal`` it after a rotation)."""
    return bytes(blob).startswith(_V2) and bytes(blob)[1 : 1 + _KID_BYTES].hex() == current_key(_KEY_NAME)[0]


def reseal(blob: bytes, *, purpose: str) -> bytes:
    """The same value sealed with the current key."""
    return seal(unseal(blob, purpose=purpose), purpose=purpose)


def seal_text(text: str, *, purpose: str) -> bytes:
    return seal(text.encode(), purpose=purpose)


def unseal_text(blob: bytes, *, purpose: str) -> str:
    return unseal(blob, purpose=purpose).decode()


_REF = re.compile(r"(?P<kind>[a-z][a-z0-9_-]{0,31})/(?P<name>[0-9a-f]{32})")


def _folder(kind: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / kind
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def store_file(kind: str, data: bytes) -> str:
    """Seal ``data`` into a new file under MEDIA_ROOT/<kind>/ and return its reference."""
    name = secrets.token_hex(16)
    path = _folder(kind) / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(seal(data, purpose=f"file:{kind}"))
    return f"{kind}/{name}"


def _path(ref: str) -> Path:
    # Only what store_file hands out: "<kind>/<32 hex>". Anything else ("../x", "portraits/../..")
    # could reach outside MEDIA_ROOT, so it is refused before touching the file system.
    match = _REF.fullmatch(str(ref))
    if match is None:
        raise SealError("file reference")
    return _folder(match["kind"]) / match["name"]


def read_file(ref: str) -> bytes:
    path = _path(ref)
    return unseal(path.read_bytes(), purpose=f"file:{path.parent.name}")


def delete_file(ref: str) -> None:
    try:
        path = _path(ref)
    except SealError:
        return
    path.unlink(missing_ok=True)
