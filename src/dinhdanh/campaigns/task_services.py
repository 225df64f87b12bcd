"""A plan's tasks (issue 14.8): editing a task's wording, units and deadline (``manage_plan``), recording
its progress with evidence (``update_task``), and reading that evidence back (``view_plan``).

Evidence is a reference ("12/BC-CA") and/or a file: PDF, JPEG or PNG judged from its bytes, at most
``DOCUMENT_MAX_BYTES``, sealed outside the web root (``core.sealed``) with the SHA-256 of its plain
bytes, which every read checks. A closed plan takes neither edits nor updates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dinhdanh.applications import documents
from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.models.plans import Plan, Task, TaskStatus, TaskUpdate
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_access import open_plan_locked, require_over
from dinhdanh.core import audit
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.sealed import delete_file, store_file
from dinhdanh.core.text import clean, clean_optional

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = [
    "MAX_COORDINATING",
    "EvidenceFile",
    "evidence_limit",
    "latest_update",
    "task_edit",
    "task_evidence",
    "task_update",
]

STORE_KIND = "campaigns"
MAX_COORDINATING = 50  # Huế's longest list has 9
_UNSET: Any = object()


@dataclass(frozen=True)
class EvidenceFile:
    data: bytes
    name: str


def evidence_limit() -> int:
    """The largest evidence file, in bytes: the documents' limit (``DOCUMENT_MAX_BYTES``)."""
    return int(settings.DOCUMENT_MAX_BYTES)


def _scope(task: Task) -> Plan:
    return Plan.objects.select_related("scope_unit").get(pk=task.plan_id)


def task_edit(
    *,
    actor: User | None,
    task: Task,
    title: str | None = None,
    lead_unit: str | None = None,
    coordinating_units: Sequence[str] | None = None,
    deadline: date | None = _UNSET,
    timing: str | None = None,
) -> Task:
    """Edit a task's wording, units or deadline (``deadline=None``: a regular task). Only what differs
    from the stored task is written and audited; when nothing differs, neither the row nor the audit
    log is touched."""
    plan = _scope(task)
    require_over(actor, CampaignPermission.MANAGE_PLAN, plan.scope_unit)
    given: dict[str, Any] = {}
    if title is not None:
        given["title"] = clean(title, field="title", max_length=4000)
    if lead_unit is not None:
        given["lead_unit"] = clean(lead_unit, field="lead_unit", max_length=300)
    if coordinating_units is not None:
        if isinstance(coordinating_units, str) or len(coordinating_units) > MAX_COORDINATING:
            raise DomainError(CoreError.INVALID_INPUT, field="coordinating_units")
        given["coordinating_units"] = [
            clean(u, field="coordinating_units", max_length=300) for u in coordinating_units
        ]
    if deadline is not _UNSET:
        if deadline is not None and not isinstance(deadline, date):
            raise DomainError(CoreError.INVALID_INPUT, field="deadline")
        given["deadline"], given["regular"] = deadline, deadline is None
    if timing is not None:
        given["timing"] = clean_optional(timing, field="timing", max_length=300)
    with transaction.atomic():
        open_plan_locked(plan.pk)
        row = Task.objects.select_for_update().get(pk=task.pk)
        changes = {name: value for name, value in given.items() if getattr(row, name) != value}
        if not changes:
            return row
        before = {name: getattr(row, name) for name in changes}
        for name, value in changes.items():
            setattr(row, name, value)
        row.save(update_fields=list(changes))
        audit.record(
            CampaignAction.TASK_EDITED, actor=actor, obj=row, unit=plan.scope_unit, before=before, after=changes
        )
    return row


def latest_update(task: Task) -> int:
    """The id of the task's latest update, 0 when it has none: what an update form carries."""
    return task.updates.order_by("-at", "-pk").values_list("pk", flat=True).first() or 0


def _check_seen(task: Task, seen_last: int | None) -> None:
    if seen_last is not None and latest_update(task) != seen_last:
        raise DomainError(PlanError.TASK_STALE)


def task_update(
    *,
    actor: User | None,
    task: Task,
    status: str,
    note: str,
    evidence: str = "",
    file: EvidenceFile | None = None,
    seen_last: int | None = None,
) -> TaskUpdate:
    """Record a task's progress (a note, evidence) and its new status. ``seen_last`` is the latest
    update the person saw (0: none); when another came since — the same form sent twice — the update
    is refused (``campaigns.task.stale``) rather than recorded twice."""
    plan = _scope(task)
    require_over(actor, CampaignPermission.UPDATE_TASK, plan.scope_unit)
    if status not in TaskStatus.values:
        raise DomainError(CoreError.INVALID_INPUT, field="status")
    text = clean_optional(note, field="note", max_length=4000)
    if not text:
        raise DomainError(PlanError.TASK_UPDATE_EMPTY, field="note")
    reference = clean_optional(evidence, field="evidence", max_length=300)
    checked = documents.inspect(file.data, file.name) if file is not None else None
    stored = ""
    try:
        with transaction.atomic():
            open_plan_locked(plan.pk)
            row = Task.objects.select_for_update().get(pk=task.pk)
            _check_seen(row, seen_last)
            if file is not None and checked is not None:
                stored = store_file(STORE_KIND, file.data)
            update = TaskUpdate.objects.create(
                task=row,
                status=status,
                note=text,
                evidence=reference,
                evidence_file=stored,
                evidence_name=checked.file_name if checked else "",
                evidence_type=checked.content_type if checked else "",
                evidence_size=checked.size if checked else None,
                evidence_sha256=checked.sha256 if checked else "",
                by=actor,
                at=timezone.now(),
            )
            before = {"status": row.status}
            row.status = status
            row.save(update_fields=["status"])
            audit.record(
                CampaignAction.TASK_UPDATED,
                actor=actor,
                obj=row,
                unit=plan.scope_unit,
                before=before,
                after={
                    "status": status,
                    "update": update.pk,
                    "evidence": reference,
                    "file": {"sha256": checked.sha256, "size": checked.size, "type": checked.content_type}
                    if checked
                    else None,
                },
            )
    except BaseException:
        if stored:
            delete_file(stored)  # the row that named it was rolled back
        raise
    return update


def task_evidence(*, actor: User, task: Task, update_id: int) -> tuple[TaskUpdate, bytes]:
    """An update's evidence file, for whoever may read the plan; refused if it changed on disk."""
    plan = _scope(task)
    require_over(actor, CampaignPermission.VIEW_PLAN, plan.scope_unit)
    update = TaskUpdate.objects.filter(pk=update_id, task_id=task.pk).exclude(evidence_file="").first()
    if update is None:
        raise DomainError(PlanError.EVIDENCE_NOT_FOUND)
    data = documents.load(update.evidence_file, sha256=update.evidence_sha256, name=update.evidence_name)
    return update, data
