"""The header fields of the official documents and the date in words (issue 14.7): whatever is typed,
either a clear refusal naming its field or text that is NFC, printable and within its limit."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.campaigns.documents.content import date_in_words
from dinhdanh.campaigns.documents.header import LIMITS, Format, Kind, defaults, parse_request
from dinhdanh.campaigns.models import Plan
from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import Level, Scheme
from tests.conftest import unit

GOOD = {
    "issuing_body": "Công an tỉnh Kiên Giang",
    "symbol": "BC-CAT",
    "place": "Kiên Giang",
    "signer_title": "Phó Giám đốc",
    "signer_name": "Nguyễn Văn Minh",
}
TEXTS = ("superior_body", "issuing_body", "place", "signer_authority", "signer_title", "signer_name")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_the_date_in_words_follows_the_decree_and_reads_back(day: date) -> None:
    words = date_in_words(day)
    match = re.fullmatch(r"ngày (\d\d) tháng (\d\d?) năm (\d{4})", words)
    assert match is not None, words
    assert len(match.group(2)) == (2 if day.month <= 2 or day.month >= 10 else 1)  # "tháng 02", "tháng 3"
    assert date(int(match.group(3)), int(match.group(2)), int(match.group(1))) == day


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2026, 12, 5), "ngày 05 tháng 12 năm 2026"),
        (date(2025, 1, 31), "ngày 31 tháng 01 năm 2025"),
        (date(2025, 2, 1), "ngày 01 tháng 02 năm 2025"),
        (date(2025, 3, 15), "ngày 15 tháng 3 năm 2025"),
    ],
)
def test_the_decree_s_examples(day: date, words: str) -> None:
    assert date_in_words(day) == words


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(TEXTS), value=st.text(max_size=300))
def test_any_text_is_either_refused_by_its_field_or_kept_clean(name: str, value: str) -> None:
    raw = {**GOOD, name: value}
    try:
        request = parse_request(raw)
    except DomainError as refused:
        fields = {e.field for e in refused.each()}
    else:
        fields = set()
    if fields:
        assert fields == {name}
        return
    kept = getattr(request.header, name)
    assert kept == unicodedata.normalize("NFC", kept)
    assert kept.isprintable()
    assert kept == kept.strip()
    assert len(kept) <= LIMITS[name]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_any_recipients_are_either_refused_or_one_clean_line_each(value: str) -> None:
    try:
        request = parse_request({**GOOD, "recipients": value})
    except DomainError as refused:
        fields = {e.field for e in refused.each()}
    else:
        fields = set()
    if fields:
        assert fields == {"recipients"}
        return
    for line in request.header.recipients:
        assert line
        assert line.isprintable()
        assert len(line) <= LIMITS["recipients"]
        assert not line.startswith("-")
        assert not line.endswith(";")


@settings(max_examples=200, deadline=None)
@given(symbol=st.text(max_size=40), number=st.text(max_size=10))
def test_the_number_and_symbol_are_digits_and_bc_or_refused(symbol: str, number: str) -> None:
    try:
        header = parse_request({**GOOD, "symbol": symbol, "number": number}).header
    except DomainError as refused:
        fields = {e.field for e in refused.each()}
    else:
        fields = set()
    if fields:
        assert fields <= {"symbol", "number"}
        return
    assert re.fullmatch(r"BC(-[A-ZĐ0-9]+)+", header.symbol)
    assert header.number == "" or re.fullmatch(r"[0-9]{1,6}", header.number)


def test_what_is_typed_is_tidied() -> None:
    request = parse_request({**GOOD, "symbol": " bc-cat ", "recipients": "- Bộ Công an;\r\n+ Sở Tư pháp.\n\n  \n"})
    assert request.header.symbol == "BC-CAT"
    assert request.header.recipients == ("Bộ Công an", "Sở Tư pháp")
    assert (request.kind, request.format, request.phase, request.as_of) == (Kind.PHASE, Format.DOCX, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "symbol"),
    [("UBND tỉnh Kiên Giang", "BC-UBND"), ("Công an tỉnh Kiên Giang", "BC-CAT"), ("Sở Tư pháp", "BC-STP")],
)
def test_the_defaults_come_from_the_plan(body: str, symbol: str) -> None:
    plan = Plan(issuing_body=body, scope_unit=unit("91", Level.PROVINCE, Scheme.LEGACY))
    found = defaults(plan)
    assert (found["issuing_body"], found["symbol"], found["place"]) == (body, symbol, "Kiên Giang")
    parse_request({**found, "signer_title": "Giám đốc", "signer_name": "Trần Thị B"})  # the defaults are valid
