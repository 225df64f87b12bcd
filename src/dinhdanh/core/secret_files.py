"""A secret written to a file once, whole, however many processes start together (no Django here: the
settings use it before Django is set up).

Processes starting on a fresh data dir (the server's workers, the task worker) race to make the same
key. Creating the file with ``O_EXCL`` and then writing it lets a second process read it empty in
between (an empty key). Here the content goes to a private file first, is flushed to disk, and is
hard-linked into place: the name appears with its whole content or not at all, and the first
process's content stands for everyone.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["publish_once"]


def publish_once(path: Path, content: str) -> bool:
    """Create ``path`` (mode 0600) holding ``content``, unless it exists; True if this call made it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process was first: its content stands
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
