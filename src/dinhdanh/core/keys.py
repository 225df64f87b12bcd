"""Secrets kept as files in the data dir (backed up with it), generated on first use.

The audit chain's two keys (decision 0012) may instead come from the environment, so that every node
of a multi-node deployment seals the chain with the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from django.conf import settings

from dinhdanh.core.secret_files import publish_once

AUDIT_CHAIN = "audit-chain"
AUDIT_CHECKPOINT = "audit-checkpoint"


class _DataKeys:
    """``data_key``: each key file read once per process, and again when the file is another one.

    ``retire_key_versions`` in one process (a CLI command) replaces ``keys/<name>`` with the current
    version; a process that kept the old key for good (a web worker, the task worker) would have gone
    on digesting with a retired key, so that logins by personal ID number failed until a restart.
    Each call therefore looks at the file (one ``stat``, ≈ 1 µs) and reads it again when its inode or
    modification time changed (a replacement is a new inode)."""

    def __init__(self) -> None:
        self._loaded: dict[str, tuple[tuple[int, int], bytes]] = {}

    def __call__(self, name: str) -> bytes:
        """A 32-byte key stored at DATA_DIR/keys/<name> with mode 0600; never logged, never in the
        database."""
        path = os.path.join(settings.DATA_DIR, "keys", name)  # a str: cheaper than a Path, called per sign-in
        try:
            found = os.stat(path)
        except FileNotFoundError:
            Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            publish_once(Path(path), secrets.token_bytes(32).hex())  # whole, first writer wins (core.secret_files)
            found = os.stat(path)
        stamp = (found.st_ino, found.st_mtime_ns)
        loaded = self._loaded.get(path)
        if loaded is not None and loaded[0] == stamp:
            return loaded[1]
        key = bytes.fromhex(Path(path).read_text().strip())
        self._loaded[path] = (stamp, key)
        return key

    def cache_clear(self) -> None:
        self._loaded.clear()


data_key = _DataKeys()


# --- versioned keys: rotated without losing what older versions sealed ---------------------------------
# Version 1 is the file ``keys/<name>`` (what ``data_key`` always used); a rotation adds ``<name>.2``,
# ``<name>.3``, … and the highest is current. Older versions stay until nothing uses them any more.

_VERSION_SUFFIX = re.compile(r"\.(\d{1,4})$")


def _key_dir() -> Path:
    directory = Path(settings.DATA_DIR) / "keys"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def key_versions(name: str) -> list[tuple[int, str, bytes]]:
    """(version, key id, key) of every version of ``name``, oldest first; version 1 is made on first use."""
    versions = [(1, data_key(name))]
    for path in _key_dir().glob(f"{name}.*"):
        match = _VERSION_SUFFIX.search(path.name)
        if match and path.name == f"{name}.{match[1]}":
            versions.append((int(match[1]), bytes.fromhex(path.read_text().strip())))
    return [(version, key_id(key), key) for version, key in sorted(versions)]


def current_key(name: str) -> tuple[str, bytes]:
    """(key id, key) that new values are sealed or indexed with: the newest version."""
    _version, kid, key = key_versions(name)[-1]
    return kid, key


def key_by_id(name: str, kid: str) -> bytes | None:
    return next((key for _version, found, key in key_versions(name) if found == kid), None)


def rotate_key(name: str) -> str:
    """A new current version of ``name``; returns its key id. Older versions stay readable."""
    version = key_versions(name)[-1][0] + 1
    path = _key_dir() / f"{name}.{version}"
    key = secrets.token_bytes(32)
    if not publish_once(path, key.hex()):  # a reader globbing the directory never sees it half written
        raise FileExistsError(path)  # another rotation made this version first: nothing replaced
    return key_id(key)


def blind_index(name: str, value: str) -> str:
    """Keyed digest for looking up a sensitive value without storing it in clear (version 1 of the key:
    for indexes that never rotate; a rotating one uses ``blind_indexes``)."""
    return hmac.new(data_key(name), value.encode(), hashlib.sha256).hexdigest()


def index_with(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def blind_indexes(name: str, value: str) -> list[str]:
    """The digests of ``value`` under every version of the index key ``name``, the current one first:
    a lookup tries them all while a re-indexing is under way (decision 0036)."""
    return [index_with(key, value) for _version, _kid, key in reversed(key_versions(name))]


def retire_key_versions(name: str) -> list[int]:
    """Delete every version of ``name`` but the current one, once re-indexing made them useless;
    returns the versions deleted. The current one becomes the bare file ``keys/<name>`` (version 1),
    so a reader of version 1 (``data_key``) never makes a new key under the old name."""
    versions = key_versions(name)
    if len(versions) < 2:
        return []
    directory = _key_dir()
    current_version = versions[-1][0]
    removed = []
    for version, _kid, _key in versions[:-1]:
        (directory / (name if version == 1 else f"{name}.{version}")).unlink(missing_ok=True)
        removed.append(version)
    os.replace(directory / f"{name}.{current_version}", directory / name)  # version 1 is another key now
    return removed


def key_id(key: bytes) -> str:
    """A short public name for a key (a digest of it: says which key, reveals nothing of it)."""
    return hashlib.sha256(b"dinhdanh key id\x00" + key).hexdigest()[:16]


def _configured(setting: str, name: str) -> tuple[str, bytes]:
    # The settings hold the hex already checked at start-up (settings.env.hex_key).
    configured: str = getattr(settings, setting, "")
    key = bytes.fromhex(configured) if configured else data_key(name)
    return key_id(key), key


def audit_chain_key() -> tuple[str, bytes]:
    """(key id, key) sealing each audit event: DINHDANH_AUDIT_KEY, else DATA_DIR/keys/audit-chain."""
    return _configured("AUDIT_KEY", AUDIT_CHAIN)


def audit_checkpoint_key() -> tuple[str, bytes]:
    """(key id, key) signing checkpoints: DINHDANH_AUDIT_CHECKPOINT_KEY, else DATA_DIR/keys/audit-checkpoint.

    Apart from the chain key, so that a leaked chain key alone cannot make a rewritten chain agree
    with the checkpoints."""
    return _configured("AUDIT_CHECKPOINT_KEY", AUDIT_CHECKPOINT)
