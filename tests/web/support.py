"""Helpers shared by the web page tests."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.test import override_settings
from django.urls import clear_url_caches

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


def _reload_urlconfs() -> None:
    import dinhdanh.api.urls
    import dinhdanh.applications.urls
    import dinhdanh.people.urls
    import dinhdanh.urls
    import dinhdanh.web.urls

    # The modules that choose parts by zone, then the roots that mount modules by zone.
    for module in (dinhdanh.people.urls, dinhdanh.web.urls, dinhdanh.applications.urls):
        importlib.reload(module)
    importlib.reload(dinhdanh.api.urls)
    importlib.reload(dinhdanh.urls)
    clear_url_caches()


@contextmanager
def deploy_zone(zone: str) -> Iterator[None]:
    """URL confs read DEPLOY_ZONE at import time: rebuild them inside the override, and after it."""
    try:
        with override_settings(DEPLOY_ZONE=zone):
            _reload_urlconfs()
            yield
    finally:
        _reload_urlconfs()
