"""One date format, dd/mm/yyyy, in both languages (issue 15.7): the format modules and the as_date filter."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, get_format

from dinhdanh.web.templatetags.display import as_date

LANGS = ["vi", "en"]
DAY = dt.date(2026, 3, 4)  # 4 March: a month-first reading would say 3 April


@pytest.mark.parametrize("lang", LANGS)
def test_dates_are_day_month_year_in_both_languages(lang: str) -> None:
    moment = dt.datetime(2026, 3, 4, 14, 5, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
    with translation.override(lang):
        assert date_format(DAY) == "04/03/2026"
        assert date_format(DAY, "SHORT_DATE_FORMAT") == "04/03/2026"
        assert date_format(moment, "DATETIME_FORMAT") == "04/03/2026 14:05"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "04/03/2026 14:05"
        assert (
            Template("{{ d }}|{{ d|date }}|{{ m|date:'SHORT_DATETIME_FORMAT' }}").render(
                Context({"d": DAY, "m": moment})
            )
            == "04/03/2026|04/03/2026|04/03/2026 14:05"
        )


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_keep_each_languages_separators(lang: str) -> None:
    with translation.override(lang):
        assert get_format("THOUSAND_SEPARATOR") == {"vi": ".", "en": ","}[lang]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("typed", "expected"),
    [("2026-03-04", DAY), ("04/03/2026", DAY), ("4/3/2026", DAY), ("04-03-2026", DAY)],
)
def test_a_typed_date_is_read_day_first(lang: str, typed: str, expected: dt.date) -> None:
    with translation.override(lang):
        field = forms.DateField()
        assert field.clean(typed) == expected


@pytest.mark.parametrize("lang", LANGS)
def test_a_month_first_date_is_refused(lang: str) -> None:
    with translation.override(lang), pytest.raises(forms.ValidationError):
        forms.DateField().clean("12/31/2026")


@pytest.mark.parametrize("lang", LANGS)
def test_date_input_renders_iso_for_the_browser(lang: str) -> None:
    """<input type="date"> needs yyyy-mm-dd whatever the language; the browser shows it locally."""

    class DateForm(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override(lang):
        assert 'value="2026-03-04"' in str(DateForm(initial={"day": DAY})["day"])


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-04", "04/03/2026"),  # an ISO string kept in a request's JSON data
        (DAY, "04/03/2026"),
        (dt.datetime(2026, 3, 4, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")), "04/03/2026"),
        (dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.UTC), "04/03/2026"),  # 06:30 on the 4th in Vietnam
        ("2026-03-03T23:30:00+00:00", "04/03/2026"),  # an instant kept as an ISO string
        ("2026-03-04T10:00:00", "04/03/2026"),  # naive: taken as written
        ("not a date", "not a date"),  # malformed stored value: shown, not hidden
        ("<b>2026</b>", "<b>2026</b>"),
        ("", ""),
        (None, ""),
        (3846, "3846"),
    ],
)
def test_as_date(lang: str, value: object, expected: str) -> None:
    with translation.override(lang):
        assert as_date(value) == expected


def test_as_date_in_a_template_is_escaped() -> None:
    with translation.override("en"):
        out = Template("{% load display %}{{ v|as_date }}").render(Context({"v": "<b>x</b>"}))
    assert out == "&lt;b&gt;x&lt;/b&gt;"


@pytest.mark.django_db
def test_the_calendar_year_is_not_grouped_like_a_number() -> None:
    from django.test import Client

    from dinhdanh.core.access import AdministratorRole
    from tests.conftest import make_officer, signed_in

    client = signed_in(Client(), make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Lịch"))
    page = client.get("/calendar/?year=2026").content.decode()
    assert "2.026" not in page
    assert "2,026" not in page
    assert '<a href="?year=2025">← 2025</a>' in page
    assert '<a href="?year=2027">2027 →</a>' in page


TEMPLATES = Path(__file__).parents[2] / "src" / "dinhdanh"


def test_templates_name_a_format_instead_of_a_pattern() -> None:
    """`|date:"d/m/Y"` would be right today and wrong the day the national format changes; the named
    formats (SHORT_DATE_FORMAT, SHORT_DATETIME_FORMAT) are set once in dinhdanh.formats."""
    fixed = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("templates/**/*.html")
        # a pattern with a year in it; "H:i" and "l" (the weekday) name no date format
        if re.search(r'\|date:"(?![A-Z_]+")[^"]*[Yy]', path.read_text(encoding="utf-8"))
    }
    assert not fixed, sorted(fixed)
