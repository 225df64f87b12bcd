"""Security notices to an account's holder that a stranger can trigger (failed sign-ins, someone
registering the holder's number): at most one of each kind per account in
``NOTICE_MIN_INTERVAL_SECONDS``, so nobody can flood a person's phone by trying their number."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from dinhdanh.notifications.models import Message
from dinhdanh.notifications.services import notify, notify_user
from dinhdanh.people.models import User


def notify_limited(user: User, template: str, params: dict[str, str | int] | None = None) -> bool:
    """Notify ``user`` unless they got this notice within the interval; says whether it was sent.

    Two parallel attempts may both send one: a rare second message costs less than a lock on the
    outbox table for every failed sign-in."""

    since = timezone.now() - timedelta(seconds=int(settings.NOTICE_MIN_INTERVAL_SECONDS))
    if Message.objects.filter(user=user, template=template, created_at__gt=since).exists():
        return False
    notify_user(user, template, params or {})
    return True


def text_code(phone: str, code: str, *, language: str, user: User | None = None) -> None:
    """Send a one-time code by SMS (``phone_otp``), the code marked sensitive so that the outbox
    redacts it once sent. Call inside the transaction that issued it."""
    notify(
        channel="sms",
        to=phone,
        template="phone_otp",
        params={"code": code, "minutes": max(1, settings.OTP_TTL_SECONDS // 60)},
        language=language,
        user=user,
        sensitive=("code",),
    )
