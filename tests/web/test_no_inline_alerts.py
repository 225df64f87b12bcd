"""Only the error summary is an alert (issue 15.8: "every error is announced as an alert at once"): no
template other than web/_error_summary.html carries role="alert"; a state of the page is a `.notice`, a
message written later by a script sits in an aria-live="polite" element."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "dinhdanh"
SUMMARY = "web/templates/web/_error_summary.html"


def test_only_the_error_summary_is_an_alert() -> None:
    found = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("templates/**/*.html")
        if 'role="alert"' in path.read_text(encoding="utf-8")
    }
    assert SUMMARY in found
    assert found == {SUMMARY}, sorted(found - {SUMMARY})
