"""Progress read from the daily counts and rolled up (issue 14.4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.campaigns.models import DailyCount, Metric
from dinhdanh.campaigns.progress import counted, rolled_up, total

pytestmark = pytest.mark.django_db

D1, D2, D3 = date(2025, 1, 10), date(2025, 1, 11), date(2025, 2, 1)


def row(
    day: date, unit_id: int, category: str, n: int, *, metric: str = Metric.ACCOUNTS_ISSUED, province: str = "91"
) -> None:
    DailyCount.objects.create(
        day=day, metric=metric, unit_id=unit_id, unit_code=str(unit_id), province_code=province, category=category,
        count=n,
    )  # fmt: skip


def test_counts_are_read_per_unit_and_day_within_the_period_and_categories() -> None:
    row(D1, 1, "enterprise", 3)
    row(D1, 1, "cooperative", 2)
    row(D2, 1, "enterprise", 1)
    row(D2, 2, "enterprise", 4, province="80")
    row(D3, 1, "enterprise", 9)  # after the period
    row(D1, 1, "enterprise", 7, metric=Metric.REQUESTS_RECEIVED)  # another metric
    got = counted(metric=Metric.ACCOUNTS_ISSUED, start=D1, end=D2)
    assert got == {1: {D1: 5, D2: 1}, 2: {D2: 4}}
    assert counted(metric=Metric.ACCOUNTS_ISSUED, start=D1, end=D2, categories=["cooperative"]) == {1: {D1: 2}}
    assert counted(metric=Metric.ACCOUNTS_ISSUED, start=D1, end=D3, province_codes=["80"]) == {2: {D2: 4}}
    assert counted(metric=Metric.ACCOUNTS_ISSUED, start=D2, end=D1) == {}


def test_rolling_up_adds_units_together_and_keeps_what_maps_nowhere() -> None:
    series = {1: {D1: 2}, 2: {D1: 3, D2: 1}, 3: {D2: 5}}
    assert rolled_up(series, {1: 10, 2: 10}) == {10: {D1: 5, D2: 1}, None: {D2: 5}}


units = st.integers(1, 6)
days = st.sampled_from([D1, D2, D3])


@given(
    st.dictionaries(units, st.dictionaries(days, st.integers(0, 50))),
    st.dictionaries(units, st.none() | st.integers(20, 22)),
)
def test_rolling_up_never_loses_or_invents_a_count(
    series: dict[int, dict[date, int]], into: dict[int, int | None]
) -> None:
    up = rolled_up(series, into)
    assert sum(total(s) for s in up.values()) == sum(total(s) for s in series.values())


def test_counts_of_old_and_current_units_roll_up_to_today_s_province_and_communes() -> None:
    from dinhdanh.campaigns.progress import by_unit
    from dinhdanh.geo.models import Level, Scheme
    from tests.conftest import unit

    an_giang = unit("91", Level.PROVINCE)
    binh_duc = unit("30292")
    rach_gia_2024 = unit("899", Level.DISTRICT, Scheme.LEGACY)  # the old city, now wards of An Giang
    for pk, n in ((binh_duc.pk, 2), (rach_gia_2024.pk, 3), (0, 1)):
        DailyCount.objects.create(
            day=D1, metric=Metric.ACCOUNTS_ISSUED, unit_id=pk, category="enterprise", count=n
        )
    today = date(2026, 1, 1)
    asked: dict[str, Any] = {"metric": Metric.ACCOUNTS_ISSUED, "start": D1, "end": D2, "on": today}
    assert by_unit(level=Level.PROVINCE, **asked) == {an_giang.pk: {D1: 5}, None: {D1: 1}}
    assert by_unit(level=Level.PROVINCE, within=an_giang, **asked) == {an_giang.pk: {D1: 5}}
    communes = by_unit(level=Level.COMMUNE, within=an_giang, **asked)
    assert communes[binh_duc.pk] == {D1: 2}
    assert sum(total(s) for s in communes.values()) == 5  # Rạch Giá's 3 land in one ward, not in three
    elsewhere = unit("01", Level.PROVINCE)  # Hà Nội: nothing of An Giang's
    assert by_unit(level=Level.PROVINCE, within=elsewhere, **asked) == {}
