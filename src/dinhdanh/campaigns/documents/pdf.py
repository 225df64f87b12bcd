"""DOCX to PDF through LibreOffice headless: one conversion a process, in a temporary directory with a
profile of its own (``-env:UserInstallation``), so parallel conversions never share LibreOffice's lock
or profile, and with a bounded time. Absent LibreOffice is a clear refusal, never a traceback."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
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


def _convert(command: list[str], *, env: dict[str, str], cwd: Path, timeout: float) -> None:
    """Run ``command`` in a session of its own: on a timeout the whole group goes (``soffice`` is a
    launcher whose ``soffice.bin`` child would otherwise outlive it and keep the directory busy)."""
    try:
        process = subprocess.Popen(  # noqa: S603  # our own argument list, no shell
            command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    except OSError:
        raise DomainError(DocumentError.CONVERSION_FAILED) from None
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise DomainError(DocumentError.CONVERSION_TIMEOUT, seconds=max(int(timeout), 1)) from None


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
        _convert(command, env=env, cwd=work, timeout=timeout)
        result = out / "bao-cao.pdf"
        data = result.read_bytes() if result.is_file() else b""
    if not data.startswith(b"%PDF-"):
        raise DomainError(DocumentError.CONVERSION_FAILED)
    return data
