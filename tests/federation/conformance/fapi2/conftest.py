"""Fixtures of the FAPI 2.0 conformance-lite modules: a FAPI relying party, a person, their browser."""

from __future__ import annotations

import pytest
from django.test import Client as Browser

from dinhdanh.people.models import User
from tests.conftest import make_user, signed_in
from tests.federation.fapi import Rp, fapi_rp
from tests.organizations.factories import make_service


@pytest.fixture
def rp(db: None) -> Rp:
    make_service("dvc")
    return fapi_rp()


@pytest.fixture
def person(db: None) -> User:
    return make_user("Người Thử Phù Hợp")


@pytest.fixture
def browser(person: User) -> Browser:
    return signed_in(Browser(), person)
