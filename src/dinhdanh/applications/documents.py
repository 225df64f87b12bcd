"""Documents of a request: what a file really is (from its bytes, never its name or the browser's
word), how big it may be, and its sealed storage with a SHA-256 of the plain bytes that is checked on
every read, so a file changed on disk after it was filed is refused instead of shown."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from dinhdanh.applications.errors import ApplicationError
from dinhdanh.core.errors import DomainError
from dinhdanh.core.sealed import SealError, read_file, store_file
from dinhdanh.core.text import nfc

STORE_KIND = "applications"
PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
# A scanned A4 page at 600 dpi is about 35 megapixels; beyond this an image is a decompression bomb.
MAX_PIXELS = 60_000_000
_PDF_TAIL = 2048  # %%EOF sits at the very end, give or take trailing whitespace or a short trailer


@dataclass(frozen=True)
class Inspected:
    content_type: str
    size: int
    sha256: str
    file_name: str


def safe_name(raw: str | None, content_type: str) -> str:
    """The last path component, printable, at most 255 characters; a default when nothing is left."""
    text = nfc(str(raw or ""))
    text = PureWindowsPath(PurePosixPath(text).name).name
    text = "".join(ch for ch in text if ch.isprintable() and unicodedata.category(ch) != "Cf").strip(" .")
    if not text:
        text = {PDF: "tai-lieu.pdf", JPEG: "anh.jpg", PNG: "anh.png"}[content_type]
    return text[-255:]


def _image(data: bytes, expected: str, shown: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if image.width * image.height > MAX_PIXELS:
                raise DomainError(ApplicationError.DOCUMENT_DAMAGED, field="file", name=shown)
            image.verify()
        if kind != expected:
            raise DomainError(ApplicationError.DOCUMENT_TYPE, field="file", name=shown)
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() does not decode JPEG data: a JPEG cut short fails only here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise DomainError(ApplicationError.DOCUMENT_DAMAGED, field="file", name=shown) from exc


def inspect(data: bytes, name: str | None) -> Inspected:
    shown = nfc(str(name or ""))[:80] or "?"
    if not data:
        raise DomainError(ApplicationError.DOCUMENT_EMPTY, field="file", name=shown)
    limit = int(settings.DOCUMENT_MAX_BYTES)
    if len(data) > limit:
        raise DomainError(
            ApplicationError.DOCUMENT_TOO_LARGE, field="file", name=shown, limit_mb=max(1, limit // (1024 * 1024))
        )
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-_PDF_TAIL:]:
            raise DomainError(ApplicationError.DOCUMENT_DAMAGED, field="file", name=shown)
        content_type = PDF
    elif data.startswith(b"\xff\xd8\xff"):
        _image(data, "JPEG", shown)
        content_type = JPEG
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        _image(data, "PNG", shown)
        content_type = PNG
    else:
        raise DomainError(ApplicationError.DOCUMENT_TYPE, field="file", name=shown)
    return Inspected(
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        file_name=safe_name(name, content_type),
    )


def store(data: bytes) -> str:
    return store_file(STORE_KIND, data)


def load(ref: str, *, sha256: str, name: str) -> bytes:
    """The plain bytes, or ``DOCUMENT_TAMPERED`` when the sealed file or its hash does not check out."""
    try:
        data = read_file(ref)
    except (SealError, OSError) as exc:
        raise DomainError(ApplicationError.DOCUMENT_TAMPERED, name=name[:80]) from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DomainError(ApplicationError.DOCUMENT_TAMPERED, name=name[:80])
    return data
