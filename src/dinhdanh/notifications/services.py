"""Writes to the outbox: queue a message, deliver it, retry it.

:func:`notify` stores the message in the caller's transaction and hands it to the task queue only
once that transaction commits, so a business action that rolls back sends nothing, and one that
commits always leaves a stored message even if the task queue is down (``outbox_deliver`` finds it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import KernelPermission, require
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.notifications import recipients
from dinhdanh.notifications.audit_actions import NotificationAction
from dinhdanh.notifications.backends import PermanentDeliveryError, sms_backend
from dinhdanh.notifications.catalogue import TEMPLATES, template_for
from dinhdanh.notifications.errors import NotificationError
from dinhdanh.notifications.models import OPEN_STATUSES, REDACTED, Channel, Message, MessageStatus
from dinhdanh.notifications.rendering import render

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["deliver", "deliver_due", "notify", "notify_user", "render", "retry"]

logger = logging.getLogger(__name__)

# Longer than any send may take (EMAIL_TIMEOUT is 10 s): a claim that runs out means the sender died.
CLAIM = timedelta(minutes=10)
# Back-off stops growing here, whatever NOTIFY_MAX_ATTEMPTS says.
MAX_DELAY = timedelta(days=1)
# Retrying cannot fix these: the message is given up at the first one.
PERMANENT_ERRORS = (PermanentDeliveryError, TemplateDoesNotExist, TemplateSyntaxError)


def _language(language: str) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE


def _params(template: str, params: Mapping[str, str | int] | None, required: frozenset[str]) -> dict[str, Any]:
    given = dict(params or {})
    if missing := required - given.keys():
        raise ValueError(f"notification template {template!r} needs params {sorted(missing)}")
    if extra := given.keys() - required:
        raise ValueError(f"notification template {template!r} takes no params {sorted(extra)}")
    clean: dict[str, Any] = {}
    for name, value in given.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TypeError(f"notification param {name!r} must be a string or an integer")
        clean[name] = recipients.storable(value) if isinstance(value, str) else value
    return clean


def _redacted(params: Mapping[str, Any], sensitive: Iterable[str]) -> dict[str, Any]:
    erased = set(sensitive)
    return {name: REDACTED if name in erased else value for name, value in params.items()}


def _enqueue(message_id: int) -> None:
    from dinhdanh.notifications.tasks import deliver_message  # noqa: PLC0415  (tasks calls back into this module)

    deliver_message.enqueue(message_id)


def notify(
    *,
    channel: Channel | str,
    to: str,
    template: str,
    params: Mapping[str, str | int] | None = None,
    language: str = "vi",
    user: User | None = None,
    sensitive: Iterable[str] = (),
) -> Message | None:
    """Store one message and send it once the surrounding transaction commits.

    Returns ``None`` when there is no recipient. An unknown template, a missing or unexpected param or
    an unknown ``sensitive`` name is a programming error (``ValueError``; a param that is neither a
    string nor an integer, ``TypeError``). A recipient that cannot be
    sent to (an e-mail address with a line break, say) does not fail the caller's action: the message is
    stored as given up, with the reason, for an administrator to see.
    """
    channel = Channel(channel)
    spec = template_for(template, channel)
    values = _params(template, params, spec.params)
    erased = set(sensitive)
    if unknown := erased - values.keys():
        raise ValueError(f"sensitive names {sorted(unknown)} are not params of {template!r}")
    erased |= spec.sensitive
    to = recipients.normalized(channel, to)
    if not to:
        return None
    message = Message(
        channel=channel,
        to=to,
        template=template,
        language=_language(language),
        params=values,
        sensitive=sorted(erased),
        user=user,
        next_attempt_at=timezone.now(),
    )
    try:
        recipients.check(channel, to)
    except recipients.InvalidRecipientError as exc:
        message.to = recipients.storable(to)[: recipients.MAX_LENGTH]
        message.status = MessageStatus.DEAD
        message.next_attempt_at = None
        message.params = _redacted(values, erased)
        message.last_error = recipients.describe(exc, secrets=[to])
        message.save(force_insert=True)
        logger.warning("notification %s refused: %s", message, message.last_error)
        return message
    message.save(force_insert=True)
    # robust: once the business transaction has committed, a task queue that is down must not turn it
    # into an error page; the message is stored and the retry loop will send it.
    transaction.on_commit(partial(_enqueue, message.pk), robust=True)
    return message


def notify_user(
    user: User,
    template: str,
    params: Mapping[str, str | int] | None = None,
    *,
    sensitive: Iterable[str] = (),
    channels: Sequence[Channel | str] = ("sms", "email"),
) -> list[Message]:
    """Notify a person on each channel they have an address for and the template has a version for."""
    wanted = [Channel(c) for c in channels]
    spec = TEMPLATES.get(template)
    if spec is None:
        raise ValueError(f"unknown notification template {template!r}")
    usable = [c for c in wanted if c in spec.channels]
    if not usable:
        raise ValueError(f"notification template {template!r} has none of the channels {channels!r}")
    erased = tuple(sensitive)
    addresses = {Channel.SMS: user.phone, Channel.EMAIL: user.email}
    sent = []
    for channel in usable:
        message = notify(
            channel=channel,
            to=addresses[channel] or "",
            template=template,
            params=params,
            language=user.preferred_language or "vi",
            user=user,
            sensitive=erased,
        )
        if message is not None:
            sent.append(message)
    return sent


def _due(now: datetime) -> Q:
    return Q(status__in=OPEN_STATUSES, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


def _send(message: Message) -> None:
    recipients.check(Channel(message.channel), message.to)
    subject, body = render(message)
    if message.channel == Channel.SMS:
        sms_backend().send(message.to, body)
        return
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        email.message()
    except ValueError as exc:
        # The mail library refuses what would inject headers; composing again will not change that.
        raise PermanentDeliveryError(f"the e-mail cannot be composed: {exc}") from exc
    if email.send(fail_silently=False) != 1:
        raise ConnectionError("the mail backend accepted no message")


def _close(message: Message, changes: dict[str, Any]) -> None:
    # Only an open message is closed: an administrator may have acted on it in the meantime.
    Message.objects.filter(pk=message.pk, status__in=OPEN_STATUSES).update(claimed_until=None, **changes)


def _give_up(message: Message, error: str) -> MessageStatus:
    _close(
        message,
        {
            "status": MessageStatus.DEAD,
            "next_attempt_at": None,
            "last_error": error,
            "params": _redacted(message.params, message.sensitive),
        },
    )
    logger.warning("notification %s given up after %d attempts: %s", message, message.attempts, error)
    return MessageStatus.DEAD


def _expired(message: Message, now: datetime) -> bool:
    spec = TEMPLATES.get(message.template)
    if spec is None or not spec.valid_minutes_param:
        return False
    minutes = message.params.get(spec.valid_minutes_param)
    return isinstance(minutes, int) and now > message.created_at + timedelta(minutes=minutes)


def _failed(message: Message, exc: Exception, now: datetime) -> MessageStatus:
    error = recipients.describe(
        exc, secrets=[message.to, *(str(message.params.get(n, "")) for n in message.sensitive)]
    )
    if isinstance(exc, PERMANENT_ERRORS) or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        return _give_up(message, error)
    delay = timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** min(message.attempts - 1, 30))
    _close(
        message,
        {"status": MessageStatus.FAILED, "next_attempt_at": now + min(delay, MAX_DELAY), "last_error": error},
    )
    logger.warning("notification %s attempt %d failed: %s", message, message.attempts, error)
    return MessageStatus.FAILED


def deliver(message_id: int, *, now: datetime | None = None) -> MessageStatus:
    """Send one message if it is due, and record the outcome. Returns the message's status.

    The claim is one conditional UPDATE, so of two concurrent calls only one sends, and a message
    already sent (or waiting out its back-off) is left alone. Sending happens outside any transaction:
    a slow mail server must not hold database locks.
    """
    now = now or timezone.now()
    claimed = Message.objects.filter(_due(now), pk=message_id).update(
        attempts=F("attempts") + 1, claimed_until=now + CLAIM
    )
    message = Message.objects.get(pk=message_id)
    if not claimed:
        return MessageStatus(message.status)
    if message.attempts > settings.NOTIFY_MAX_ATTEMPTS:
        # Only reachable when senders died mid-send, each time: stop rather than loop forever.
        return _give_up(message, "Interrupted: the sender stopped during every attempt")
    if _expired(message, now):
        return _give_up(message, "Expired: the code's validity ended before it could be sent")
    try:
        _send(message)
    except Exception as exc:  # every failure is recorded and retried; none may reach the task queue
        return _failed(message, exc, now)
    _close(
        message,
        {
            "status": MessageStatus.SENT,
            "sent_at": timezone.now(),
            "next_attempt_at": None,
            "last_error": "",
            "params": _redacted(message.params, message.sensitive),
        },
    )
    return MessageStatus.SENT


def deliver_due(*, now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send up to ``limit`` due messages, oldest due first; counts by outcome (``skipped``: another
    sender got there first)."""
    now = now or timezone.now()
    due = list(
        Message.objects.filter(_due(now)).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    )
    counts = {"due": len(due), "sent": 0, "failed": 0, "dead": 0, "skipped": 0}
    for message_id in due:
        status = deliver(message_id, now=now)
        counts[status.value if status != MessageStatus.PENDING else "skipped"] += 1
    return counts


def retry(*, actor: User, message_id: int) -> Message:
    """Put a failed or given-up message back in the queue with a fresh set of attempts."""
    require(actor, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            raise DomainError(CoreError.NOT_FOUND)
        if message.status not in (MessageStatus.FAILED, MessageStatus.DEAD):
            raise DomainError(NotificationError.NOT_RETRYABLE)
        if message.secret_erased:
            # Sending it again would deliver "•••" in place of the code.
            raise DomainError(NotificationError.SECRET_ERASED)
        before = {"status": message.status, "attempts": message.attempts, "last_error": message.last_error}
        message.status = MessageStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = timezone.now()
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit.record(
            NotificationAction.MESSAGE_RETRIED,
            actor=actor,
            obj=message,
            before=before,
            after={"status": message.status, "template": message.template, "channel": message.channel},
        )
        transaction.on_commit(partial(_enqueue, message.pk), robust=True)
    return message
