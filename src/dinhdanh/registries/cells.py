"""Cell text made safe to show (reports, logs, HTML) and to export to spreadsheets (CSV injection)."""

from __future__ import annotations

import re

__all__ = ["FORMULA_START", "formula_like", "neutralize_for_export", "safe_text"]


def safe_text(text: str, limit: int) -> str:
    """``text`` fit to show in a report, a log or HTML: unprintable characters (controls, bidi
    overrides, NUL, lone surrogates) become U+FFFD so that a value cannot forge lines or reorder what
    follows it, and long values are cut to ``limit`` characters."""
    shown = "".join(ch if ch.isprintable() else "\ufffd" for ch in text[: limit + 1])
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


# OWASP "CSV injection": spreadsheets start a formula at these; full-width forms are included because
# some spreadsheet applications fold them.
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)*")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could take the text for a formula; a plain signed number is a number."""
    # Leading whitespace is looked through: some applications trim a cell before reading it.
    stripped = text.lstrip()
    if not stripped or (text[0] not in FORMULA_START and stripped[0] not in FORMULA_START):
        return False
    return _PLAIN_NUMBER.fullmatch(stripped) is None


def neutralize_for_export(text: str) -> str:
    """Text a spreadsheet shows as written: a leading ``'`` stops it from being run as a formula."""
    return "'" + text if formula_like(text) else text
