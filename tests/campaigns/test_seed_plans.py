"""The five seed plans ship as plan files and load with their real numbers (issue 14.2)."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from dinhdanh.campaigns.errors import PlanError, PlanFileErrors
from dinhdanh.campaigns.models.plans import Plan, TargetKind
from dinhdanh.campaigns.plan_services import plan_load
from dinhdanh.campaigns.standings import NO_POLICE_LIST, plan_standings, territory
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from tests.applications.support import tax_code
from tests.conftest import unit
from tests.registries.police_support import police_list

pytestmark = pytest.mark.django_db

PLANS = Path(__file__).resolve().parents[2] / "examples" / "plans"
SEEDS = {
    "kien-giang-374-2024": ("374/KH-UBND", "2008/91/", 2, 9),
    "ha-noi-cao-diem-2024": ("…/KH-UBND (29/12/2024)", "2008/01/", 2, 6),
    "dak-lak-07-2025": ("07/KH-UBND", "2008/66/", 2, 7),
    "ha-noi-176-2023": ("176/KH-UBND", "2008/01/", 1, 1),
    "hue-de-an-06-2025": ("…/KH-UBND (2025)", "2008/46/", 1, 4),
}


def load(slug: str) -> Plan:
    return plan_load(actor=None, text=(PLANS / f"{slug}.yaml").read_text(encoding="utf-8"))


# The police targets divide by the police list of the time (decision 0043): the country's, received in
# December 2024, naming this many police units in each seed's province as it was.
POLICE_UNITS = {"91": 3, "01": 2, "66": 1}


@pytest.fixture(autouse=True)
def police_lists_of_2024() -> None:
    listed = []
    for code, n in POLICE_UNITS.items():
        communes = sorted(territory(unit(code, Level.PROVINCE, Scheme.LEGACY), on=date(2026, 1, 1)))
        listed += [(tax_code(), AdministrativeUnit.objects.get(pk=pk)) for pk in communes[:n]]
    police_list(listed)


def test_every_plan_file_is_a_seed_and_every_seed_loads() -> None:
    assert {p.stem for p in PLANS.glob("*.yaml")} == set(SEEDS)
    for slug, (reference, scope, phases, targets) in SEEDS.items():
        plan = load(slug)
        assert (plan.reference, plan.scope_unit.path) == (reference, scope)
        assert (plan.phases.count(), plan.targets.count()) == (phases, targets)
        assert plan.tasks.exists()
        assert all(t.regular or t.deadline for t in plan.tasks.all())


def test_kien_giang_carries_the_plan_s_numbers() -> None:
    plan = load("kien-giang-374-2024")
    assert (plan.unit_report_weekday, plan.unit_report_time, plan.province_report_weekday) == (3, time(14), 4)
    phase1, phase2 = plan.phases.order_by("number")
    assert (phase1.starts_on, phase1.ends_on, phase2.ends_on) == (
        date(2024, 12, 30),
        date(2025, 1, 31),
        date(2025, 6, 30),
    )
    figures = {
        (t.phase.number, t.segment): (t.kind, t.value, t.baseline, t.due_on)
        for t in plan.targets.select_related("phase")
    }
    absolute, percent = TargetKind.ABSOLUTE, TargetKind.PERCENT
    assert figures == {
        (1, "police"): (percent, 100, None, date(2024, 12, 30)),  # of the police list, read when shown
        (1, "enterprise"): (absolute, 2816, 9387, None),
        (1, "cooperative"): (absolute, 130, 430, None),
        (1, "tax_agency"): (absolute, 425, 1416, None),
        (1, "other"): (percent, 20, None, None),
        (2, "enterprise"): (absolute, 6571, 9387, None),
        (2, "cooperative"): (absolute, 300, 430, None),
        (2, "tax_agency"): (absolute, 991, 1416, None),
        (2, "other"): (percent, 30, None, None),
    }


def test_the_other_plans_phases_and_duties() -> None:
    hue = load("hue-de-an-06-2025")
    assert hue.tasks.count() == 53
    receipt = hue.tasks.get(number="4.a")
    assert (receipt.lead_unit, receipt.deadline) == ("Công an thành phố", date(2025, 12, 31))
    assert {(t.metric, t.value, t.due_on) for t in hue.targets.all()} == {
        ("requests_received", 80, date(2025, 6, 30))
    }
    dak_lak = load("dak-lak-07-2025")
    state = dak_lak.targets.get(segment="tax_agency")
    assert (state.value, state.due_on, state.phase.number) == (100, date(2025, 3, 25), 2)
    door_to_door = load("ha-noi-176-2023")
    assert list(door_to_door.targets.values_list("metric", "value")) == [("persons_level2", 100)]
    ha_noi = load("ha-noi-cao-diem-2024")
    assert sorted(ha_noi.targets.filter(phase__number=1).values_list("segment", "value")) == [
        ("cooperative", 30),
        ("enterprise", 30),
        ("police", 100),
    ]


def test_the_police_targets_read_the_police_list_and_count() -> None:
    for slug, province in (
        ("kien-giang-374-2024", "91"),
        ("ha-noi-cao-diem-2024", "01"),
        ("dak-lak-07-2025", "66"),
    ):
        plan = load(slug)
        police = plan.targets.get(segment="police")
        assert (police.kind, police.value, police.baseline) == (TargetKind.PERCENT, 100, None)
        (standing,) = [s for s in plan_standings(plan, as_of=date(2025, 1, 15)) if s.target.segment == "police"]
        assert standing.outlook is not None, slug  # a number (no police unit's account yet), not "no source"
        assert (standing.outlook.done, standing.outlook.goal) == (0, POLICE_UNITS[province])


def test_a_seed_loads_without_a_police_list_and_says_what_its_police_target_lacks() -> None:
    police_list([])  # a later national list naming none: there is no police unit to divide by
    plan = load("dak-lak-07-2025")
    (standing,) = [s for s in plan_standings(plan, as_of=date(2025, 1, 15)) if s.target.segment == "police"]
    assert standing.outlook is None
    assert standing.reason == str(NO_POLICE_LIST)
    assert plan.targets.get(segment="police").baseline is None  # nothing written by reading


def test_baseline_registry_fixes_the_police_list_s_number_at_loading_or_refuses() -> None:
    text = (PLANS / "dak-lak-07-2025.yaml").read_text(encoding="utf-8")
    pinned = text.replace("segment: police, percent: 100}", "segment: police, percent: 100, baseline: registry}")
    assert pinned != text
    plan = plan_load(actor=None, text=pinned)
    assert plan.targets.get(segment="police").baseline == POLICE_UNITS["66"]
    Plan.objects.all().delete()
    police_list([])
    with pytest.raises(PlanFileErrors) as caught:
        plan_load(actor=None, text=pinned)
    assert [(e.line, e.error) for e in caught.value.errors] == [(37, PlanError.BASELINE_NO_POLICE_LIST)]
    assert not Plan.objects.exists()
