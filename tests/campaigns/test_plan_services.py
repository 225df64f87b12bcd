"""Loading and editing plans (issue 14.1-14.3, 14.8): access, jurisdiction, audit, replace, allocation."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.models.plans import Plan, Target, Task, TaskStatus
from dinhdanh.campaigns.plan_services import (
    phase_edit,
    plan_load,
    target_allocate,
    target_edit,
    task_edit,
    task_update,
)
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
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
