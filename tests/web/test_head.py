"""HEAD answers as GET does, without a body (RFC 9110 §9.3.2): monitors and link checkers use it, and a
405 on the home page reads as an outage (issue 15.8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "dinhdanh"


@pytest.mark.parametrize("name", ["web:home", "people:signin", "people:register"])
def test_head_answers_as_get_without_a_body(client: Client, name: str) -> None:
    url = reverse(name)
    got, head = client.get(url), client.head(url)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]


def test_a_page_closed_to_post_stays_closed(client: Client) -> None:
    assert client.post(reverse("web:home")).status_code == 405


def test_no_view_takes_get_without_head() -> None:
    """Reading views use ``require_safe`` (GET and HEAD), never ``require_GET``; forms take HEAD too."""
    sources = {str(p.relative_to(SRC)): p.read_text("utf-8") for p in SRC.rglob("*.py")}
    offenders = [name for name, text in sources.items() if "require_GET" in text or '["GET", "POST"]' in text]
    assert offenders == []
