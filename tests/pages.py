"""Reading what a rendered page tells its reader, the way the tests need it."""

from __future__ import annotations

import html
import re

_SUMMARY = re.compile(r"<div class=\"error-summary\"[^>]*data-error-summary>(.*?)</div>", re.S)
_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
_TAG = re.compile(r"<[^>]+>")


def shown_errors(page: str) -> list[str]:
    """Every error in the page's error summary (form-wide first, then each field's), as text."""
    return [
        html.unescape(_TAG.sub("", item)).strip()
        for block in _SUMMARY.findall(page)
        for item in _ITEM.findall(block)
    ]


def has_error_summary(page: str) -> bool:
    return "data-error-summary" in page
