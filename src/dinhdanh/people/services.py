"""Writes to personal accounts (issue 3 grows this: levels, factors, lockout)."""

from __future__ import annotations

from django.db import transaction

from dinhdanh.core import audit
from dinhdanh.core.audit_codes import AuditAction
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import clean
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.logins import login_digest, masked
from dinhdanh.people.models import AccountLevel, User


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
        if User.objects.filter(login_digest=digest).exists():
            raise DomainError(PeopleError.ALREADY_REGISTERED)
        user = User(
            login_digest=digest,
            personal_id_masked=masked(personal_id),
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
            AuditAction.USER_CREATED,
            actor=actor,
            obj=user,
            after={"full_name": name, "level": int(level), "personal_id": personal_id},
        )
    return user


def signin_succeeded(*, user: User) -> None:
    audit.record(AuditAction.SIGNIN_SUCCEEDED, actor=user)


def signin_failed(*, login: str) -> None:
    """Record a failed sign-in under the masked number (or "malformed"): never the number itself."""
    try:
        who = masked(login)
    except DomainError:
        who = "malformed"
    audit.record(AuditAction.SIGNIN_FAILED, actor=None, object_type="people.user", after={"login": who})


def signed_out(*, user: User) -> None:
    audit.record(AuditAction.SIGNOUT, actor=user)
