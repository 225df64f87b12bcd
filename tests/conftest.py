"""Shared fixtures. Administrative units are loaded once per test database (14k rows)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from dinhdanh.core.access import Role
from dinhdanh.core.services import role_grant
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.geo.services import units_load
from dinhdanh.people.authflow import ACCOUNT_SESSION, STEPPED_UP_AT
from dinhdanh.people.models import AccountLevel, SignInMethod, User
from dinhdanh.people.services import user_create
from dinhdanh.people.signin import Client as SignInClient
from dinhdanh.people.signin import signin_complete

PASSWORD = "mat-khau-thu-nghiem-2025"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        units_load(actor=None)


def unit(code: str, level: Level = Level.COMMUNE, scheme: Scheme = Scheme.CURRENT) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(scheme=scheme, level=level, code=code)


_counter = iter(range(1, 1_000_000))


def make_user(
    name: str = "Nguyễn Văn An", *, level: AccountLevel = AccountLevel.LEVEL_2, personal_id: str | None = None
) -> User:
    return user_create(
        actor=None,
        personal_id=personal_id or f"0910900{next(_counter):05d}",
        full_name=name,
        password=PASSWORD,
        level=level,
    )


def make_officer(
    role: Role, unit_: AdministrativeUnit | None, name: str = "Cán bộ Thử", *, personal_id: str | None = None
) -> User:
    user = make_user(name, personal_id=personal_id)
    role_grant(actor=None, user=user, role=role, unit=unit_)
    return user


@pytest.fixture
def an_giang() -> AdministrativeUnit:
    return unit("91", Level.PROVINCE)


@pytest.fixture
def citizen(db: None) -> User:
    return make_user()


def signed_in(client: Client, user: User, *, stepped_up: bool = True) -> Client:
    """Signed in as after password + second factor: a listed session, step-up fresh by default."""
    client.force_login(user)
    row = signin_complete(user=user, method=SignInMethod.PASSWORD_TOTP, client=SignInClient())
    session = client.session
    session[ACCOUNT_SESSION] = str(row.pk)
    if stepped_up:
        session[STEPPED_UP_AT] = time.time()
    session.save()
    return client


@pytest.fixture
def keep_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """``cli.main`` runs Django's command runner, which closes every connection when it ends; on
    PostgreSQL that would close the test's own transaction."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)
