"""Loading and editing plans (issue 14.1-14.3, 14.8): access, jurisdiction, audit, replace, allocation."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.forms_plan import WholeNumberField
from dinhdanh.campaigns.models.plans import Plan, PlanStatus, Target, Task, TaskStatus
from dinhdanh.campaigns.plan_services import (
    phase_edit,
    plan_load,
    plan_status_set,
    target_allocate,
    target_edit,
    target_respread,
    target_shares_set,
    task_edit,
    task_update,
)
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError, FieldErrors
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import Level, Scheme
from dinhdanh.registries.permissions import RegistryRole
from tests.campaigns.test_plan_format import GOOD
from tests.conftest import make_officer, make_user, unit

pytestmark = pytest.mark.django_db


def audited(action: str) -> tuple[dict[str, Any], dict[str, Any]]:
    event = AuditEvent.objects.get(action=action)
    return event.before or {}, event.after or {}


def enterprises(plan: Plan) -> Target:
    return plan.targets.get(segment="enterprise", parent=None)


def test_a_manager_of_today_s_an_giang_loads_the_2024_kien_giang_plan() -> None:
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE))
    plan = plan_load(actor=manager, text=GOOD)
    assert (plan.scope_unit.path, plan.reference, plan.status) == ("2008/91/", "1/KH-UBND", "draft")
    assert (plan.phases.count(), plan.targets.count(), plan.tasks.count()) == (2, 5, 2)
    assert sorted(enterprises(plan).children.values_list("value", flat=True)) == [10, 30, 60]
    event = AuditEvent.objects.get(action=CampaignAction.PLAN_LOADED)
    after = audited(CampaignAction.PLAN_LOADED)[1]
    assert (event.actor_id, after["targets"], len(after["sha256"])) == (manager.pk, 5, 64)


@pytest.mark.parametrize("where", ["01", None])
def test_others_are_refused_and_the_refusal_audited(where: str | None) -> None:
    if where is None:
        actor, error = make_user(), CoreError.PERMISSION_DENIED  # a citizen
    else:
        actor, error = (
            make_officer(RegistryRole.CAMPAIGN_MANAGER, unit(where, Level.PROVINCE)),
            CoreError.OUT_OF_JURISDICTION,
        )
    with pytest.raises(DomainError) as caught:
        plan_load(actor=actor, text=GOOD)
    assert caught.value.error is error
    assert not Plan.objects.exists()
    assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED, actor=actor).exists()


def test_the_same_slug_is_refused_unless_replaced_and_a_replace_keeps_task_updates() -> None:
    plan = plan_load(actor=None, text=GOOD)
    with pytest.raises(DomainError) as caught:
        plan_load(actor=None, text=GOOD)
    assert caught.value.error is PlanError.PLAN_EXISTS
    task = plan.tasks.get(number="1")
    task_update(actor=None, task=task, status=TaskStatus.IN_PROGRESS, note="Đã gửi 3 văn bản", evidence="15/CV-CA")
    replaced = plan_load(actor=None, text=GOOD.replace("value: 100", "value: 120"), replace=True)
    assert replaced.pk == plan.pk
    assert enterprises(replaced).value == 120
    assert sum(enterprises(replaced).children.values_list("value", flat=True)) == 120
    kept = replaced.tasks.get(number="1")
    assert (kept.pk, kept.status, kept.updates.count()) == (task.pk, TaskStatus.IN_PROGRESS, 1)
    before, after = audited(CampaignAction.PLAN_REPLACED)
    assert before["slug"] == after["slug"] == "thu-nghiem"
    # A replacement that drops a task with updates would lose its evidence: refused, nothing changed.
    without = GOOD.split("tasks:")[0].replace("value: 100", "value: 90")
    with pytest.raises(DomainError) as caught:
        plan_load(actor=None, text=without, replace=True)
    assert caught.value.error is PlanError.TASK_HAS_UPDATES
    assert enterprises(Plan.objects.get()).value == 120


def test_editing_a_share_keeps_it_and_respreads_its_siblings_with_before_and_after() -> None:
    plan = plan_load(actor=None, text=GOOD)
    parent = enterprises(plan)
    ha_tien = parent.children.get(unit__code="900")
    target_edit(actor=None, target=ha_tien, value=50)
    values = dict(parent.children.values_list("unit__code", "value"))
    assert values == {"899": 40, "900": 50, "902": 10}  # 902 was edited in the file: kept
    assert Target.objects.get(pk=ha_tien.pk).edited
    before, after = audited(CampaignAction.TARGET_EDITED)
    assert (before["target"]["value"], after["target"]["value"]) == (30, 50)
    # Edited shares above the parent are refused and change nothing.
    with pytest.raises(DomainError) as caught:
        target_edit(actor=None, target=parent.children.get(unit__code="902"), value=95)
    assert caught.value.error is PlanError.EDITED_EXCEED
    assert dict(parent.children.values_list("unit__code", "value")) == values
    # The parent changed: the shares not edited by hand take the difference.
    target_edit(actor=None, target=parent, value=70)
    assert dict(parent.children.values_list("unit__code", "value")) == {"899": 10, "900": 50, "902": 10}


@pytest.mark.parametrize(
    ("segment", "value", "error"),
    [
        ("enterprise", 401, PlanError.ABOVE_BASELINE),
        ("police", 101, PlanError.PERCENT_OVER),
        ("police", -1, PlanError.VALUE_INVALID),
    ],
)
def test_a_bad_value_is_refused(segment: str, value: int, error: PlanError) -> None:
    plan = plan_load(actor=None, text=GOOD)
    target = plan.targets.get(segment=segment, parent=None)
    with pytest.raises(DomainError) as caught:
        target_edit(actor=None, target=target, value=value)
    assert caught.value.error is error
    assert not AuditEvent.objects.filter(action=CampaignAction.TARGET_EDITED).exists()


def test_allocation_to_districts_by_baseline_and_refusal_of_a_unit_outside() -> None:
    plan = plan_load(actor=None, text=GOOD)
    police = plan.targets.get(segment="enterprise", parent=None)
    district = unit("911", Level.DISTRICT, Scheme.LEGACY)  # Phú Quốc
    shares = target_allocate(
        actor=None, target=police, baselines={district: 300, unit("899", Level.DISTRICT, Scheme.LEGACY): 100}
    )
    assert {s.unit.code: s.value for s in shares} == {"899": 25, "911": 75}
    assert police.children.count() == 2  # 900 and 902 were not named again: removed
    with pytest.raises(DomainError) as caught:
        target_allocate(actor=None, target=police, baselines={unit("001", Level.DISTRICT, Scheme.LEGACY): 1})
    assert caught.value.error is PlanError.UNIT_OUTSIDE


def test_phases_cannot_overlap_or_run_backwards() -> None:
    plan = plan_load(actor=None, text=GOOD)
    first, second = plan.phases.order_by("number")
    with pytest.raises(DomainError) as caught:
        phase_edit(actor=None, phase=second, starts_on=date(2025, 1, 15))
    assert caught.value.error is PlanError.PHASE_OVERLAP
    with pytest.raises(DomainError) as caught:
        phase_edit(actor=None, phase=second, ends_on=date(2025, 1, 1))
    assert caught.value.error is PlanError.PHASE_BACKWARDS
    with pytest.raises(DomainError) as caught:  # the police target falls due on 30/12/2024
        phase_edit(actor=None, phase=first, starts_on=date(2025, 1, 2))
    assert caught.value.error is PlanError.DUE_OUTSIDE_PHASE
    edited = phase_edit(actor=None, phase=second, name="Giai đoạn nhân rộng", ends_on=date(2025, 7, 31))
    assert (edited.name, edited.ends_on) == ("Giai đoạn nhân rộng", date(2025, 7, 31))
    assert audited(CampaignAction.PHASE_EDITED)[0]["name"] == "Giai đoạn 2"


def test_tasks_are_edited_and_updated_with_evidence() -> None:
    manager = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE))
    plan = plan_load(actor=manager, text=GOOD)
    task = plan.tasks.get(number="2")
    task_edit(actor=manager, task=task, deadline=None, coordinating_units=["Cục Thuế tỉnh"])
    task.refresh_from_db()
    assert (task.regular, task.deadline, task.coordinating_units) == (True, None, ["Cục Thuế tỉnh"])
    update = task_update(
        actor=manager, task=task, status=TaskStatus.DONE, note="  Đã   xong ", evidence="12/BC-CA"
    )
    assert (update.note, update.by_id, Task.objects.get(pk=task.pk).status) == ("Đã xong", manager.pk, "done")
    for status, note in (("finished", "x"), (TaskStatus.DONE, "   ")):
        with pytest.raises(DomainError):
            task_update(actor=manager, task=task, status=status, note=note)
    assert task.updates.count() == 1
    outsider = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), personal_id="001090000777")
    with pytest.raises(DomainError):
        task_update(actor=outsider, task=task, status=TaskStatus.DONE, note="x")


def test_the_command_loads_shows_and_prints_every_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "plan.yaml"
    good.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("plan", "load", str(good), stdout=out)
    assert out.getvalue().startswith("OK: thu-nghiem")
    out = io.StringIO()
    call_command("plan", "show", "thu-nghiem", stdout=out)
    assert "2816" not in out.getvalue()
    assert "enterprise @ 91 Tỉnh Kiên Giang: 100/400" in out.getvalue()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        GOOD.replace("slug: thu-nghiem", "slug: khac").replace(
            "metric: accounts_issued", "metric: acounts_issued"
        ),
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="2"):
        call_command("plan", "load", str(bad), stderr=err)
    assert [line.split(":")[0] for line in err.getvalue().splitlines()] == [
        "dòng 12 / line 12",
        "dòng 14 / line 14",
    ]
    assert Plan.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("plan", "load", str(good))  # the same slug again
    with pytest.raises(CommandError):
        call_command("plan", "load", str(tmp_path / "missing.yaml"))
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Kế hoạch".encode("utf-16"))
    with pytest.raises(CommandError):
        call_command("plan", "load", str(latin))
    with pytest.raises(CommandError):
        call_command("plan", "show", "khong-co")


# --- editing: nothing changed writes nothing; closed is final; every share at once ------------------


def test_task_edit_with_nothing_changed_neither_touches_the_row_nor_audits() -> None:
    plan = plan_load(actor=None, text=GOOD)
    task = plan.tasks.get(number="2")
    same: dict[str, Any] = {
        "title": task.title,
        "lead_unit": f"  {task.lead_unit} ",  # the same once normalized
        "coordinating_units": list(task.coordinating_units),
        "deadline": task.deadline,
        "timing": task.timing,
    }
    with CaptureQueriesContext(connection) as queries:
        task_edit(actor=None, task=task, **same)
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert not AuditEvent.objects.filter(action=CampaignAction.TASK_EDITED).exists()
    task_edit(actor=None, task=task, **{**same, "timing": "Trong tháng 6/2025"})
    before, after = audited(CampaignAction.TASK_EDITED)
    assert (before, after) == ({"timing": "Trước 30/5/2025"}, {"timing": "Trong tháng 6/2025"})


def test_the_plan_s_status_moves_forward_only_and_closed_is_final() -> None:
    plan = plan_load(actor=None, text=GOOD)
    assert plan_status_set(actor=None, plan=plan, status="draft").status == "draft"  # no change, no event
    assert not AuditEvent.objects.filter(action=CampaignAction.PLAN_STATUS_SET).exists()
    with pytest.raises(DomainError) as caught:
        plan_status_set(actor=None, plan=plan, status="archived")
    assert caught.value.error is CoreError.INVALID_INPUT
    plan_status_set(actor=None, plan=plan, status=PlanStatus.ACTIVE)
    with pytest.raises(DomainError) as caught:
        plan_status_set(actor=None, plan=plan, status=PlanStatus.DRAFT)
    assert caught.value.error is PlanError.STATUS_TRANSITION
    assert "Đang triển khai" in caught.value.message("vi")
    plan_status_set(actor=None, plan=plan, status=PlanStatus.CLOSED)
    with pytest.raises(DomainError) as caught:
        plan_status_set(actor=None, plan=plan, status=PlanStatus.ACTIVE)
    assert caught.value.error is PlanError.PLAN_CLOSED
    assert [(e.before, e.after) for e in AuditEvent.objects.filter(action=CampaignAction.PLAN_STATUS_SET)] == [
        ({"status": "draft"}, {"status": "active"}),
        ({"status": "active"}, {"status": "closed"}),
    ]


def test_a_closed_plan_refuses_every_write() -> None:
    plan = plan_load(actor=None, text=GOOD)
    plan_status_set(actor=None, plan=plan, status=PlanStatus.CLOSED)
    parent, task = enterprises(plan), plan.tasks.get(number="2")
    first = plan.phases.get(number=1)
    writes: list[Callable[[], object]] = [
        lambda: target_edit(actor=None, target=parent, value=90),
        lambda: target_respread(actor=None, target=parent),
        lambda: target_shares_set(
            actor=None, target=parent, values={s.pk: s.value for s in parent.children.all()}
        ),
        lambda: target_allocate(
            actor=None, target=parent, baselines={unit("899", Level.DISTRICT, Scheme.LEGACY): 1}
        ),
        lambda: phase_edit(actor=None, phase=first, name="Sau khi đóng"),
        lambda: task_edit(actor=None, task=task, title="Sau khi đóng"),
        lambda: task_update(actor=None, task=task, status=TaskStatus.DONE, note="Xong"),
        lambda: plan_load(actor=None, text=GOOD.replace("status: draft", ""), replace=True),
    ]
    events = AuditEvent.objects.count()
    for write in writes:
        with pytest.raises(DomainError) as caught:
            write()
        assert caught.value.error is PlanError.PLAN_CLOSED
    assert AuditEvent.objects.count() == events
    assert enterprises(plan).value == 100
    assert not task.updates.exists()


def test_every_share_at_once_must_be_the_target_s_own_fit_and_sum() -> None:
    plan = plan_load(actor=None, text=GOOD)
    parent = enterprises(plan)
    shares = {s.unit.code: s for s in parent.children.select_related("unit")}
    ids = {code: s.pk for code, s in shares.items()}
    other = plan_load(actor=None, text=GOOD.replace("slug: thu-nghiem", "slug: khac"))
    foreign = enterprises(other).children.first()
    assert foreign is not None
    cases: list[tuple[dict[int, Any], Any]] = [
        ({ids["899"]: 60, ids["900"]: 40}, PlanError.ALLOCATION_UNITS),  # one missing
        ({ids["899"]: 60, ids["900"]: 30, ids["902"]: 10, foreign.pk: 0}, PlanError.ALLOCATION_UNITS),
        ({ids["899"]: 60, ids["900"]: 30, ids["902"]: 11}, PlanError.ALLOCATION_TOTAL),
        ({ids["899"]: 201, ids["900"]: -1, ids["902"]: 10}, CoreError.FIELDS_INVALID),
        ({ids["899"]: True, ids["900"]: 30, ids["902"]: 70}, PlanError.VALUE_INVALID),
    ]
    for values, error in cases:
        with pytest.raises(DomainError) as caught:
            target_shares_set(actor=None, target=parent, values=values)
        assert caught.value.error is error
    assert not AuditEvent.objects.filter(action=CampaignAction.TARGET_ALLOCATED).exists()
    with pytest.raises(FieldErrors) as both:
        target_shares_set(actor=None, target=parent, values={ids["899"]: 201, ids["900"]: -1, ids["902"]: 10})
    assert {e.field for e in both.value.each()} == {f"share_{ids['899']}", f"share_{ids['900']}"}
    done = target_shares_set(actor=None, target=parent, values={ids["899"]: 55, ids["900"]: 35, ids["902"]: 10})
    assert {s.unit.code: (s.value, s.edited) for s in done} == {
        "899": (55, True),
        "900": (35, True),
        "902": (10, True),  # edited in the file already
    }
    police = plan.targets.get(segment="police", parent=None)
    with pytest.raises(DomainError) as caught:
        target_shares_set(actor=None, target=police, values={})
    assert caught.value.error is PlanError.ALLOCATION_NOT_ABSOLUTE


@pytest.mark.parametrize(
    ("value", "error"),
    [(10**12, PlanError.VALUE_TOO_LARGE), (True, PlanError.VALUE_INVALID), ("5", PlanError.VALUE_INVALID)],
)
def test_huge_or_not_whole_values_are_refused(value: Any, error: PlanError) -> None:
    plan = plan_load(actor=None, text=GOOD)
    with pytest.raises(DomainError) as caught:
        target_edit(actor=None, target=plan.targets.get(segment="police"), value=value)
    assert caught.value.error is error


def test_a_manager_of_one_commune_may_not_respread_the_province_s_shares() -> None:
    plan = plan_load(actor=None, text=GOOD)
    parent = enterprises(plan)
    share = parent.children.get(unit__code="899")
    commune = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("30292"), personal_id="001090000555")
    for write in (
        lambda: target_edit(actor=commune, target=share, value=50),
        lambda: target_respread(actor=commune, target=parent),
    ):
        with pytest.raises(DomainError) as caught:
            write()
        assert caught.value.error is CoreError.OUT_OF_JURISDICTION
    assert dict(parent.children.values_list("unit__code", "value")) == {"899": 60, "900": 30, "902": 10}


def test_an_update_sent_twice_is_refused_the_second_time() -> None:
    plan = plan_load(actor=None, text=GOOD)
    task = plan.tasks.get(number="2")
    first = task_update(actor=None, task=task, status=TaskStatus.IN_PROGRESS, note="Một", seen_last=0)
    with pytest.raises(DomainError) as caught:
        task_update(actor=None, task=task, status=TaskStatus.IN_PROGRESS, note="Một", seen_last=0)
    assert caught.value.error is PlanError.TASK_STALE
    task_update(actor=None, task=task, status=TaskStatus.DONE, note="Hai", seen_last=first.pk)
    assert task.updates.count() == 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=-5, max_value=260), min_size=3, max_size=3))
def test_an_allocation_set_by_hand_always_sums_or_changes_nothing(values: list[int]) -> None:
    plan = Plan.objects.filter(slug="thu-nghiem").first() or plan_load(actor=None, text=GOOD)
    parent = enterprises(plan)
    shares = list(parent.children.order_by("pk"))
    before = [(s.value, s.edited) for s in shares]
    try:
        target_shares_set(actor=None, target=parent, values={s.pk: v for s, v in zip(shares, values, strict=True)})
    except DomainError:
        assert [(s.value, s.edited) for s in parent.children.order_by("pk")] == before
    else:
        assert list(parent.children.order_by("pk").values_list("value", flat=True)) == values
    rows = list(parent.children.all())
    assert sum(r.value for r in rows) == parent.value
    assert all(r.baseline is None or r.value <= r.baseline for r in rows)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["plain", "dots", "spaces"]))
def test_a_number_typed_as_people_write_it_reads_back_the_same(value: int, style: str) -> None:
    grouped = f"{value:,}"
    typed = {"plain": str(value), "dots": grouped.replace(",", "."), "spaces": grouped.replace(",", " ")}[style]
    field = WholeNumberField()
    assert field.clean(typed) == value
    with pytest.raises(ValidationError):
        field.clean(f"{typed},5")
