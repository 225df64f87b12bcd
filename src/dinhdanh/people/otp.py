"""One-time codes sent by SMS (phone confirmation). Stored as keyed digests; limited in tries,
lifetime and sending rate, so neither guessing nor SMS flooding pays."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from dinhdanh.core.errors import DomainError
from dinhdanh.core.keys import blind_index
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import OneTimeCode


def _digest(subject: str, code: str) -> str:
    return blind_index("one-time-code", f"{subject}:{code}")


def otp_issue(*, purpose: str, subject: str) -> str:
    """A new 6-digit code for ``subject``; earlier codes stop working. Refuses too-frequent sends."""
    now = timezone.now()
    recent = OneTimeCode.objects.filter(purpose=purpose, subject=subject, created_at__gt=now - timedelta(hours=1))
    last = recent.order_by("-created_at").first()
    if last is not None:
        wait = settings.OTP_RESEND_SECONDS - (now - last.created_at).total_seconds()
        if wait > 0:
            raise DomainError(PeopleError.OTP_TOO_SOON, seconds=int(wait) + 1)
    if recent.count() >= settings.OTP_MAX_PER_HOUR:
        raise DomainError(PeopleError.OTP_TOO_MANY)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        OneTimeCode.objects.filter(purpose=purpose, subject=subject, consumed_at__isnull=True).update(
            consumed_at=now
        )
        OneTimeCode.objects.create(
            purpose=purpose,
            subject=subject,
            digest=_digest(subject, code),
            expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
    return code


@sensitive_variables("code")
def otp_check(*, purpose: str, subject: str, code: str, consume: bool = True) -> None:
    """Consume the code or raise. A wrong code uses up one try; the attempt count survives the error.
    With ``consume=False`` a right code stays usable: check it first, then other input, then consume."""
    now = timezone.now()
    row = (
        OneTimeCode.objects.filter(purpose=purpose, subject=subject, consumed_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if row is None or row.expires_at <= now or row.attempts >= settings.OTP_MAX_ATTEMPTS:
        raise DomainError(PeopleError.OTP_EXPIRED, field="code")
    code = "".join(ch for ch in str(code) if not ch.isspace())[:12]
    # The try is taken before comparing, by one conditional UPDATE: parallel guesses cannot all read
    # the same count and get more tries than OTP_MAX_ATTEMPTS between them.
    took = OneTimeCode.objects.filter(
        pk=row.pk, consumed_at__isnull=True, attempts__lt=settings.OTP_MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not took:
        raise DomainError(PeopleError.OTP_EXPIRED, field="code")
    if not hmac.compare_digest(row.digest, _digest(subject, code)):
        raise DomainError(PeopleError.OTP_INVALID, field="code")
    # Only wrong codes count: a right one gives its try back (else checking first and consuming after
    # would spend two tries, and the last try could never succeed).
    OneTimeCode.objects.filter(pk=row.pk).update(attempts=F("attempts") - 1)
    if not consume:
        return
    taken = OneTimeCode.objects.filter(pk=row.pk, consumed_at__isnull=True).update(consumed_at=now)
    if not taken:
        raise DomainError(PeopleError.OTP_EXPIRED, field="code")
