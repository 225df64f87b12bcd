"""Overdue alerts for plan tasks (issue 14.8), through the notification outbox.

A task of an active plan, still pending or in progress, whose deadline has passed (the day after it,
in Vietnam's time) gets one alert for that deadline, to everyone who may update it: holders of
``campaigns.update_task`` over the plan's scope (or over every unit that took its territory). Moving
the deadline makes a new one due when the new deadline passes; the same deadline is never alerted
twice. The marker is a ``TaskAlert`` row unique per task and deadline, written in the transaction that
queues the messages and audits them: two runs at once send once (the second waits on the key, then
finds it taken), and a run that fails leaves neither marker nor message.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.models.plans import Plan, PlanStatus, Task, TaskAlert
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_access import holds_over
from dinhdanh.campaigns.task_selectors import OPEN_TASK
from dinhdanh.core import audit
from dinhdanh.core.access import roles_with
from dinhdanh.core.selectors import staff_assignments
from dinhdanh.notifications.services import notify_user

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["TEMPLATE", "overdue_tasks", "task_alerts_due"]

TEMPLATE = "campaign_task_overdue"
_TITLE_CHARS = 120  # an SMS is short; the task's page has the whole text


def overdue_tasks(now: datetime) -> list[int]:
    """Ids of the open tasks of active plans past their deadline at ``now`` and not alerted for it."""
    today = timezone.localdate(now)
    return list(
        Task.objects.filter(
            plan__status=PlanStatus.ACTIVE, status__in=OPEN_TASK, regular=False, deadline__lt=today
        )
        .exclude(alerts__deadline=F("deadline"))
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )


def recipients(plan: Plan) -> list[User]:
    """Active people holding ``update_task`` over the plan's scope, each once, in a stable order."""
    held = roles_with(CampaignPermission.UPDATE_TASK)
    people: dict[int, User] = {}
    for assignment in staff_assignments().filter(role__in=held, user__is_active=True).order_by("user_id"):
        people.setdefault(assignment.user.pk, assignment.user)
    return [p for p in people.values() if holds_over(p, CampaignPermission.UPDATE_TASK, plan.scope_unit)]


def claim(task: Task, now: datetime) -> TaskAlert | None:
    """The marker for the task's current deadline, or ``None`` when another run holds it already."""
    assert task.deadline is not None  # noqa: S101  (regular tasks are never overdue)
    try:
        with transaction.atomic():
            return TaskAlert.objects.create(task=task, deadline=task.deadline, sent_at=now)
    except IntegrityError:
        return None


def task_alerts_due(now: datetime | None = None) -> dict[str, int]:
    """Send the overdue alerts due at ``now``: ``{"alerted": tasks, "messages": queued, "unaddressed":
    tasks nobody may update}``. Each task in its own transaction, so one failure holds back no other."""
    now = now or timezone.now()
    counts = {"alerted": 0, "messages": 0, "unaddressed": 0}
    people: dict[int, list[User]] = {}
    for pk in overdue_tasks(now):
        with transaction.atomic():
            task = Task.objects.select_for_update(of=("self",)).select_related("plan__scope_unit").get(pk=pk)
            # Checked again on the locked row: it may have been done, moved or closed meanwhile.
            if (
                task.plan.status != PlanStatus.ACTIVE
                or task.status not in OPEN_TASK
                or task.deadline is None
                or task.deadline >= timezone.localdate(now)
            ):
                continue
            marker = claim(task, now)
            if marker is None:
                continue
            if task.plan_id not in people:
                people[task.plan_id] = recipients(task.plan)
            params: dict[str, str | int] = {
                "plan": task.plan.reference,
                "task": f"{task.number}. {task.title[:_TITLE_CHARS]}",
                "deadline": task.deadline.strftime("%d/%m/%Y"),
            }
            sent = sum(len(notify_user(person, TEMPLATE, params)) for person in people[task.plan_id])
            marker.recipients = len(people[task.plan_id])
            marker.save(update_fields=["recipients"])
            audit.record(
                CampaignAction.TASK_ALERTED,
                actor=None,
                obj=task,
                unit=task.plan.scope_unit,
                after={
                    "deadline": task.deadline,
                    "recipients": [p.pk for p in people[task.plan_id]],
                    "messages": sent,
                },
            )
            counts["alerted"] += 1
            counts["messages"] += sent
            counts["unaddressed"] += not people[task.plan_id]
    return counts
