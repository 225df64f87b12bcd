"""Decision 0036 (phase 1): the login index key is versioned. After a new version appears, nobody is
lost — sign-in and lookups by number try every live version, an account moves to the current digest at
its next sign-in, and a digest stored under the old version (a request naming a person, an
organization's recorded representative) still recognises its person."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from dinhdanh.core.keys import data_key, rotate_key
from dinhdanh.people.logins import account_by_number, digests_of, login_digest, login_digests
from dinhdanh.people.models import User
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NUMBER = "079085000123"


@pytest.fixture(autouse=True)
def own_keys(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.DATA_DIR = tmp_path
    data_key.cache_clear()
    yield
    data_key.cache_clear()


def test_lookups_try_every_version_and_sign_in_moves_the_account_to_the_current_one(client: Client) -> None:
    user = make_user("Trần Thị Khóa", personal_id=NUMBER)
    old = user.login_digest
    rotate_key("login-index")
    assert login_digest(NUMBER) != old
    assert login_digests(NUMBER) == [login_digest(NUMBER), old]  # current first
    assert account_by_number(NUMBER) == user
    assert set(digests_of(user)) == {old, login_digest(NUMBER)}
    answer = client.post("/signin/", {"username": NUMBER, "password": PASSWORD})
    assert answer.status_code == 302
    assert User.objects.get(pk=user.pk).login_digest == login_digest(NUMBER)


def test_an_account_without_a_sealed_number_is_found_by_its_stored_digest() -> None:
    user = make_user("Tài Khoản Cũ", personal_id=NUMBER)
    User.objects.filter(pk=user.pk).update(personal_id_sealed=b"")
    user.refresh_from_db()
    rotate_key("login-index")
    assert digests_of(user) == [user.login_digest]
    assert account_by_number(NUMBER) == user


def test_a_new_registration_of_the_same_number_is_still_refused_after_rotation() -> None:
    from dinhdanh.core.errors import DomainError
    from dinhdanh.people.services import user_create

    make_user("Người Thứ Nhất", personal_id=NUMBER)
    rotate_key("login-index")
    with pytest.raises(DomainError):
        user_create(actor=None, personal_id=NUMBER, full_name="Người Thứ Hai", password=PASSWORD)
    assert User.objects.count() == 1


def test_a_representative_recorded_before_the_rotation_is_still_recognised() -> None:
    from dinhdanh.organizations.models import Organization
    from dinhdanh.organizations.selectors import claimable_by
    from tests.organizations.factories import make_organization

    person = make_user("Đại Diện Cũ", personal_id=NUMBER)
    organization = make_organization(representative=make_user("Người Khác"), name="Công ty Khóa Cũ")
    Organization.objects.filter(pk=organization.pk).update(
        representative=None, representative_digest=person.login_digest
    )
    rotate_key("login-index")
    person.refresh_from_db()
    assert list(claimable_by(person)) == [organization]


def test_a_process_that_read_the_key_follows_a_retirement_made_by_another(settings: Any) -> None:
    # A web worker keeps running while `dinhdanh reindex-logins --retire` runs in its own process.
    first = data_key("login-index")  # read, and remembered, by this process
    digest = login_digest(NUMBER)
    script = (
        "import django; django.setup(); from dinhdanh.core.keys import rotate_key, retire_key_versions; "
        "rotate_key('login-index'); print(retire_key_versions('login-index'))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dinhdanh.settings.dev",
        "DINHDANH_DATA_DIR": str(settings.DATA_DIR),
    }
    done = subprocess.run(  # noqa: S603  (our own interpreter)
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[1]", (
        done.stdout,
        sorted(p.name for p in (Path(settings.DATA_DIR) / "keys").iterdir()),
    )
    assert data_key("login-index") != first  # the retired key is not used any more
    assert login_digest(NUMBER) != digest
    assert login_digests(NUMBER) == [login_digest(NUMBER)]  # one version left, the other process's current
