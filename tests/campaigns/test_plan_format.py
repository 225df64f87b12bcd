"""The plan file (issue 14.1): every bad line named, nothing written; the units as the plan named them."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinhdanh.campaigns.errors import PlanError, PlanFileErrors
from dinhdanh.campaigns.models.plans import Plan
from dinhdanh.campaigns.plan_format import parse_plan
from dinhdanh.campaigns.plan_services import plan_load

pytestmark = pytest.mark.django_db

GOOD = textwrap.dedent(
    """\
    slug: thu-nghiem
    reference: 1/KH-UBND
    title: Kế hoạch thử
    issuing_body: UBND tỉnh Kiên Giang
    issued_on: 2024-12-25
    scope: "91"
    reporting: {unit_weekday: thứ năm, unit_time: "14:00", province_weekday: friday}
    phases:
      - {number: 1, name: Giai đoạn 1, starts_on: 2024-12-30, ends_on: 31/01/2025}
      - {number: 2, name: Giai đoạn 2, starts_on: 2025-02-01, ends_on: 2025-06-30}
    targets:
      - {phase: 1, metric: accounts_issued, segment: police, percent: 100, due_on: 2024-12-30}
      - phase: 1
        metric: accounts_issued
        segment: enterprise
        value: 100
        baseline: 400
        allocations:
          - {unit: "899", baseline: 200}
          - {unit: "900", baseline: 100}
          - {unit: "902", value: 10}
    tasks:
      - {number: "1", title: Tuyên truyền, lead: Sở TT&TT, coordinating: [Công an tỉnh], deadline: regular}
      - {number: "2", title: Danh sách, lead: Sở KH&ĐT, deadline: 30/5/2025, timing: Trước 30/5/2025}
    """
)


def errors_of(text: str) -> list[tuple[int, object]]:
    with pytest.raises(PlanFileErrors) as caught:
        parse_plan(text)
    return [(e.line, e.error) for e in caught.value.errors]


def test_a_good_file_parses_with_legacy_units_allocations_and_tasks() -> None:
    spec = parse_plan(GOOD)
    assert spec.scope.path == "2008/91/"  # Kiên Giang as it was on 25/12/2024, not today's An Giang
    assert (spec.unit_report_weekday, str(spec.unit_report_time), spec.province_report_weekday) == (
        3,
        "14:00:00",
        4,
    )
    assert [p.ends_on.isoformat() for p in spec.phases] == ["2025-01-31", "2025-06-30"]
    police, enterprises = spec.targets
    assert (police.kind, police.value, str(police.due_on)) == ("percent", 100, "2024-12-30")
    # 90 left after the edited 10, spread 2:1 over Rạch Giá and Hà Tiên.
    assert [(a.unit.code, a.value, a.edited) for a in enterprises.allocations] == [
        ("899", 60, False),
        ("900", 30, False),
        ("902", 10, True),
    ]
    regular, dated = spec.tasks
    assert (regular.regular, regular.deadline, regular.coordinating_units) == (True, None, ["Công an tỉnh"])
    assert (dated.regular, str(dated.deadline)) == (False, "2025-05-30")


def test_a_scheme_prefix_picks_the_unit_of_that_scheme() -> None:
    spec = parse_plan(
        GOOD.replace('issued_on: 2024-12-25\nscope: "91"', 'issued_on: 2024-12-25\nscope: "2008/91"')
    )
    assert spec.scope.name == "Tỉnh Kiên Giang"


def test_every_error_is_reported_with_its_line() -> None:
    bad = textwrap.dedent(
        """\
        slug: Bad Slug
        refrence: 1/KH
        title: x
        issuing_body: UBND
        issued_on: 2024-12-25
        scope: "91"
        phases:
          - {number: 1, name: a, starts_on: 2024-12-30, ends_on: 2024-12-01}
          - {number: 2, name: b, starts_on: 2025-01-01, ends_on: 2025-03-01}
          - {number: 3, name: c, starts_on: 2025-02-01, ends_on: 2025-04-01}
          - {number: 2, name: d, starts_on: 2026-01-01, ends_on: 2026-03-01}
        targets:
          - {phase: 2, metric: accounts_isued, segment: enterprize, value: 1}
          - {phase: 2, metric: accounts_issued, segment: enterprise, value: 50, baseline: 40}
          - {phase: 2, metric: accounts_issued, segment: other, percent: 120}
          - {phase: 2, metric: accounts_issued, segment: other, percent: 10, value: 3}
          - {phase: 9, metric: accounts_issued, value: 3}
          - {phase: 2, metric: accounts_issued, segment: cooperative, value: 5, due_on: 2025-05-01}
          - phase: 2
            metric: accounts_issued
            segment: cooperative
            value: 100
            allocations:
              - {unit: "899", value: 30}
              - {unit: "900", value: 30}
          - {phase: 2, metric: accounts_issued, segment: tax_agency, value: 3}
          - {phase: 2, metric: accounts_issued, segment: tax_agency, value: 4}
          - {phase: 2, metric: persons_level1, unit: "001"}
          - {phase: 2, metric: persons_level1, unit: "30292", value: 1}
          - {phase: 2, metric: persons_level2, unit: "12345", value: 1}
          - {phase: 2, metric: persons_level2, unit: "x1", value: 1}
        tasks:
          - {number: "1", title: t, lead: L, deadline: someday}
          - {number: "1", title: t, lead: L, deadline: regular}
        """
    )
    assert errors_of(bad) == [
        (1, PlanError.BAD_SLUG),
        (2, PlanError.UNKNOWN_KEY_HINT),
        (8, PlanError.PHASE_BACKWARDS),
        (10, PlanError.PHASE_OVERLAP),
        (11, PlanError.PHASE_DUPLICATE),
        (13, PlanError.BAD_CHOICE_HINT),
        (13, PlanError.BAD_CHOICE_HINT),
        (14, PlanError.ABOVE_BASELINE),
        (15, PlanError.PERCENT_OVER),
        (16, PlanError.VALUE_OR_PERCENT),
        (17, PlanError.UNKNOWN_PHASE),
        (18, PlanError.DUE_OUTSIDE_PHASE),
        (24, PlanError.ALLOCATION_SUM),
        (27, PlanError.DUPLICATE_TARGET),
        (28, PlanError.UNIT_OUTSIDE),  # Hà Nội's Ba Đình is not in Kiên Giang
        (28, PlanError.VALUE_OR_PERCENT),
        (29, PlanError.UNIT_OUTSIDE),  # in 2024 commune 30292 lay in An Giang, not Kiên Giang
        (30, PlanError.UNKNOWN_UNIT),
        (31, PlanError.UNKNOWN_UNIT_NAME),  # not a code, so a name: no unit is called "x1"
        (33, PlanError.TASK_DEADLINE),
        (34, PlanError.DUPLICATE_TASK),
    ]
    assert not Plan.objects.exists()


def test_the_messages_name_the_line_and_the_suggestion_in_both_languages() -> None:
    with pytest.raises(PlanFileErrors) as caught:
        parse_plan(GOOD.replace("issuing_body:", "isuing_body:"))
    (error,) = caught.value.errors
    assert error.bilingual().startswith("dòng 4 / line 4: ")
    assert "issuing_body" in error.message("vi")
    assert error.message("vi").startswith("dòng 4: ")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", PlanError.EMPTY_FILE),
        ("slug: [unclosed", PlanError.YAML_SYNTAX),
        ("- a\n- b\n", PlanError.NOT_A_MAPPING),
        ("a: &x [1]\nb: *x\n", PlanError.YAML_SYNTAX),  # aliases could blow a small file up
        ("slug: a\nslug: b\n", PlanError.DUPLICATE_KEY),
        ("x" * 1_000_001, PlanError.FILE_TOO_LARGE),
    ],
)
def test_malformed_files_are_refused(text: str, error: PlanError) -> None:
    assert error in [e for _line, e in errors_of(text)]


def test_a_retired_or_later_unit_is_refused_and_a_current_one_after_the_reform_is_taken() -> None:
    later = GOOD.replace("issued_on: 2024-12-25", "issued_on: 2025-08-01").replace(
        "      - phase: 1\n        metric: accounts_issued\n        segment: enterprise",
        '      - phase: 1\n        metric: accounts_issued\n        segment: enterprise\n        unit: "2008/91"',
    )
    # After 01/07/2025 "91" is An Giang; the districts of the allocations no longer exist.
    found = errors_of(later)
    assert found
    assert all(e == PlanError.RETIRED_UNIT for _l, e in found)


def test_hostile_text_is_refused_not_stored() -> None:
    errors = errors_of(GOOD.replace("title: Kế hoạch thử", 'title: "a\\u0000b"'))
    assert errors == [(3, PlanError.CONTROL_CHARACTERS)]
    errors = errors_of(GOOD.replace("title: Kế hoạch thử", "title: " + "x" * 600))
    assert errors == [(3, PlanError.TOO_LONG)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_gives_a_plan_or_line_errors_never_a_crash(text: str) -> None:
    lines = _lines_or_ok(text)
    assert lines is None or (lines and min(lines) >= 1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=len(GOOD) - 1), st.characters())
def test_a_changed_character_gives_a_plan_or_line_errors(position: int, char: str) -> None:
    text = GOOD[:position] + char + GOOD[position + 1 :]
    lines = _lines_or_ok(text)
    assert lines is None or all(1 <= n <= text.count("\n") + 2 for n in lines)


def _lines_or_ok(text: str) -> list[int] | None:
    """The lines of the errors, or ``None`` for a plan that parsed."""
    try:
        parse_plan(text)
    except PlanFileErrors as exc:
        return [e.line for e in exc.errors]
    return None


def test_nothing_is_written_when_the_file_is_bad() -> None:
    with pytest.raises(PlanFileErrors):
        plan_load(actor=None, text=GOOD.replace("value: 100", "value: 1000"))
    assert not Plan.objects.exists()


def test_a_slug_the_pages_use_is_refused_on_its_line() -> None:
    first, rest = GOOD.split("\n", 1)
    assert first.startswith("slug:")
    assert errors_of("slug: units\n" + rest) == [(1, PlanError.RESERVED_SLUG)]
