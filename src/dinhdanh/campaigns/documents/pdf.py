"""DOCX to PDF through LibreOffice headless: one conversion a process, in a temporary directory with a
profile of its own (``-env:UserInstallation``), so parallel conversions never share LibreOffice's lock
or profile, and with a bounded time. Absent LibreOffice is a clear refusal, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from dinhdanh.campaigns.documents.errors import DocumentError
from dinhdanh.core.errors import DomainError

__all__ = ["TIMEOUT_SECONDS", "office", "to_pdf"]

TIMEOUT_SECONDS = 90  # a cold start with a fresh profile takes a few seconds; a report, a few more
_NAMES = ("soffice", "libreoffice")


def office() -> str | None:
    """The LibreOffice program on this machine, or None."""
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def to_pdf(docx: bytes, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    program = office()
    if program is None:
        raise DomainError(DocumentError.OFFICE_MISSING)
    with tempfile.TemporaryDirectory(prefix="dinhdanh-pdf-") as tmp:
        work = Path(tmp)
        source = work / "bao-cao.docx"
        source.write_bytes(docx)
        out = work / "out"
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(source),
        ]
        # HOME too: some builds write there whatever the profile says.
        env = {**os.environ, "HOME": str(work)}
        try:
            subprocess.run(command, env=env, cwd=work, capture_output=True, timeout=timeout, check=False)  # noqa: S603
        except subprocess.TimeoutExpired:
            raise DomainError(DocumentError.CONVERSION_TIMEOUT, seconds=int(timeout)) from None
        except OSError:
            raise DomainError(DocumentError.CONVERSION_FAILED) from None
        result = out / "bao-cao.pdf"
        data = result.read_bytes() if result.is_file() else b""
    if not data.startswith(b"%PDF-"):
        raise DomainError(DocumentError.CONVERSION_FAILED)
    return data
