"""Units named by name as well as by code, and ``baseline: registry`` (issue 14.1): what the plan
meant, or a refusal naming the line and what to write instead."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from dinhdanh.campaigns.errors import PlanError, PlanFileErrors
from dinhdanh.campaigns.plan_format import PlanSpec, parse_plan
from dinhdanh.campaigns.plan_services import plan_load
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.registries.models import Baseline
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, unit

pytestmark = pytest.mark.django_db


def plan(scope: str, targets: str, *, issued_on: str = "2024-12-25", starts: str = "2024-12-30") -> str:
    head = textwrap.dedent(
        f"""\
        slug: ten-don-vi
        reference: 1/KH-UBND
        title: Kế hoạch thử
        issuing_body: UBND tỉnh
        issued_on: {issued_on}
        scope: {scope}
        phases:
          - {{number: 1, name: Giai đoạn 1, starts_on: {starts}, ends_on: 2025-12-31}}
        targets:
        """
    )
    return head + textwrap.indent(textwrap.dedent(targets), "  ")


def errors_of(text: str) -> list[tuple[int, PlanError, str]]:
    with pytest.raises(PlanFileErrors) as caught:
        parse_plan(text)
    return [(e.line, e.error, e.message("vi")) for e in caught.value.errors]  # type: ignore[misc]


def test_units_by_name_as_the_plan_wrote_them() -> None:
    spec = parse_plan(
        plan(
            "Kiên Giang",
            """\
            - phase: 1
              metric: accounts_issued
              segment: enterprise
              unit: tỉnh kiên giang
              value: 100
              allocations:
                - {unit: TP Rạch Giá, value: 40}
                - {unit: Huyện Châu Thành, value: 30}
                - {unit: phu quoc, value: 30}
            - {phase: 1, metric: accounts_issued, segment: cooperative, unit: "Châu Thành", value: 5}
            """,
        )
    )
    kien_giang = unit("91", Level.PROVINCE, Scheme.LEGACY)
    assert spec.scope == kien_giang  # the province, not the town of Kiến Giang (Quảng Bình)
    first, second = spec.targets
    assert first.unit == kien_giang
    assert [(a.unit.code, a.value) for a in first.allocations] == [("899", 40), ("905", 30), ("911", 30)]
    assert second.unit.code == "905"  # of eleven districts called Châu Thành, Kiên Giang's


def test_the_type_word_picks_the_unit_a_bare_name_does_not() -> None:
    # Bến Tre (2008/83) has a district Châu Thành and, inside it, the town of Châu Thành.
    targets = """\
        - {phase: 1, metric: accounts_issued, segment: enterprise, unit: Châu Thành, value: 1}
        - {phase: 1, metric: accounts_issued, segment: other, unit: thị trấn Châu Thành, value: 1}
        """
    spec = parse_plan(plan('"2008/83"', targets))
    assert [(t.unit.level, t.unit.code) for t in spec.targets] == [("district", "831"), ("commune", "28810")]


def test_a_name_that_only_looks_like_a_type_word_is_still_found() -> None:
    spec = parse_plan(plan("Đắk Lắk", "- {phase: 1, metric: accounts_issued, unit: Buôn Ma Thuột, value: 1}\n"))
    assert spec.targets[0].unit.code == "643"


@pytest.mark.parametrize(
    ("scope", "issued_on", "error", "words"),
    [
        ("Kien Gang", "2024-12-25", PlanError.UNKNOWN_UNIT_NAME_HINT, "Tỉnh Kiên Giang?"),
        ("Xyzzy Qwerty", "2024-12-25", PlanError.UNKNOWN_UNIT_NAME, "Xyzzy Qwerty"),
        ("Châu Thành", "2024-12-25", PlanError.AMBIGUOUS_UNIT, "(2008/708), "),
        ("Kiên Giang", "2025-08-01", PlanError.RETIRED_UNIT, "Kiên Giang"),  # merged into An Giang
        ("x", "2024-12-25", PlanError.BAD_UNIT_CODE, "x"),
    ],
)
def test_a_name_that_fits_no_unit_or_several_is_refused(
    scope: str, issued_on: str, error: PlanError, words: str
) -> None:
    found = errors_of(plan(scope, "[]\n", issued_on=issued_on, starts="2025-08-02"))
    assert [(line, e) for line, e, _m in found] == [(6, error)]
    assert words in found[0][2]


def test_a_name_outside_the_scope_is_refused_with_its_line() -> None:
    found = errors_of(plan('"91"', "- {phase: 1, metric: accounts_issued, unit: Quận Ba Đình, value: 1}\n"))
    assert [(line, e) for line, e, _m in found] == [(10, PlanError.UNIT_OUTSIDE)]
    assert "Quận Ba Đình" in found[0][2]


def _baseline(unit_: AdministrativeUnit, category: str, registered: int, as_of: date) -> None:
    Baseline.objects.create(
        unit=unit_, unit_path=unit_.path, category=category, as_of=as_of, registered=registered
    )


def registry_plan(targets: str) -> str:
    return plan('"2025/91"', targets, issued_on="2025-08-01", starts="2025-08-04")


def test_baseline_registry_is_the_registries_latest_before_the_due_date() -> None:
    an_giang = unit("91", Level.PROVINCE)
    _baseline(an_giang, "enterprise", 400, date(2025, 7, 1))
    _baseline(an_giang, "enterprise", 500, date(2025, 8, 1))
    _baseline(an_giang, "enterprise", 900, date(2026, 1, 5))  # after the due date: not this plan's
    _baseline(unit("30292"), "enterprise", 300, date(2025, 8, 1))
    _baseline(unit("30301"), "enterprise", 100, date(2025, 8, 1))
    spec: PlanSpec = parse_plan(
        registry_plan(
            """\
            - {phase: 1, metric: accounts_issued, segment: other, percent: 20, baseline: 70}
            - phase: 1
              metric: accounts_issued
              segment: enterprise
              value: 200
              baseline: registry
              allocations:
                - {unit: "30292", baseline: registry}
                - {unit: Phường Mỹ Thới, baseline: REGISTRY}
            """
        )
    )
    enterprise = spec.targets[1]
    assert enterprise.baseline == 500
    assert [(a.unit.code, a.baseline, a.value) for a in enterprise.allocations] == [
        ("30292", 300, 150),
        ("30301", 100, 50),
    ]


def test_baseline_registry_refusals_name_the_line_and_the_way_out() -> None:
    an_giang = unit("91", Level.PROVINCE)
    _baseline(an_giang, "enterprise", 500, date(2025, 8, 1))
    found = errors_of(
        registry_plan(
            """\
            - {phase: 1, metric: accounts_issued, segment: enterprise, value: 501, baseline: registry}
            - {phase: 1, metric: accounts_issued, segment: police, percent: 100, baseline: registry}
            - {phase: 1, metric: accounts_issued, segment: cooperative, value: 1, baseline: registry}
            - {phase: 1, metric: persons_level1, value: 1, baseline: registry}
            """
        )
    )
    assert [(line, e) for line, e, _m in found] == [
        (10, PlanError.ABOVE_BASELINE),
        (11, PlanError.BASELINE_NO_POLICE_LIST),  # police units read the police list (decision 0043)
        (12, PlanError.BASELINE_MISSING),
        (13, PlanError.BASELINE_REGISTRY_SEGMENT),
    ]
    assert "dinhdanh reconcile --unit 91 --baseline" in found[2][2]


def test_an_old_unit_has_no_registry_baseline() -> None:
    found = errors_of(
        plan('"91"', "- {phase: 1, metric: accounts_issued, segment: enterprise, value: 1, baseline: registry}\n")
    )
    assert [(line, e) for line, e, _m in found] == [(10, PlanError.BASELINE_REGISTRY_UNIT)]
    assert "Kiên Giang" in found[0][2]


def test_only_who_may_read_the_baselines_divides_by_them_and_a_refusal_does_not_tell_the_number() -> None:
    an_giang = unit("91", Level.PROVINCE)
    _baseline(an_giang, "enterprise", 500, date(2025, 8, 1))
    text = registry_plan(
        "- {phase: 1, metric: accounts_issued, segment: enterprise, value: 501, baseline: registry}\n"
    )
    stranger = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE))  # Hà Nội's
    with pytest.raises(PlanFileErrors) as caught:
        plan_load(actor=stranger, text=text)
    (error,) = caught.value.errors
    assert (error.line, error.error) == (10, PlanError.BASELINE_FORBIDDEN)
    assert "500" not in error.bilingual()
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, an_giang)
    with pytest.raises(PlanFileErrors) as caught:
        plan_load(actor=manager, text=text)
    assert [e.error for e in caught.value.errors] == [PlanError.ABOVE_BASELINE]
    plan = plan_load(actor=manager, text=text.replace("value: 501", "value: 500"))
    assert plan.targets.get().baseline == 500
