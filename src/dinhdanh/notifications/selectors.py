"""Reads of the outbox. Callers check ``KernelPermission.ADMINISTER_SYSTEM`` before reading: recipients are
personal data, shown masked, and bodies are shown only in their redacted rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.template import TemplateDoesNotExist, TemplateSyntaxError

from dinhdanh.notifications.models import OPEN_STATUSES, Message, MessageStatus
from dinhdanh.notifications.recipients import masked
from dinhdanh.notifications.rendering import render

PREVIEW_LENGTH = 240


@dataclass(frozen=True)
class OutboxRow:
    pk: int
    channel: str
    recipient: str
    template: str
    language: str
    status: str
    status_label: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    preview: str
    retryable: bool


def _preview(message: Message) -> str:
    try:
        subject, body = render(message, redacted=True)
    except (TemplateDoesNotExist, TemplateSyntaxError):
        return ""
    text = " ".join(f"{subject} — {body}".split()) if subject else body
    return text if len(text) <= PREVIEW_LENGTH else f"{text[: PREVIEW_LENGTH - 1]}…"


def _row(message: Message) -> OutboxRow:
    return OutboxRow(
        pk=message.pk,
        channel=message.get_channel_display(),
        recipient=masked(message.channel, message.to),
        template=message.template,
        language=message.language,
        status=message.status,
        status_label=message.get_status_display(),
        attempts=message.attempts,
        next_attempt_at=message.next_attempt_at,
        last_error=message.last_error,
        created_at=message.created_at,
        sent_at=message.sent_at,
        preview=_preview(message),
        retryable=message.status in (MessageStatus.FAILED, MessageStatus.DEAD) and not message.secret_erased,
    )


def outbox(*, status: str = "", limit: int = 200) -> list[OutboxRow]:
    """The newest messages first, optionally of one status."""
    messages = Message.objects.order_by("-created_at", "-pk")
    if status:
        messages = messages.filter(status=status)
    return [_row(m) for m in messages[:limit]]


def status_counts() -> dict[str, int]:
    counts = dict.fromkeys(MessageStatus.values, 0)
    for row in Message.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def oldest_open_since() -> datetime | None:
    """When the oldest message still waiting to go out (pending or to be retried) was made."""
    oldest = (
        Message.objects.filter(status__in=OPEN_STATUSES)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    return oldest.first()
