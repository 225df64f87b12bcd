"""Issue 12.0: the personal number is kept sealed beside its blind index; the sealing key rotates
without losing anything sealed before (and `dinhdanh keys reseal` moves everything to the new key)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from dinhdanh.core import sealed
from dinhdanh.core.keys import data_key, key_versions
from dinhdanh.core.models import AuditEvent
from dinhdanh.people.identifiers import PID_PURPOSE, sealed_number
from dinhdanh.people.models import AccountLevel, User
from dinhdanh.people.services import user_create
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NUMBER = "091085000777"


@pytest.fixture(autouse=True)
def own_keys(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Keys and files of a data dir of its own: rotations must not leak into other tests."""
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "documents"
    data_key.cache_clear()  # its cache holds the other data dir's keys
    yield
    data_key.cache_clear()  # and back to them (settings restores DATA_DIR)


def test_a_new_account_keeps_its_number_sealed_not_in_clear() -> None:
    user = user_create(
        actor=None, personal_id=NUMBER, full_name="Lê Văn Số", password=None, level=AccountLevel.LEVEL_2
    )
    stored = bytes(User.objects.get(pk=user.pk).personal_id_sealed)
    assert NUMBER.encode() not in stored
    assert sealed_number(user) == NUMBER
    with pytest.raises(sealed.SealError):
        sealed.unseal(stored, purpose="card-number")  # bound to its purpose


def test_an_older_account_keeps_its_number_at_the_next_sign_in(client: Client) -> None:
    user = make_user("Lê Văn Cũ", personal_id=NUMBER)
    User.objects.filter(pk=user.pk).update(personal_id_sealed=b"")
    client.post("/signin/", {"username": NUMBER, "password": "wrong password"})
    assert not bytes(User.objects.get(pk=user.pk).personal_id_sealed)  # a failed attempt keeps nothing
    client.post("/signin/", {"username": NUMBER, "password": PASSWORD})
    assert sealed_number(User.objects.get(pk=user.pk)) == NUMBER


def test_the_sealing_key_rotates_and_reseal_moves_everything_to_it() -> None:
    user = user_create(actor=None, personal_id=NUMBER, full_name="Lê Văn Số", password=None)
    ref = sealed.store_file("portraits", b"portrait bytes")
    before = bytes(User.objects.get(pk=user.pk).personal_id_sealed)
    out = io.StringIO()
    call_command("keys", "rotate", "sealing", stdout=out)
    assert len(key_versions("sealing")) == 2
    assert not sealed.sealed_with_current_key(before)
    assert sealed_number(User.objects.get(pk=user.pk)) == NUMBER  # still readable under the old key
    out = io.StringIO()
    call_command("keys", "reseal", stdout=out)
    assert json.loads(out.getvalue()) == {"values": 1, "files": 1, "unreadable": 0}
    after = bytes(User.objects.get(pk=user.pk).personal_id_sealed)
    assert sealed.sealed_with_current_key(after)
    assert sealed.unseal(after, purpose=PID_PURPOSE) == NUMBER.encode()
    assert sealed.read_file(ref) == b"portrait bytes"
    again = io.StringIO()
    call_command("keys", "reseal", stdout=again)
    assert json.loads(again.getvalue()) == {"values": 0, "files": 0, "unreadable": 0}  # nothing left
    actions = list(AuditEvent.objects.filter(object_type="keys").values_list("action", flat=True))
    assert actions == ["keys.rotated", "keys.resealed", "keys.resealed"]
    listing = io.StringIO()
    call_command("keys", "list", stdout=listing)
    assert "sealing\tv2\t" in listing.getvalue()
    assert all(len(line.split("\t")[2]) == 16 for line in listing.getvalue().splitlines())  # ids, not keys


def test_an_altered_value_is_reported_not_rewritten() -> None:
    user = user_create(actor=None, personal_id=NUMBER, full_name="Lê Văn Số", password=None)
    blob = bytearray(User.objects.get(pk=user.pk).personal_id_sealed)
    blob[-1] ^= 1
    User.objects.filter(pk=user.pk).update(personal_id_sealed=bytes(blob))
    call_command("keys", "rotate", "sealing", stdout=io.StringIO())
    out = io.StringIO()
    call_command("keys", "reseal", stdout=out)
    assert json.loads(out.getvalue())["unreadable"] == 1
    assert bytes(User.objects.get(pk=user.pk).personal_id_sealed) == bytes(blob)
    assert sealed_number(User.objects.get(pk=user.pk)) is None


@pytest.mark.parametrize("name", ["login-index", "subject-pairwise", "audit-chain", "../etc"])
def test_only_the_sealing_key_rotates_here(name: str) -> None:
    with pytest.raises(CommandError):
        call_command("keys", "rotate", name, stdout=io.StringIO())
    assert not AuditEvent.objects.filter(object_type="keys").exists()
