"""Writes to personal accounts: creation, passwords. Levels, factors, locks and sign-in have their
own modules (levels, totp, passkeys, locks, signin)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from dinhdanh.core import audit
from dinhdanh.core.access import require
from dinhdanh.core.audit_codes import Actions
from dinhdanh.core.codes import parse_personal_id
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import clean
from dinhdanh.notifications.services import notify_user
from dinhdanh.people import signin, throttle
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.identifiers import seal_number
from dinhdanh.people.logins import login_digest, login_digests, masked
from dinhdanh.people.models import AccountLevel, SignInOutcome, User
from dinhdanh.people.notices import text_code
from dinhdanh.people.otp import otp_check, otp_issue
from dinhdanh.people.passwords import check_password_strength, facts_of
from dinhdanh.people.permissions import PeoplePermission
from dinhdanh.people.services.registration import normalize_phone
from dinhdanh.people.sessions import sessions_revoke_all


def user_create(
    *,
    actor: User | None,
    personal_id: str,
    full_name: str,
    password: str | None,
    level: AccountLevel = AccountLevel.LEVEL_1,
    email: str = "",
    phone: str = "",
) -> User:
    digest = login_digest(personal_id)
    name = clean(full_name, field="full_name", max_length=200)
    with transaction.atomic():
        if User.objects.filter(login_digest__in=login_digests(personal_id)).exists():
            raise DomainError(PeopleError.ALREADY_REGISTERED)
        user = User(
            login_digest=digest,
            personal_id_masked=masked(personal_id),
            personal_id_sealed=seal_number(parse_personal_id(personal_id, foreigner=True).value),
            full_name=name,
            level=level,
            email=email,
            phone=phone,
        )
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(force_insert=True)
        audit.record(
            PeopleAction.USER_CREATED,
            actor=actor,
            obj=user,
            after={"full_name": name, "level": int(level), "personal_id": personal_id},
        )
    return user


@sensitive_variables("current", "new", "confirm")
def password_change(
    *,
    user: User,
    current: str,
    new: str,
    confirm: str,
    keep_session: str | None = None,
    client: signin.Client | None = None,
) -> None:
    """Change the password knowing the current one; every other session ends. Wrong current
    passwords count like failed sign-ins (taken before the check, so parallel requests get no extra
    guess), so a borrowed session cannot guess without limit."""
    if signin.second_factors(user):
        require_fresh_factor()
    client = client or signin.Client()
    ticket = signin.take_attempt(account=user.login_digest, client=client, user=user)
    if not user.check_password(str(current or "")[:256]):
        signin.count_failure(
            user=user,
            account=user.login_digest,
            client=client,
            outcome=SignInOutcome.BAD_CREDENTIALS,
            login_label=user.personal_id_masked,
            ticket=ticket,
        )
        raise DomainError(PeopleError.PASSWORD_WRONG, field="current")
    throttle.release(ticket)
    _set_password(user, new, confirm, keep_session=keep_session, action=PeopleAction.PASSWORD_CHANGED)


def _set_password(user: User, new: str, confirm: str, *, keep_session: str | None, action: Actions) -> None:
    if new != confirm:
        raise DomainError(PeopleError.PASSWORD_MISMATCH, field="confirm")
    check_password_strength(new, facts=facts_of(phone=user.phone, date_of_birth=user.date_of_birth), user=None)
    with transaction.atomic():
        user.set_password(new)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        ended = sessions_revoke_all(user=user, reason="password", keep=keep_session)
        audit.record(action, actor=user, obj=user, after={"sessions_ended": ended})
        _notify(user, "password_changed", {})


RESET_PURPOSE = "password-reset"


def password_reset_start(*, personal_id: str, phone: str) -> None:
    """Text a code to the account's confirmed phone, but only if number and phone match an account.
    The caller shows the same message either way, so this cannot be used to test who has an account."""
    try:
        login_digest(personal_id)  # a malformed number stops here, like an unknown account
        wanted = normalize_phone(phone)
    except DomainError:
        return
    user = User.objects.filter(
        login_digest__in=login_digests(personal_id), phone=wanted, phone_confirmed_at__isnull=False
    ).first()
    if user is None or user.is_locked:
        return
    try:
        code = otp_issue(purpose=RESET_PURPOSE, subject=f"user:{user.pk}")
    except DomainError:
        return  # too soon / too many: silently, like an unknown account
    with transaction.atomic():
        text_code(user.phone, code, language=user.preferred_language, user=user)


def reset_token(personal_id: str) -> str:
    """What the reset page remembers between its two steps: the login digest (or nothing usable)."""
    try:
        found = User.objects.filter(login_digest__in=login_digests(personal_id)).first()
        return found.login_digest if found is not None else login_digest(personal_id)
    except DomainError:
        return "-"


@sensitive_variables("code", "new", "confirm")
def password_reset_finish(*, token: str, code: str, new: str, confirm: str) -> User:
    user = User.objects.filter(login_digest=token).first()
    if user is None:
        raise DomainError(PeopleError.OTP_EXPIRED, field="code")
    # The code first: until it is right, nothing about the account (its phone, birth date) may show
    # through the password rules.
    otp_check(purpose=RESET_PURPOSE, subject=f"user:{user.pk}", code=code, consume=False)
    if new != confirm:
        raise DomainError(PeopleError.PASSWORD_MISMATCH, field="confirm")
    check_password_strength(new, facts=facts_of(phone=user.phone, date_of_birth=user.date_of_birth))
    otp_check(purpose=RESET_PURPOSE, subject=f"user:{user.pk}", code=code)
    _set_password(user, new, confirm, keep_session=None, action=PeopleAction.PASSWORD_RESET)
    return user


def person_create(
    *,
    actor: User,
    personal_id: str,
    full_name: str,
    date_of_birth: date | None,
    phone: str,
    email: str = "",
    is_foreigner: bool = False,
) -> User:
    """An officer registers someone in person who has no account yet. The person sets a password
    later through "forgot password" with their phone; until then nobody can sign in as them."""
    require(actor, PeoplePermission.VERIFY_PERSON, any_unit=True)
    parse_personal_id(personal_id, foreigner=is_foreigner)
    phone = normalize_phone(phone) if phone else ""
    with transaction.atomic():
        user = user_create(
            actor=actor,
            personal_id=personal_id,
            full_name=full_name,
            password=None,
            level=AccountLevel.NONE,
            email=email,
            phone=phone,
        )
        user.date_of_birth = date_of_birth
        user.is_foreigner = is_foreigner
        user.phone_confirmed_at = timezone.now() if phone else None  # confirmed by the officer in person
        user.save(update_fields=["date_of_birth", "is_foreigner", "phone_confirmed_at"])
    return user


def _notify(user: User, template: str, params: dict[str, str | int]) -> None:

    notify_user(user, template, params)
