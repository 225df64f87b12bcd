"""Registry dates: the formats partners write, Excel serials, and what is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.core.errors import DomainError
from dinhdanh.registries.dates import DateError, excel_serial_to_date, parse_registry_date
from dinhdanh.registries.fields import (
    RowRepair,
)
from tests.registries.field_support import TODAY, ok, parse, problems

# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("17/05/2019", date(2019, 5, 17)),
        ("7/5/2019", date(2019, 5, 7)),
        ("17.05.2019", date(2019, 5, 17)),
        ("2019-05-17", date(2019, 5, 17)),
        ("2019-05-17T00:00:00", date(2019, 5, 17)),
        ("2019-05-17 00:00:00", date(2019, 5, 17)),
        ("2019-05-17T23:59:59.123+07:00", date(2019, 5, 17)),
        ("43602", date(2019, 5, 17)),
        ("43602.0", date(2019, 5, 17)),
        ("43602,75", date(2019, 5, 17)),
        ("１７/０５/２０１９", date(2019, 5, 17)),
        ("1", date(1900, 1, 1)),
        ("59", date(1900, 2, 28)),
        ("61", date(1900, 3, 1)),
        ("", None),
        ("  ", None),
    ],
)
def test_dates_accepted(raw: str, expected: date | None) -> None:
    assert parse_registry_date(raw, today=TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("60", DateError.EXCEL_LEAP_BUG),
        ("2019", DateError.YEAR_ONLY),
        ("31/02/2019", DateError.NONEXISTENT),
        ("05/17/2019", DateError.MONTH_FIRST),
        ("02/09/2025 ", None),
        ("03/09/2025", DateError.IN_FUTURE),
        ("99999", DateError.IN_FUTURE),
        ("9999999", DateError.IN_FUTURE),
        ("0", DateError.UNPARSEABLE),
        ("01/01/0999", DateError.TOO_EARLY),
        ("hôm qua", DateError.UNPARSEABLE),
        ("2019-05-17T25:00:00", DateError.UNPARSEABLE),
        ("=TODAY()", DateError.UNPARSEABLE),
    ],
)
def test_dates_refused(raw: str, reason: DateError | None) -> None:
    if reason is None:  # tomorrow relative to TODAY=01/09 is 02/09: in the future
        reason = DateError.IN_FUTURE
    with pytest.raises(DomainError) as caught:
        parse_registry_date(raw, today=TODAY)
    assert caught.value.error is reason


def test_excel_serial_date_is_a_recorded_repair() -> None:
    assert RowRepair.EXCEL_SERIAL_DATE in ok(parse(established_on="43602")).repairs
    assert ok(parse(established_on="17/05/2019")).repairs == ()
    assert problems(parse(established_on="60"))["established_on"].value_shown == "60"


_DAYS = st.dates(min_value=date(1000, 1, 1), max_value=TODAY)


@given(_DAYS)
def test_every_accepted_text_format_round_trips(day: date) -> None:
    d, m, y, iso = day.day, day.month, day.year, day.isoformat()
    for text in (
        f"{d:02d}/{m:02d}/{y}",
        f"{d}/{m}/{y}",
        f"{d:02d}-{m:02d}-{y}",
        f"{d}.{m}.{y}",
        iso,
        f"{iso}T00:00:00",
        f"{iso} 00:00:00",
    ):
        assert parse_registry_date(text, today=TODAY) == day, text


@given(
    st.integers(min_value=61, max_value=(TODAY - date(1899, 12, 30)).days).filter(lambda n: not 1000 <= n <= 2100)
)
def test_excel_serials_are_days_since_30_12_1899(serial: int) -> None:
    expected = (datetime(1899, 12, 30, tzinfo=UTC) + timedelta(days=serial)).date()
    assert excel_serial_to_date(serial) == expected
    assert parse_registry_date(str(serial), today=TODAY) == expected
