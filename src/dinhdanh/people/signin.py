"""Sign-in as a sequence of checks: password, then (when the account has one) a second factor.

Every attempt lands in the sign-in history and the audit log. Failures count towards throttling,
whatever the factor; the messages for an unknown number and a wrong password are the same, and both
cost one password hash, so neither the text nor the timing tells them apart.

Each attempt is taken from the throttle (checked and counted at once) before any secret is checked, and
given back when it was right: parallel requests get no extra guesses.

A login under a distributed attack is *guarded* (``throttle.Scope.ACCOUNT``): the password alone then
answers nothing. Right or wrong, the answer is "enter a code" (a code is texted to the account's
confirmed phone only when the password was right), and only the password followed by a second factor
(that code, the authenticator app or a recovery code) signs in, which lifts the guard. So a stranger
can neither learn the password from many addresses nor keep the holder out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from dinhdanh.core import audit
from dinhdanh.core.codes import parse_personal_id
from dinhdanh.core.errors import DomainError
from dinhdanh.people import rows, throttle
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.identifiers import remember_number
from dinhdanh.people.logins import account_by_digests, login_digests, masked
from dinhdanh.people.models import AccountSession, SignInMethod, SignInOutcome, User
from dinhdanh.people.notices import notify_limited, text_code
from dinhdanh.people.otp import otp_check, otp_issue
from dinhdanh.people.totp import recovery_code_use, totp_verify

PASSWORD_MAX_LENGTH = 256
GUARD_OTP_PURPOSE = "signin-guard"
GUARD_FACTORS = ("sms",)  # what a guarded sign-in asks for, the same for every answer
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
    # The attempt, still counted, for a caller that signs the person in at once (``complete_at_once``):
    # ``signin_complete(ticket=...)`` gives it back in the sign-in's own statement. None: given back.
    ticket: throttle.Ticket | None = None

    @property
    def needs_second_factor(self) -> bool:
        return bool(self.factors)


@dataclass(frozen=True)
class Guarded:
    """The answer for a guarded login, whatever the password: a code is the next step.

    ``user`` is the account when the password was right, else None (the next step can only fail);
    ``account`` is the digest of the number tried, for counting the next step's failures."""

    user: User | None
    account: str | None
    factors: tuple[str, ...] = GUARD_FACTORS


def second_factors(user: User) -> tuple[str, ...]:
    totp, passkey = rows.has_factors(user.pk)
    return tuple(name for name, held in (("totp", totp), ("passkey", passkey)) if held)


def _event(
    user: User | None, outcome: SignInOutcome, client: Client, method: str = "", at: datetime | None = None
) -> None:
    rows.SIGNIN_EVENT.add(
        user=user.pk if user is not None else None,
        at=at or timezone.now(),
        outcome=str(outcome),
        method=str(method),
        ip=client.ip,
        user_agent=client.user_agent[:200],
    )


def _digests(login: str) -> list[str]:
    """Every live digest of the number tried, the current one first (none for a malformed number)."""
    try:
        return login_digests(login)
    except DomainError:
        return []


def take_attempt(*, account: str | None, client: Client, user: User | None = None) -> throttle.Ticket:
    """Count this attempt before checking anything, or refuse it (THROTTLED, history written)."""
    try:
        return throttle.take(keys=throttle.keys_for(account=account, ip=client.ip), now=timezone.now())
    except DomainError:
        _event(user, SignInOutcome.THROTTLED, client)
        raise


def refuse_if_throttled(*, account: str | None, client: Client, user: User | None = None) -> None:
    """Check only; for checks that cannot be guessed (passkey signatures), counted afterwards."""
    try:
        throttle.refuse_if_blocked(keys=throttle.keys_for(account=account, ip=client.ip), now=timezone.now())
    except DomainError:
        _event(user, SignInOutcome.THROTTLED, client)
        raise


def refuse_if_blocked_until(blocked_until: datetime | None, *, client: Client, now: datetime) -> None:
    """:func:`refuse_if_throttled` for the address's block already read with the passkey
    (``people.rows.PASSKEY_OWNER_BLOCK``): the same refusal, the same history."""
    if blocked_until is not None and blocked_until > now:
        _event(None, SignInOutcome.THROTTLED, client)
        raise DomainError(PeopleError.THROTTLED, seconds=int((blocked_until - now).total_seconds()) + 1)


def count_failure(
    *,
    user: User | None,
    account: str | None,
    client: Client,
    outcome: SignInOutcome,
    login_label: str,
    ticket: throttle.Ticket | None = None,
) -> None:
    """Record a failed attempt everywhere it belongs (``ticket``: it was counted when taken); tell the
    owner when it put the login under guard."""
    if ticket is None:
        ticket = throttle.take(
            keys=throttle.keys_for(account=account, ip=client.ip), now=timezone.now(), refuse=False
        )
    _event(user, outcome, client)
    audit.record(
        PeopleAction.SIGNIN_FAILED,
        actor=None,
        object_type="people.user",
        object_id=str(user.pk) if user else "",
        after={"login": login_label, "outcome": str(outcome)},
    )
    if ticket.guard_started and user is not None:
        with transaction.atomic():
            audit.record(PeopleAction.SIGNIN_GUARDED, actor=None, obj=user)
            notify_limited(user, "signin_guarded")


def _label(login: str) -> str:
    try:
        return masked(login)
    except DomainError:
        return "malformed"


def _send_guard_code(user: User) -> None:
    """Text a sign-in code to the account's confirmed phone. Silently nothing when there is no such
    phone, the account is locked, or a code went out moments ago (it is still valid): the answer on
    screen must not differ from a wrong password's."""
    if not user.phone or user.phone_confirmed_at is None or user.is_locked:
        return
    try:
        code = otp_issue(purpose=GUARD_OTP_PURPOSE, subject=f"user:{user.pk}")
    except DomainError:
        return

    with transaction.atomic():
        text_code(user.phone, code, language=user.preferred_language, user=user)


@sensitive_variables("login", "password")
def password_check(
    *, login: str, password: str, client: Client, complete_at_once: bool = False
) -> PasswordOutcome | Guarded:
    """The first step. Raises INVALID_LOGIN, THROTTLED or ACCOUNT_LOCKED (the last only after a
    correct password, so it reveals nothing to someone who does not know it). A guarded login answers
    ``Guarded`` whatever the password.

    ``complete_at_once``: the caller signs the person in right away when no second factor is needed,
    passing ``outcome.ticket`` to ``signin_complete``; the attempt is then given back there, in the
    sign-in's transaction, instead of in one of its own (decision 0051). Whoever passes it must do so."""
    login = str(login or "")[:64]
    password = str(password or "")
    digests = _digests(login)
    account = digests[0] if digests else None  # the current digest: what the throttle counts under
    ticket = take_attempt(account=account, client=client)
    user = account_by_digests(digests)
    plausible = 0 < len(password) <= PASSWORD_MAX_LENGTH and "\x00" not in password
    try:
        if user is None or not plausible:
            make_password(password[:PASSWORD_MAX_LENGTH])  # the same cost as a real check
            ok = False
        else:
            ok = user.check_password(password)  # rehashes when the argon2 parameters changed
    except DomainError:  # busy (people.hashers): no password was checked, so the attempt is given back
        throttle.release(ticket)
        raise
    right = user if ok and user is not None and user.is_active else None
    if right is not None:
        # The one moment the number is known again: an account made before it was kept keeps it now.
        remember_number(right, parse_personal_id(login, foreigner=True).value, current_digest=account or "")
    if right is None:
        count_failure(
            user=user,
            account=account,
            client=client,
            outcome=SignInOutcome.BAD_CREDENTIALS,
            login_label=_label(login),
            ticket=ticket,
        )
    if ticket.guarded:
        # The attempt stays counted even when right: a given-back count would tell the right password
        # apart. The second factor clears it (signin_complete).
        if right is not None:
            _send_guard_code(right)
        return Guarded(user=right, account=account)
    if right is None:
        raise DomainError(PeopleError.INVALID_LOGIN)
    if right.is_locked:
        throttle.release(ticket)
        _event(right, SignInOutcome.LOCKED, client)
        raise DomainError(PeopleError.ACCOUNT_LOCKED)
    factors = second_factors(right)
    if factors or not complete_at_once:
        throttle.release(ticket)
        return PasswordOutcome(user=right, factors=factors)
    return PasswordOutcome(user=right, factors=factors, ticket=ticket)


def _guard_code_ok(user: User, code: str) -> bool:
    try:
        otp_check(purpose=GUARD_OTP_PURPOSE, subject=f"user:{user.pk}", code=code)
    except DomainError:
        return False
    return True


@sensitive_variables("code")
def second_factor_check(
    *, user: User | None, code: str, client: Client, guarded: bool = False, account: str | None = None
) -> SignInMethod:
    """A TOTP code or a recovery code after the password (and, on a guarded login, the texted code).
    ``user`` None: a guarded sign-in whose password was wrong, which fails here like a wrong code.
    Failures count like wrong passwords."""
    key = user.login_digest if user is not None else account
    ticket = take_attempt(account=key, client=client, user=user)
    code = str(code or "").strip()[:40]
    method: SignInMethod | None = None
    if user is not None:
        if totp_verify(user=user, code=code):
            method = SignInMethod.PASSWORD_TOTP
        elif recovery_code_use(user=user, code=code):
            method = SignInMethod.PASSWORD_RECOVERY
        elif guarded and _guard_code_ok(user, code):
            method = SignInMethod.PASSWORD_SMS
    if method is not None:
        throttle.release(ticket)
        return method
    count_failure(
        user=user,
        account=key,
        client=client,
        outcome=SignInOutcome.BAD_SECOND_FACTOR,
        login_label=user.personal_id_masked if user is not None else "guarded",
        ticket=ticket,
    )
    raise DomainError(PeopleError.SECOND_FACTOR_INVALID, field="code")


def signin_complete(
    *,
    user: User,
    method: SignInMethod,
    client: Client,
    then: Callable[[AccountSession], None] | None = None,
    ticket: throttle.Ticket | None = None,
) -> AccountSession:
    """The sign-in itself: a listed session, the history, the last sign-in time, the throttles lifted
    and the audit event, in one transaction (``ticket``: the password attempt that led here, given back
    with the throttles lifted). ``then`` runs in it too, before the audit event: the HTTP
    face writes its own session row there, so the whole sign-in is one commit. The audit append comes
    last because it locks its chain's head until the commit, and every sign-in appends to that chain."""
    if user.is_locked or not user.is_active:
        raise DomainError(PeopleError.ACCOUNT_LOCKED)
    now = timezone.now()
    session = AccountSession(
        id=uuid.uuid4(),
        user=user,
        method=method,
        ip=client.ip,
        user_agent=client.user_agent[:200],
        created_at=now,
        last_seen_at=now,
    )
    # Without a savepoint inside a caller's transaction (a passkey's, with its counter): a failure
    # here fails the whole sign-in, which must not land in parts anyway.
    with transaction.atomic(savepoint=False):
        rows.ACCOUNT_SESSION.add(**{f.attname: getattr(session, f.attname) for f in rows.ACCOUNT_SESSION.fields})
        session._state.adding, session._state.db = False, DEFAULT_DB_ALIAS
        _event(user, SignInOutcome.SUCCEEDED, client, method, at=now)
        rows.LAST_LOGIN.run([now], [user.pk])
        user.last_login = now
        throttle.record_success(account=user.login_digest, ip=client.ip, ticket=ticket)
        if then is not None:
            then(session)
        audit.record(PeopleAction.SIGNIN_SUCCEEDED, actor=user, obj=user, after={"method": str(method)})
    return session


def signout(*, user: User, session_id: str | None) -> None:
    with transaction.atomic():
        if session_id:
            AccountSession.objects.filter(pk=session_id, user=user, revoked_at__isnull=True).update(
                revoked_at=timezone.now(), revoked_reason="signout"
            )
        audit.record(PeopleAction.SIGNOUT, actor=user)
