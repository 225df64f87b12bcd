"""The English catalogue is complete and compiled; the default language is Vietnamese."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
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


def _ids(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in po if not e.obsolete}


def test_every_translatable_string_is_in_the_catalogue(tmp_path: Path) -> None:
    """The catalogue must follow the code: a string added without ``make messages`` stays Vietnamese in
    English (the check above only sees what the catalogue already holds). Needs GNU gettext, which
    ``make messages`` needs too; CI installs it and sets DINHDANH_REQUIRE_GETTEXT."""
    if shutil.which("xgettext") is None:
        if os.environ.get("DINHDANH_REQUIRE_GETTEXT"):
            pytest.fail("GNU gettext (xgettext) is missing and DINHDANH_REQUIRE_GETTEXT is set")
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "dinhdanh"
    shutil.copytree(ROOT / "src" / "dinhdanh", copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    result = subprocess.run(
        # -P: the copy holds a package named http, which must not shadow the standard library.
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "en", "-i", "migrations/*"],
        cwd=copy,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dinhdanh.settings.dev"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    source = _ids(polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")))
    catalogue = _ids(polib.pofile(str(ROOT / "src" / "dinhdanh" / "locale" / "en" / "LC_MESSAGES" / "django.po")))
    missing = sorted(f"{ctx or ''}|{msgid}" for ctx, msgid in source - catalogue if msgid)
    assert not missing, "run `make messages` and translate: " + "; ".join(missing[:20])
