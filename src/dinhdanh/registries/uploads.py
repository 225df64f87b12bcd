"""Registry files arrive as uploads of up to ``REGISTRY_MAX_BYTES`` (gigabytes): far above the site-wide
``UPLOAD_MAX_BYTES``, and far too big for memory or Django's temporary files. This handler writes the
one file field straight to ``DATA_DIR/uploads/registries/`` under a random name, counting as it goes,
and stops at the limit; the import job later reads the file from there and removes it.

Only the view that installs the handler (before anything reads ``request.POST``) accepts such files.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload

from dinhdanh.core.text import nfc

FIELD = "file"
SUFFIX = ".upload"
# Names this module gives stored files; anything else found in a job row is refused, never opened.
STORED_NAME = re.compile(r"\A[0-9a-f]{32}\.upload\Z")
# A multipart body holds the boundaries and the other fields besides the file itself.
BODY_OVERHEAD = 64 * 1024


def upload_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads" / "registries"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def stored_path(name: str) -> Path:
    """The stored file called ``name``; ``ValueError`` for any name this module would not give."""
    if not STORED_NAME.match(name):
        raise ValueError("not a stored upload name")
    return upload_dir() / name


def display_name(raw: str) -> str:
    """The client's file name as shown on pages (Django already cut any directory off it)."""
    name = "".join(ch for ch in nfc(raw) if ch.isprintable())
    return name[-255:] or "tep"


class RegistryUploadHandler(FileUploadHandler):
    """Streams the ``file`` field to disk; other file fields are skipped. After parsing, ``stored`` is
    the name of the complete file (or ``""``), ``too_large`` tells why it is not there."""

    def __init__(self, request: Any = None, *, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = settings.REGISTRY_MAX_BYTES if limit is None else limit
        self.body_length = 0
        self.received = 0
        self.too_large = False
        self.stored = ""
        self.client_name = ""
        self._path: Path | None = None
        self._fh: Any = None

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,  # noqa: N803 - Django's parameter name
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        self.body_length = content_length

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != FIELD or self._path is not None:
            raise SkipFile
        # The whole body is larger than the limit: refuse before writing a byte.
        if self.body_length > self.limit + BODY_OVERHEAD:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        self.client_name = display_name(file_name)
        self._path = upload_dir() / f"{secrets.token_hex(16)}{SUFFIX}"
        descriptor = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._fh = os.fdopen(descriptor, "wb")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self._fh is None:
            return None
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            self.discard()
            raise StopUpload(connection_reset=False)
        self._fh.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> None:
        if self._fh is not None and self._path is not None:
            self._fh.close()
            self._fh = None
            self.stored = self._path.name
        # Nothing goes into request.FILES: the view reads ``stored``.

    def upload_interrupted(self) -> None:
        self.discard()

    def keep(self) -> None:
        """The file now belongs to an import job: ``discard`` leaves it alone."""
        self._path = None
        self.stored = ""

    def discard(self) -> None:
        """Remove whatever was written (the view calls this when no job takes the file)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._path is not None:
            self._path.unlink(missing_ok=True)
        self.stored = ""
