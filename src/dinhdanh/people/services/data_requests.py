"""People's requests about their own personal data (Law 91/2025/QH15, LEGAL §7; docs/personal-data.md).

A person files one (access, correction, withdrawal of consent, restriction, objection, erasure); a data
protection officer, who holds ``people.handle_data_request`` nationwide, acknowledges it within 2
working days, may extend it once (by the same period again, with a reason), and closes it as done or
refused with the answer. Every step is audited, in the same transaction as the change.

The periods [LEGAL §7; the length of the extension is our reading, see the docs]:
- acknowledge: 2 working days from receipt (``WorkCalendar.add_working_days``);
- answer: 15 days, or 20 when a processor takes part (``add_days``: the day of receipt not counted,
  a period ending on a day off ends on the next working day).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit
from dinhdanh.core.access import require
from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.personal_data import copy_of
from dinhdanh.core.text import clean, clean_optional
from dinhdanh.core.workdays import WorkCalendar
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import OPEN_STATES, DataRequest, DataRequestKind, DataRequestState, User
from dinhdanh.people.permissions import PeoplePermission

ACKNOWLEDGE_WORKING_DAYS = 2
ANSWER_DAYS = 15
ANSWER_DAYS_WITH_PROCESSOR = 20
DETAIL_MAX, REASON_MAX = 2000, 1000
_ACTS = {"acknowledge": _("xác nhận"), "extend": _("gia hạn"), "close": _("đóng")}


def answer_days(request: DataRequest) -> int:
    return ANSWER_DAYS_WITH_PROCESSOR if request.processor_involved else ANSWER_DAYS


def deadlines(
    received: datetime, *, processor_involved: bool, calendar: WorkCalendar
) -> tuple[datetime, datetime]:
    """(acknowledge by, answer by) for a request received at ``received``."""
    days = ANSWER_DAYS_WITH_PROCESSOR if processor_involved else ANSWER_DAYS
    return calendar.add_working_days(received, ACKNOWLEDGE_WORKING_DAYS), calendar.add_days(received, days)


def kind_named(value: object) -> DataRequestKind:
    if not isinstance(value, str) or value not in DataRequestKind.values:
        raise DomainError(CoreError.INVALID_INPUT, field="kind")
    return DataRequestKind(value)


def file_request(
    *, user: User, kind: object, detail: object = "", processor_involved: bool = False
) -> DataRequest:
    """The person's own request; a second open one of the same kind is refused, naming the first."""
    chosen = kind_named(kind)
    text = clean_optional(str(detail or ""), field="detail", max_length=DETAIL_MAX)
    if chosen is DataRequestKind.CORRECTION and not text:
        # What to correct cannot be guessed: the officer would only have to ask.
        raise DomainError(CoreError.EMPTY_VALUE, field="detail")
    now = timezone.now()
    acknowledge_by, due = deadlines(now, processor_involved=bool(processor_involved), calendar=current_calendar())
    row = DataRequest(
        user=user, kind=chosen, detail=text, processor_involved=bool(processor_involved), received_at=now,
        acknowledge_by=acknowledge_by, due_at=due,
    )  # fmt: skip
    try:
        with transaction.atomic():
            row.save()
            audit.record(
                PeopleAction.DATA_REQUEST_FILED,
                actor=user,
                obj=row,
                after={"kind": chosen, "due": row.due_at.isoformat()},
            )
    except IntegrityError as exc:  # the partial unique constraint: one open request of a kind
        first = DataRequest.objects.filter(user=user, kind=chosen, state__in=OPEN_STATES).first()
        raise DomainError(PeopleError.DATA_REQUEST_OPEN, number=first.pk if first else "?") from exc
    return row


def _may_handle(actor: User) -> None:
    """Outside the step's transaction, so that a refusal's audit event is not rolled back with it."""
    require(actor, PeoplePermission.HANDLE_DATA_REQUEST)  # nationwide only: a request has no territory
    require_fresh_factor()  # an answer changes what happens to someone's data: a fresh second factor


def _locked_open(pk: int, action: str) -> DataRequest:
    row = DataRequest.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise DomainError(CoreError.NOT_FOUND)
    if row.state not in OPEN_STATES:
        raise DomainError(
            PeopleError.DATA_REQUEST_STATE,
            number=row.pk,
            state=DataRequestState(row.state).label,
            action=_ACTS[action],
        )
    return row


def acknowledge(*, actor: User, pk: int) -> DataRequest:
    _may_handle(actor)
    with transaction.atomic():
        row = _locked_open(pk, action="acknowledge")
        if row.state == DataRequestState.ACKNOWLEDGED:
            return row  # a second click: already done, nothing to record
        row.state, row.acknowledged_at, row.handled_by = DataRequestState.ACKNOWLEDGED, timezone.now(), actor
        row.save(update_fields=["state", "acknowledged_at", "handled_by"])
        audit.record(PeopleAction.DATA_REQUEST_ACKNOWLEDGED, actor=actor, obj=row, after={"late": _late(row)})
    return row


def extend(*, actor: User, pk: int, reason: object) -> DataRequest:
    _may_handle(actor)
    text = clean(str(reason or ""), field="reason", max_length=REASON_MAX)
    with transaction.atomic():
        row = _locked_open(pk, action="extend")
        if row.extended_at is not None:
            raise DomainError(PeopleError.DATA_REQUEST_EXTENDED, number=row.pk)
        now = timezone.now()
        before = row.due_at
        row.due_at = current_calendar().add_days(before, answer_days(row))
        row.extended_at, row.extension_reason, row.handled_by = now, text, actor
        if row.state == DataRequestState.RECEIVED:  # extending answers the acknowledgement too
            row.state, row.acknowledged_at = DataRequestState.ACKNOWLEDGED, now
        row.save(
            update_fields=["due_at", "extended_at", "extension_reason", "handled_by", "state", "acknowledged_at"]
        )
        audit.record(
            PeopleAction.DATA_REQUEST_EXTENDED, actor=actor, obj=row,
            before={"due": before.isoformat()}, after={"due": row.due_at.isoformat(), "reason": text},
        )  # fmt: skip
    return row


def close(*, actor: User, pk: int, done: bool, outcome: object) -> DataRequest:
    """Done or refused, with the answer the person reads (a refusal says which law keeps the data)."""
    _may_handle(actor)
    text = clean(str(outcome or ""), field="outcome", max_length=DETAIL_MAX)
    with transaction.atomic():
        row = _locked_open(pk, action="close")
        now = timezone.now()
        row.state = DataRequestState.DONE if done else DataRequestState.REFUSED
        row.closed_at, row.outcome, row.handled_by = now, text, actor
        row.acknowledged_at = row.acknowledged_at or now
        row.save(update_fields=["state", "closed_at", "outcome", "handled_by", "acknowledged_at"])
        audit.record(
            PeopleAction.DATA_REQUEST_CLOSED, actor=actor, obj=row,
            after={"state": row.state, "late": now > row.due_at},
        )  # fmt: skip
    return row


def copy_for(user: User) -> dict[str, Any]:
    """The person's own copy of what every app holds about them (``core.personal_data``), at once: the
    right of access needs no officer. A fresh second factor first (a borrowed session must not carry a
    whole life away), and the read is audited."""
    require_fresh_factor()
    copy = copy_of(user)
    audit.record(
        PeopleAction.DATA_COPIED, actor=user, obj=user, after={"sections": sorted(copy["sections"])}, read=True
    )
    return copy


def _late(row: DataRequest) -> bool:
    return bool(row.acknowledged_at and row.acknowledged_at > row.acknowledge_by)
