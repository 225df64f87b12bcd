"""A plan's targets against what the platform counted (issue 14.4): the numbers a hand calculation gives."""

from __future__ import annotations

from datetime import date

import pytest

from dinhdanh.campaigns.forecast import Standing
from dinhdanh.campaigns.models import DailyCount, Metric, Phase, Plan, Segment, Target, TargetKind
from dinhdanh.campaigns.standings import NO_GOAL, plan_standings, territory
from dinhdanh.geo.models import Level, Scheme
from dinhdanh.geo.rollup import rollup_ids
from tests.conftest import unit

pytestmark = pytest.mark.django_db


def kien_giang_plan() -> tuple[Plan, Phase]:
    scope = unit("91", Level.PROVINCE, Scheme.LEGACY)  # Kiên Giang as the plan named it (2024)
    plan = Plan.objects.create(
        slug="374-kh-ubnd", reference="374/KH-UBND", title="Cao điểm cấp tài khoản định danh tổ chức",
        issuing_body="UBND tỉnh Kiên Giang", issued_on=date(2024, 12, 25), scope_unit=scope,
    )  # fmt: skip
    phase = Phase.objects.create(plan=plan, number=1, name="Giai đoạn 1", starts_on=date(2025, 1, 1),
                                 ends_on=date(2025, 1, 31))  # fmt: skip
    return plan, phase


def count(day: date, unit_id: int, category: str, n: int) -> None:
    DailyCount.objects.create(day=day, metric=Metric.ACCOUNTS_ISSUED, unit_id=unit_id, category=category, count=n)


def test_the_kien_giang_enterprise_target_matches_a_hand_calculation() -> None:
    plan, phase = kien_giang_plan()
    scope = plan.scope_unit
    Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                          unit=scope, value=2816, baseline=9387)  # fmt: skip
    Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.OTHER,
                          unit=scope, kind=TargetKind.PERCENT, value=20, baseline=None)  # fmt: skip
    Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.POLICE,
                          unit=scope, value=40)  # fmt: skip
    rach_gia = unit("899", Level.DISTRICT, Scheme.LEGACY)  # a city of old Kiên Giang
    ward = rollup_ids([rach_gia.pk], level=Level.COMMUNE, on=date(2026, 1, 1))[rach_gia.pk]
    assert ward is not None
    assert ward in territory(scope, on=date(2026, 1, 1))
    binh_duc = unit("30292")  # a ward of old An Giang: merged into the same province, not in the plan's
    assert binh_duc.pk not in territory(scope, on=date(2026, 1, 1))
    count(date(2024, 12, 20), ward, "enterprise", 1000)  # before the phase: counts towards the goal
    for day in range(1, 16):  # 100 a day in January
        count(date(2025, 1, day), ward, "enterprise", 100)
    count(date(2025, 1, 10), binh_duc.pk, "enterprise", 500)  # old An Giang: not Kiên Giang's
    count(date(2025, 1, 10), ward, "cooperative", 70)  # another category
    count(date(2025, 1, 20), ward, "enterprise", 999)  # after the day asked
    count(date(2025, 1, 2), ward, "police", 12)  # police units: their events' own category (decision 0043)
    count(date(2025, 1, 2), ward, "tax_agency", 5)  # other tax-code bodies: not police units
    enterprises, others, police = plan_standings(plan, as_of=date(2025, 1, 15))
    seen = enterprises.outlook
    assert seen is not None
    # By hand: 1,000 + 15 × 100 = 2,500 done; the line from 1,000 on 1/1 to 2,816 on 31/1 stands at
    # 1,000 + ⌊1,816 × 15/31⌋ = 1,878; 316 to go at 100 a day (last 14 days): 4 days → 19/01; ahead.
    assert (seen.done, seen.goal, seen.expected, seen.pace) == (2500, 2816, 1878, 100.0)
    assert (seen.forecast, seen.standing) == (date(2025, 1, 19), Standing.AHEAD)
    assert (others.outlook, others.reason) == (None, str(NO_GOAL))
    # Police units are counted on their own now (they used to say "no source"): 12 of 40, none of the 5.
    assert police.outlook is not None
    assert (police.outlook.done, police.outlook.goal, police.reason) == (12, 40, "")
