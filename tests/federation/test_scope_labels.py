"""Consent lists name what an application receives, not its OAuth scope codes (issue 15.7)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation


@pytest.mark.parametrize(("lang", "expected"), [("vi", "Họ và tên"), ("en", "Full name")])
def test_scopes_are_shown_by_their_label(lang: str, expected: str) -> None:
    with translation.override(lang):
        out = render_to_string("federation/_scope_labels.html", {"scopes": ["openid", "profile", "email"]})
    assert expected in out
    for code in ("openid", "profile", "email"):
        assert code not in out


def test_an_unknown_scope_is_shown_escaped_rather_than_hidden() -> None:
    out = render_to_string("federation/_scope_labels.html", {"scopes": ["<x>"]})
    assert out.strip() == "<code>&lt;x&gt;</code>"
