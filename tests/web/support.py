"""Helpers shared by the web page tests."""

from __future__ import annotations

import re
from typing import Any

MY_WORK = "Công việc của tôi"
AUDIT_LINK = 'href="/audit/"'
DOCS_LINK = 'href="/api/v1/docs"'


def html(response: Any) -> str:
    return str(response.content.decode())


def csp(response: Any) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def nav(page: str) -> str:
    match = re.search(r"<nav .*?</nav>", page, re.S)
    assert match
    return match.group(0)


def assert_friendly(response: Any, status: int, lang: str = "vi") -> str:
    page = html(response)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f'<html lang="{lang}">' in page
    assert f'<p class="status">{status}</p>' in page
    assert "Traceback" not in page
    assert 'href="/"' in page  # a way back home
    return page
