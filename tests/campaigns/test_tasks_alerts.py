"""Overdue alerts for plan tasks (issue 14.8): one per task and deadline, to whoever may update it,
through the outbox, audited; a moved deadline is alerted anew; two runs send once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.models.plans import Plan, PlanStatus, Task, TaskAlert, TaskStatus
from dinhdanh.campaigns.plan_services import plan_load, task_edit, task_update
from dinhdanh.campaigns.task_alerts import claim, recipients, task_alerts_due
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import Level
from dinhdanh.notifications.models import Message
from dinhdanh.notifications.rendering import render
from dinhdanh.people.models import User
from dinhdanh.registries.permissions import RegistryRole
from tests.campaigns.test_plan_format import GOOD
from tests.conftest import make_officer, unit

pytestmark = pytest.mark.django_db
# 02/06/2025 09:00 in Hà Nội: task 2 (due 30/05/2025) is overdue.
NOW = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def plan() -> Plan:
    plan = plan_load(actor=None, text=GOOD)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.ACTIVE)
    return plan


def reachable(person: User) -> User:
    person.email, person.phone = f"u{person.pk}@example.vn", f"09{person.pk:08d}"
    person.save(update_fields=["email", "phone"])
    return person


@pytest.fixture
def manager() -> User:
    return reachable(make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE)))


def test_an_overdue_task_is_alerted_once_to_whoever_may_update_it(plan: Plan, manager: User) -> None:
    elsewhere = reachable(make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), "Cán bộ Hà Nội"))
    assert recipients(plan) == [manager]
    assert task_alerts_due(NOW) == {"alerted": 1, "messages": 2, "unaddressed": 0}
    sent = Message.objects.filter(template="campaign_task_overdue")
    assert {m.channel for m in sent} == {"sms", "email"}
    assert {m.user_id for m in sent} == {manager.pk}
    assert not sent.filter(user=elsewhere).exists()
    (sms,) = sent.filter(channel="sms")
    assert sms.params == {"plan": "1/KH-UBND", "task": "2. Danh sách", "deadline": "30/05/2025"}
    subject, body = render(sent.get(channel="email"))
    assert "1/KH-UBND" in subject
    assert "2. Danh sách" in body
    assert "30/05/2025" in body
    assert "30/05/2025" in render(sms)[1]
    event = AuditEvent.objects.get(action=CampaignAction.TASK_ALERTED)
    assert (event.after or {})["recipients"] == [manager.pk]
    # Again, later: nothing more for the same deadline.
    assert task_alerts_due(datetime(2025, 6, 9, tzinfo=UTC)) == {"alerted": 0, "messages": 0, "unaddressed": 0}
    assert sent.count() == 2


def test_a_moved_deadline_is_alerted_anew_when_it_passes(plan: Plan, manager: User) -> None:
    task = plan.tasks.get(number="2")
    task_alerts_due(NOW)
    task_edit(actor=manager, task=task, deadline=date(2025, 6, 15))
    assert task_alerts_due(datetime(2025, 6, 15, 10, tzinfo=UTC))["alerted"] == 0  # due today, not yet late
    assert task_alerts_due(datetime(2025, 6, 15, 17, 30, tzinfo=UTC))["alerted"] == 1  # 00:30 on the 16th
    assert list(TaskAlert.objects.filter(task=task).order_by("deadline").values_list("deadline", flat=True)) == [
        date(2025, 5, 30),
        date(2025, 6, 15),
    ]
    # Moved back to a deadline already alerted: never twice for the same.
    task_edit(actor=manager, task=task, deadline=date(2025, 5, 30))
    assert task_alerts_due(datetime(2025, 7, 1, tzinfo=UTC))["alerted"] == 0


@pytest.mark.parametrize("case", ["done", "cancelled", "regular", "draft", "closed", "in_progress"])
def test_only_open_dated_tasks_of_active_plans_are_alerted(plan: Plan, manager: User, case: str) -> None:
    task = plan.tasks.get(number="2")
    if case in ("done", "cancelled", "in_progress"):
        task_update(actor=manager, task=task, status=case, note="Cập nhật")
    elif case == "regular":
        task_edit(actor=manager, task=task, deadline=None)
    else:
        Plan.objects.filter(pk=plan.pk).update(status=case)
    expected = 1 if case == "in_progress" else 0
    assert task_alerts_due(NOW)["alerted"] == expected


def test_a_task_nobody_may_update_is_counted_and_marked(plan: Plan) -> None:
    assert task_alerts_due(NOW) == {"alerted": 1, "messages": 0, "unaddressed": 1}
    assert TaskAlert.objects.get().recipients == 0


def test_the_marker_is_taken_once_so_two_runs_send_once(plan: Plan, manager: User) -> None:
    task = plan.tasks.get(number="2")
    first = claim(task, NOW)
    assert first is not None
    assert claim(task, NOW) is None  # the second run finds the key taken
    # A run that found the marker already there sends nothing.
    assert task_alerts_due(NOW)["alerted"] == 0
    assert not Message.objects.filter(template="campaign_task_overdue").exists()


def test_hostile_text_in_a_task_is_sent_as_text_and_shortened(plan: Plan, manager: User) -> None:
    task = plan.tasks.get(number="2")
    Task.objects.filter(pk=task.pk).update(title="<b>Danh sách</b> " + "rất dài " * 40)
    task_alerts_due(NOW)
    sms = Message.objects.get(template="campaign_task_overdue", channel="sms")
    assert len(str(sms.params["task"])) <= 3 + 120
    text = render(sms)[1]
    assert "<b>Danh sách</b>" in text  # plain text, not HTML: nothing to escape, nothing interpreted
    assert len(text) < 320
    assert Task.objects.get(pk=task.pk).status == TaskStatus.PENDING
