"""The English catalogue is complete and compiled; the default language is Vietnamese."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.utils import translation

from dinhdanh.core.errors import CoreError, DomainError

ROOT = Path(__file__).resolve().parent.parent


def test_catalogue_complete_and_mo_fresh() -> None:
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(ROOT / "scripts" / "compile-messages.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_messages_render_in_both_languages() -> None:
    error = DomainError(CoreError.TOO_LONG, field="name", limit=5)
    assert error.message("vi") == "Trường name dài quá 5 ký tự."
    with translation.override("en"):
        english = error.message()
    assert english != error.message("vi")
    assert "5" in english
    assert error.bilingual() == f"{error.message('vi')} / {error.message('en')}"
