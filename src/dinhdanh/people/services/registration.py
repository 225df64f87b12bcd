"""Online self-registration for a level-1 account (Decree 69 Art. 10): details, portrait and password,
then the phone confirmed with a one-time code. Only the confirmation creates the account.

The first step answers the same whether or not the number has an account (issue 10 §6): the
registration goes on to the code step either way, and the account's holder is told that someone used
their number. Only someone who then enters the code texted to the phone they gave learns that the
number was taken, and registrations are throttled per client address.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from uuid import UUID

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from PIL import Image, UnidentifiedImageError

from dinhdanh.core import audit, sealed
from dinhdanh.core.codes import PersonalId, parse_personal_id
from dinhdanh.core.errors import CoreError, DomainError, field_check
from dinhdanh.core.keys import blind_index
from dinhdanh.core.phones import parse_vn_phone
from dinhdanh.core.text import clean, is_legal_name, nfc
from dinhdanh.people import throttle
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.identifiers import seal_number
from dinhdanh.people.logins import login_digest, login_digests, masked
from dinhdanh.people.models import PendingRegistration, User
from dinhdanh.people.notices import notify_limited, text_code
from dinhdanh.people.otp import otp_check, otp_issue
from dinhdanh.people.passwords import check_password_strength, facts_of
from dinhdanh.people.services import levels
from dinhdanh.people.signin import Client

OTP_PURPOSE = "phone"
_ALLOWED_IMAGES = {"JPEG", "PNG"}
MIN_AGE_SELF_SERVICE = 6  # younger children are registered by a parent at the police (LEGAL §3)
PORTRAIT_MAX_PIXELS = 40_000_000  # decoding is bounded too: a small file may hold a huge image


@dataclass(frozen=True)
class Registration:
    personal_id: str
    full_name: str
    date_of_birth: date | None
    phone: str
    email: str
    password: str
    password_confirm: str
    portrait: bytes
    consent: bool
    is_foreigner: bool = False
    language: str = "vi"


def normalize_phone(raw: str) -> str:
    """A person's phone receives the sign-in codes: a valid Vietnamese mobile number (``core.phones``)."""
    parsed = parse_vn_phone(nfc(str(raw or "")), mobile_only=True)
    if parsed is None:
        raise DomainError(PeopleError.PHONE_INVALID, field="phone")
    return parsed


def normalize_email(raw: str) -> str:
    text = nfc(str(raw or "")).strip()
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError as exc:
        raise DomainError(PeopleError.EMAIL_INVALID, field="email") from exc
    return text


def _birth_date(value: date | None, personal_birth_year: int | None) -> date:
    today = timezone.localdate()
    if value is None:
        raise DomainError(PeopleError.BIRTH_DATE_REQUIRED, field="date_of_birth")
    if isinstance(value, date) and value > today:
        raise DomainError(PeopleError.BIRTH_DATE_FUTURE, field="date_of_birth")
    if not isinstance(value, date) or value.year < today.year - 130:
        raise DomainError(PeopleError.BIRTH_DATE_INVALID, field="date_of_birth")
    if personal_birth_year is not None and personal_birth_year != value.year:
        raise DomainError(PeopleError.BIRTH_DATE_MISMATCH, field="date_of_birth")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < MIN_AGE_SELF_SERVICE:
        raise DomainError(PeopleError.TOO_YOUNG, field="date_of_birth")
    return value


def check_portrait(data: bytes) -> None:
    limit = int(settings.PORTRAIT_MAX_BYTES)
    if not data:
        raise DomainError(PeopleError.PORTRAIT_REQUIRED, field="portrait")
    if len(data) > limit:
        raise DomainError(PeopleError.PORTRAIT_TOO_LARGE, field="portrait", limit_mb=limit // (1024 * 1024))
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()  # decodes the structure: a renamed script or a truncated PNG fails here
        if kind not in _ALLOWED_IMAGES:
            raise DomainError(PeopleError.PORTRAIT_INVALID, field="portrait")
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > PORTRAIT_MAX_PIXELS:
                raise DomainError(PeopleError.PORTRAIT_INVALID, field="portrait")
            image.load()  # verify() does not read JPEG data: a JPEG cut short fails only here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise DomainError(PeopleError.PORTRAIT_INVALID, field="portrait") from exc


def phone_subject(phone: str) -> str:
    # Codes are keyed by the phone, not the registration: starting over does not reset the send limits.
    return "phone:" + blind_index("phone-otp", phone)[:48]


def _send_code(registration: PendingRegistration) -> None:

    code = otp_issue(purpose=OTP_PURPOSE, subject=phone_subject(registration.phone))
    text_code(registration.phone, code, language=registration.language)


def _count_attempt(client: Client) -> None:
    """Every attempt counts, whatever its outcome: refused input teaches an attacker as much."""
    try:
        throttle.take(keys=[(throttle.Scope.REGISTER, throttle.address_key(client.ip))], now=timezone.now())
    except DomainError as exc:
        raise DomainError(PeopleError.REGISTER_THROTTLED, seconds=exc.params.get("seconds", 1)) from exc


def _tell_holder(holder: User, masked_id: str) -> None:
    audit.record(PeopleAction.REGISTRATION_OF_EXISTING, actor=None, obj=holder, after={"login": masked_id})
    notify_limited(holder, "registration_attempted")


def full_name(value: str) -> str:
    """A person's full name: required, and a legal name (``core.text.is_legal_name``, as organizations')."""
    if not nfc(str(value or "")):
        raise DomainError(PeopleError.FULL_NAME_REQUIRED, field="full_name")
    name = clean(value, field="full_name", max_length=200)
    if not is_legal_name(name):
        raise DomainError(PeopleError.NAME_SYMBOLS, field="full_name")
    return name


def _consent(given: bool) -> None:
    if not given:
        raise DomainError(PeopleError.CONSENT_REQUIRED, field="consent")


def _passwords(data: Registration, facts: list[str]) -> None:
    if not data.password:
        raise DomainError(PeopleError.PASSWORD_REQUIRED, field="password")
    check_password_strength(data.password, facts=facts)


def _confirmed(data: Registration) -> None:
    if data.password and data.password != data.password_confirm:
        raise DomainError(PeopleError.PASSWORD_MISMATCH, field="password_confirm")


@sensitive_variables("data")
def registration_check(data: Registration) -> tuple[PersonalId, str, date, str, str]:
    """Every field of a registration checked, every refusal raised together (issue 15.1); nothing written."""
    with field_check() as check:
        pid = check.run(lambda: parse_personal_id(data.personal_id, foreigner=data.is_foreigner))
        name = check.run(lambda: full_name(data.full_name))
        born = check.run(lambda: _birth_date(data.date_of_birth, pid.birth_year if pid else None))
        phone = check.run(lambda: normalize_phone(data.phone))
        email = check.run(lambda: normalize_email(data.email))
        check.run(lambda: _consent(data.consent))
        facts = facts_of(personal_id=pid.value if pid else "", phone=phone or "", date_of_birth=born)
        check.run(lambda: _passwords(data, facts))
        check.run(lambda: _confirmed(data))
        check.run(lambda: check_portrait(data.portrait))
    if pid is None or name is None or born is None or phone is None or email is None:  # field_check raised
        raise DomainError(CoreError.INVALID_INPUT)
    return pid, name, born, phone, email


@sensitive_variables("data")
def registration_start(*, data: Registration, client: Client | None = None) -> PendingRegistration:
    """Validate everything, store a pending registration and text a code to the phone.

    A number that has an account goes the same way (nothing tells the two apart); its holder is told,
    at most once an hour, and the confirmation will create nothing."""
    _count_attempt(client or Client())
    pid, name, born, phone, email = registration_check(data)
    digest = login_digest(pid.value)
    holder = User.objects.filter(login_digest__in=login_digests(pid.value)).first()
    now = timezone.now()
    portrait_ref = sealed.store_file("portraits", data.portrait)
    try:
        with transaction.atomic():
            stale = list(PendingRegistration.objects.filter(login_digest=digest, confirmed_at__isnull=True))
            PendingRegistration.objects.filter(pk__in=[p.pk for p in stale]).delete()
            registration = PendingRegistration.objects.create(
                login_digest=digest,
                personal_id_masked=masked(pid.value),
                personal_id_sealed=seal_number(pid.value),
                full_name=name,
                date_of_birth=born,
                phone=phone,
                email=email,
                is_foreigner=data.is_foreigner,
                password_hash=make_password(data.password),
                portrait_ref=portrait_ref,
                language=data.language if data.language in {"vi", "en"} else "vi",
                consent_at=now,
                expires_at=now + timedelta(seconds=settings.REGISTRATION_TTL_SECONDS),
                checks=levels.level1_checks(is_foreigner=data.is_foreigner),
            )
            _send_code(registration)
            if holder is not None:
                _tell_holder(holder, registration.personal_id_masked)
            transaction.on_commit(partial(_delete_files, [old.portrait_ref for old in stale]))
    except BaseException:
        sealed.delete_file(portrait_ref)  # nothing half-written: no orphan portrait either
        raise
    return registration


def _delete_files(refs: list[str]) -> None:
    for ref in refs:
        sealed.delete_file(ref)


def pending(registration_id: str | UUID) -> PendingRegistration:
    try:
        key = UUID(str(registration_id))
    except ValueError as exc:
        raise DomainError(PeopleError.REGISTRATION_EXPIRED) from exc
    found = PendingRegistration.objects.filter(
        pk=key, confirmed_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    if found is None:
        raise DomainError(PeopleError.REGISTRATION_EXPIRED)
    return found


def registration_resend(*, registration_id: str | UUID) -> None:
    registration = pending(registration_id)
    with transaction.atomic():
        _send_code(registration)


@sensitive_variables("code")
def registration_confirm(*, registration_id: str | UUID, code: str) -> User:
    """Check the code, then create the account and its level-1 request (approved at once when the
    automatic checks suffice, else queued for review within 1 working day)."""
    registration = pending(registration_id)
    otp_check(purpose=OTP_PURPOSE, subject=phone_subject(registration.phone), code=code)
    now = timezone.now()
    with transaction.atomic():
        if User.objects.filter(login_digest=registration.login_digest).exists():
            # Said only now, to whoever holds the phone they gave: the holder was told at the start.
            raise DomainError(PeopleError.REGISTERED_BEFORE)
        user = User(
            login_digest=registration.login_digest,
            personal_id_masked=registration.personal_id_masked,
            personal_id_sealed=registration.personal_id_sealed,
            full_name=registration.full_name,
            date_of_birth=registration.date_of_birth,
            phone=registration.phone,
            email=registration.email,
            is_foreigner=registration.is_foreigner,
            preferred_language=registration.language,
            phone_confirmed_at=now,
            portrait_ref=registration.portrait_ref,
            password=registration.password_hash,
            password_changed_at=now,
        )
        user.save(force_insert=True)
        PendingRegistration.objects.filter(pk=registration.pk).update(confirmed_at=now)
        audit.record(
            PeopleAction.USER_CREATED,
            actor=user,
            obj=user,
            after={
                "full_name": user.full_name,
                "level": 0,
                "channel": "online",
                "consent_at": registration.consent_at,
            },
        )
        levels.level1_open(user=user, checks=registration.checks, received_at=now)
    return user
