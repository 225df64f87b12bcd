"""Sign-in as a sequence of checks: password, then (when the account has one) a second factor.

Every attempt lands in the sign-in history and the audit log. Failures count towards throttling,
whatever the factor; the messages for an unknown number and a wrong password are the same, and both
cost one password hash, so neither the text nor the timing tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from dinhdanh.core import audit
from dinhdanh.core.audit_codes import AuditAction
from dinhdanh.core.errors import DomainError
from dinhdanh.people import throttle
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.logins import login_digest, masked
from dinhdanh.people.models import AccountSession, Passkey, SignInEvent, SignInMethod, SignInOutcome, User
from dinhdanh.people.totp import has_totp, recovery_code_use, totp_verify

PASSWORD_MAX_LENGTH = 256
SECOND_FACTOR_METHODS = frozenset(
    {
        SignInMethod.PASSWORD_TOTP,
        SignInMethod.PASSWORD_RECOVERY,
        SignInMethod.PASSWORD_PASSKEY,
        SignInMethod.PASSKEY,
    }
)


@dataclass(frozen=True)
class Client:
    """Where an attempt came from, for history and throttling."""

    ip: str | None = None
    user_agent: str = ""


@dataclass(frozen=True)
class PasswordOutcome:
    user: User
    factors: tuple[str, ...]  # "totp", "passkey": what may serve as the second factor

    @property
    def needs_second_factor(self) -> bool:
        return bool(self.factors)


def second_factors(user: User) -> tuple[str, ...]:
    found = []
    if has_totp(user):
        found.append("totp")
    if Passkey.objects.filter(user=user).exists():
        found.append("passkey")
    return tuple(found)


def _event(user: User | None, outcome: SignInOutcome, client: Client, method: str = "") -> None:
    SignInEvent.objects.create(
        user=user, outcome=outcome, method=method, ip=client.ip, user_agent=client.user_agent[:200]
    )


def _account_key(login: str) -> str | None:
    try:
        return login_digest(login)
    except DomainError:
        return None


def refuse_if_throttled(*, account: str | None, client: Client, user: User | None = None) -> None:
    keys = throttle.keys_for(account=account, address=throttle.address_key(client.ip))
    try:
        throttle.refuse_if_blocked(keys=keys, now=timezone.now())
    except DomainError:
        _event(user, SignInOutcome.THROTTLED, client)
        raise


def count_failure(
    *, user: User | None, account: str | None, client: Client, outcome: SignInOutcome, login_label: str
) -> None:
    """Record a failed attempt everywhere it belongs; tell the owner when the account gets locked."""
    failure = throttle.record_failure(account=account, address=throttle.address_key(client.ip), now=timezone.now())
    _event(user, outcome, client)
    audit.record(
        AuditAction.SIGNIN_FAILED,
        actor=None,
        object_type="people.user",
        object_id=str(user.pk) if user else "",
        after={"login": login_label, "outcome": str(outcome)},
    )
    if failure.lock_started and user is not None:
        from dinhdanh.notifications.services import notify_user

        minutes = max(1, int(settings.SIGNIN_LOCK_SECONDS) // 60)
        with transaction.atomic():
            audit.record(AuditAction.SIGNIN_THROTTLED, actor=None, obj=user, after={"minutes": minutes})
            notify_user(user, "signin_locked", {"minutes": minutes})


@sensitive_variables("login", "password")
def password_check(*, login: str, password: str, client: Client) -> PasswordOutcome:
    """The first step. Raises INVALID_LOGIN, THROTTLED or ACCOUNT_LOCKED (the last only after a
    correct password, so it reveals nothing to someone who does not know it)."""
    login = str(login or "")[:64]
    password = str(password or "")
    account = _account_key(login)
    refuse_if_throttled(account=account, client=client)
    user = User.objects.filter(login_digest=account).first() if account else None
    plausible = 0 < len(password) <= PASSWORD_MAX_LENGTH and "\x00" not in password
    if user is None or not plausible:
        make_password(password[:PASSWORD_MAX_LENGTH])  # the same cost as a real check
        ok = False
    else:
        ok = user.check_password(password)  # rehashes when the argon2 parameters changed
    if not ok or user is None or not user.is_active:
        try:
            label = masked(login)
        except DomainError:
            label = "malformed"
        count_failure(
            user=user, account=account, client=client, outcome=SignInOutcome.BAD_CREDENTIALS, login_label=label
        )
        raise DomainError(PeopleError.INVALID_LOGIN)
    if user.is_locked:
        _event(user, SignInOutcome.LOCKED, client)
        raise DomainError(PeopleError.ACCOUNT_LOCKED)
    return PasswordOutcome(user=user, factors=second_factors(user))


@sensitive_variables("code")
def second_factor_check(*, user: User, code: str, client: Client) -> SignInMethod:
    """A TOTP code or a recovery code after the password. Failures count like wrong passwords."""
    refuse_if_throttled(account=user.login_digest, client=client, user=user)
    code = str(code or "").strip()[:40]
    if totp_verify(user=user, code=code):
        return SignInMethod.PASSWORD_TOTP
    if recovery_code_use(user=user, code=code):
        return SignInMethod.PASSWORD_RECOVERY
    count_failure(
        user=user,
        account=user.login_digest,
        client=client,
        outcome=SignInOutcome.BAD_SECOND_FACTOR,
        login_label=user.personal_id_masked,
    )
    raise DomainError(PeopleError.SECOND_FACTOR_INVALID, field="code")


def signin_complete(*, user: User, method: SignInMethod, client: Client) -> AccountSession:
    if user.is_locked or not user.is_active:
        raise DomainError(PeopleError.ACCOUNT_LOCKED)
    now = timezone.now()
    with transaction.atomic():
        session = AccountSession.objects.create(
            user=user, method=method, ip=client.ip, user_agent=client.user_agent[:200], created_at=now
        )
        _event(user, SignInOutcome.SUCCEEDED, client, method)
        User.objects.filter(pk=user.pk).update(last_login=now)
        audit.record(AuditAction.SIGNIN_SUCCEEDED, actor=user, obj=user, after={"method": str(method)})
        throttle.record_success(account=user.login_digest)
    return session


def signout(*, user: User, session_id: str | None) -> None:
    with transaction.atomic():
        if session_id:
            AccountSession.objects.filter(pk=session_id, user=user, revoked_at__isnull=True).update(
                revoked_at=timezone.now(), revoked_reason="signout"
            )
        audit.record(AuditAction.SIGNOUT, actor=user)
