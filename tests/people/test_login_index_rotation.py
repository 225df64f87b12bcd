"""Decision 0036 (phase 2): the login index key rotates. `dinhdanh login-index rotate` makes a new
version and, in one transaction, moves every stored digest to it — accounts, pending registrations,
organizations' recorded representatives, registry records, requests' consents and data — from the
numbers kept sealed beside them; `retire` deletes the old versions only when nothing is left under
them. After it, people still sign in and are still recognised where they were named."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from dinhdanh.applications.models import Application
from dinhdanh.core.keys import data_key, key_versions
from dinhdanh.core.models import AuditEvent
from dinhdanh.organizations.models import Organization
from dinhdanh.organizations.selectors import claimable_by
from dinhdanh.people.logins import kept_digest, login_digest
from dinhdanh.people.models import KeptNumber, User
from dinhdanh.registries.models import Record
from dinhdanh.registries.services.imports import import_file
from tests.applications.support import submitted
from tests.conftest import PASSWORD, make_user
from tests.organizations.factories import make_organization

pytestmark = pytest.mark.django_db

NOBODY = "079085000321"  # a representative with no account here
LATER = "079085000654"  # the same, who registers after the rotation


@pytest.fixture(autouse=True)
def own_keys(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.DATA_DIR = tmp_path
    data_key.cache_clear()
    yield
    data_key.cache_clear()


def login_index(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("login_index", *args, stdout=out)
    return dict(json.loads(out.getvalue().strip().splitlines()[-1]))


def registry_file(path: Path, number: str) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Mã số doanh nghiệp", "Tên doanh nghiệp", "Mã xã", "Số định danh cá nhân", "Tình trạng"])
    writer.writerow(["0100109106", "Công ty TNHH Sao Mai", "30292", number, "Đang hoạt động"])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def test_rotate_moves_every_stored_digest_and_retire_leaves_one_version(tmp_path: Path, client: Client) -> None:
    application, applicant = submitted()
    organization = make_organization(representative=make_user("Người Cũ"), name="Công ty Khóa Mới")
    Organization.objects.filter(pk=organization.pk).update(
        representative=None, representative_digest=kept_digest(LATER)
    )
    import_file(source="business", path=registry_file(tmp_path / "dn.csv", NOBODY), actor=None)
    assert KeptNumber.objects.filter(digest=login_digest(NOBODY)).exists()  # the import kept the number
    old = applicant.login_digest

    facts = login_index("rotate")
    assert facts["unreachable"] == 0
    assert facts["moved"] >= 4
    applicant.refresh_from_db()
    assert applicant.login_digest != old
    assert applicant.login_digest == login_digest(next(n for n in _numbers_of(applicant)))
    assert Record.objects.get().representative_digest == login_digest(NOBODY)
    assert Organization.objects.get(pk=organization.pk).representative_digest == login_digest(LATER)
    data = Application.objects.get(pk=application.pk).data
    assert data["representative"]["digest"] == applicant.login_digest  # the request still names them
    assert AuditEvent.objects.filter(action="people.login_index_rotated").count() == 1

    retired = login_index("retire")
    assert retired["versions_deleted"] == [1]
    data_key.cache_clear()
    assert len(key_versions("login-index")) == 1
    # After the old key is gone: the person signs in, and the one who registers later is recognised
    # as the representative the organization recorded before the rotation.
    number = next(iter(_numbers_of(applicant)))
    assert client.post("/signin/", {"username": number, "password": PASSWORD}).status_code == 302
    later = make_user("Người Đăng Ký Sau", personal_id=LATER)
    assert list(claimable_by(later)) == [Organization.objects.get(pk=organization.pk)]


def test_retire_is_refused_while_digests_are_left_under_an_old_version() -> None:
    organization = make_organization(representative=make_user("Người Cũ"), name="Công ty Không Rõ")
    # A digest stored without its number (as before numbers were kept): no rotation can move it.
    Organization.objects.filter(pk=organization.pk).update(
        representative=None, representative_digest=login_digest(NOBODY)
    )
    assert login_index("rotate")["unreachable"] == 1
    with pytest.raises(CommandError):
        login_index("retire")
    assert len(key_versions("login-index")) == 2  # nothing deleted
    assert login_index("retire", "--force")["versions_deleted"] == [1]


def test_an_account_whose_number_was_never_kept_moves_at_its_next_sign_in(client: Client) -> None:
    user = make_user("Tài Khoản Cũ", personal_id=NOBODY)
    User.objects.filter(pk=user.pk).update(personal_id_sealed=b"")
    assert login_index("rotate")["unreachable"] == 1
    assert client.post("/signin/", {"username": NOBODY, "password": PASSWORD}).status_code == 302
    assert login_index("reindex")["unreachable"] == 0
    assert User.objects.get(pk=user.pk).login_digest == login_digest(NOBODY)


def test_status_is_only_a_look() -> None:
    make_user("Người Xem", personal_id=NOBODY)
    out = io.StringIO()
    call_command("login_index", "status", stdout=out)
    assert "login-index\tv1" in out.getvalue()
    assert json.loads(out.getvalue().splitlines()[-1]) == {"would_move": 0, "left": 0}


def _numbers_of(user: User) -> set[str]:
    from dinhdanh.people.identifiers import sealed_number

    number = sealed_number(user)
    assert number is not None
    return {number}


def test_a_kept_number_that_cannot_be_opened_is_counted_and_changes_nothing() -> None:
    digest = kept_digest(NOBODY)
    KeptNumber.objects.filter(digest=digest).update(sealed=b"\x02" + b"\x00" * 40)  # altered at rest
    facts = login_index("rotate")
    assert facts["unreadable"] == 1
    assert KeptNumber.objects.get().digest == digest  # left as it was
