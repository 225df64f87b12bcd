"""Authenticator apps (TOTP, RFC 6238, via pyotp) and single-use recovery codes.

A code is accepted once: the device remembers the last time step used, and the update that consumes
a step is conditional, so two concurrent requests with the same code cannot both pass.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError
from dinhdanh.core.keys import blind_index
from dinhdanh.core.sealed import seal_text, unseal_text
from dinhdanh.notifications.services import notify_user
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import Passkey, RecoveryCode, TotpDevice, User

_PURPOSE = "totp-secret"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed by hand
_DRIFT_STEPS = 1  # accept the previous and next 30-second window: phones' clocks drift


def _secret(device: TotpDevice) -> str:
    return unseal_text(bytes(device.secret_sealed), purpose=_PURPOSE)


def has_totp(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


# How long an enrolment under way keeps its secret across reloads of the page: a phone that scanned
# the QR code then sees the same secret after a reload, a language switch or a wrong first code.
PENDING_FOR = timedelta(minutes=30)


def totp_begin(*, user: User, fresh: bool = False) -> tuple[str, str]:
    """Start enrolment, or go on with the one under way (begun within ``PENDING_FOR``, unless ``fresh``):
    its secret, with its otpauth:// URI for the QR code."""
    if has_totp(user):
        raise DomainError(PeopleError.TOTP_ALREADY)
    if Passkey.objects.filter(user=user).exists():
        require_fresh_factor()  # the first factor follows a password sign-in; another is a sensitive change
    pending = TotpDevice.objects.filter(
        user=user, confirmed_at__isnull=True, created_at__gte=timezone.now() - PENDING_FOR
    ).first()
    if pending is not None and not fresh:
        secret = _secret(pending)
        return secret, _uri(user, secret)
    secret = pyotp.random_base32()
    with transaction.atomic():
        TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).delete()
        TotpDevice.objects.create(user=user, secret_sealed=seal_text(secret, purpose=_PURPOSE))
    return secret, _uri(user, secret)


def _uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.personal_id_masked, issuer_name=settings.TOTP_ISSUER)


def totp_pending(*, user: User) -> tuple[str, str]:
    """The secret of an enrolment under way, to show the QR code again after a wrong first code."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        return "", ""
    secret = _secret(device)
    return secret, _uri(user, secret)


def _normalized(code: str) -> str:
    return "".join(ch for ch in str(code) if not ch.isspace())[:12]


@sensitive_variables("code", "secret")
def _consume_step(device: TotpDevice, code: str, now: datetime) -> bool:
    code = _normalized(code)
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return False
    totp = pyotp.TOTP(_secret(device))
    current = totp.timecode(now)
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        if step > device.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            taken = TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step)
            return taken == 1
    return False


@sensitive_variables("code")
def totp_confirm(*, user: User, code: str) -> list[str]:
    """Finish enrolment with a first code; returns new recovery codes, shown once."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise DomainError(PeopleError.TOTP_NOT_STARTED)
    with transaction.atomic():
        if not _consume_step(device, code, timezone.now()):
            raise DomainError(PeopleError.SECOND_FACTOR_INVALID, field="code")
        TotpDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
        audit.record(PeopleAction.TOTP_ENROLLED, actor=user, obj=user)
        codes = _recovery_codes_replace(user)
        _notify_factor(user, "totp")
    return codes


def totp_remove(*, user: User) -> None:
    require_fresh_factor()
    with transaction.atomic():
        deleted, _ = TotpDevice.objects.filter(user=user).delete()
        if deleted:
            audit.record(PeopleAction.TOTP_REMOVED, actor=user, obj=user)
            drop_orphan_recovery_codes(user)


def drop_orphan_recovery_codes(user: User) -> None:
    """Recovery codes back up a factor; with no factor left they would be a password-strength
    second factor nobody sees on the security page, so they go too."""

    if not has_totp(user) and not Passkey.objects.filter(user=user).exists():
        RecoveryCode.objects.filter(user=user).delete()


@sensitive_variables("code")
def totp_verify(*, user: User, code: str, now: datetime | None = None) -> bool:
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    return device is not None and _consume_step(device, code, now or timezone.now())


def recovery_code_digest(code: str) -> str:
    # No truncation here: cutting at 12 characters before dropping dashes let "abcde-fghjk-x" pass.
    return blind_index("recovery-code", "".join(str(code).split()).lower().replace("-", ""))


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _recovery_codes_replace(user: User) -> list[str]:
    codes = [_new_recovery_code() for _ in range(settings.RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=recovery_code_digest(c)) for c in codes)
    audit.record(PeopleAction.RECOVERY_CODES_GENERATED, actor=user, obj=user, after={"count": len(codes)})
    return codes


def recovery_codes_regenerate(*, user: User) -> list[str]:
    require_fresh_factor()
    with transaction.atomic():
        return _recovery_codes_replace(user)


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@sensitive_variables("code")
def recovery_code_use(*, user: User, code: str) -> bool:
    if not code or len(code) > 40:
        return False
    with transaction.atomic():
        used = RecoveryCode.objects.filter(
            user=user, digest=recovery_code_digest(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        if used:
            audit.record(
                PeopleAction.RECOVERY_CODE_USED, actor=user, obj=user, after={"left": recovery_codes_left(user)}
            )
    return used == 1


def _notify_factor(user: User, factor: str) -> None:

    notify_user(user, "factor_added", {"factor": factor})
