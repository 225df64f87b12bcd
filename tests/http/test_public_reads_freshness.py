"""Issue 17.3, decision 0050: what the public reads are kept for. The JWKS is never served stale — a key
rotated by the service or changed in the database by another process shows at the next request, lean path
included; the units' answers and validators change when the units change (a reform, plain SQL) or the day
does; a page revalidates against the reader's own CSRF cookie; signed-in people's answers are not stored."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.core import signals
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from dinhdanh.core.access import AdministratorRole
from dinhdanh.federation import keys
from dinhdanh.federation.models import SigningKey
from dinhdanh.geo import freshness
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.geo.reform import units_merge
from dinhdanh.http.lean_reads import LeanReads
from dinhdanh.http.public_reads import MAX_BODY, Store
from tests.conftest import make_officer, make_user, signed_in, unit
from tests.http.lean import Spy, call, connection_kept, header
from tests.organizations.factories import commune

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("connection_kept")]
__all__ = ["connection_kept"]

JWKS = "/.well-known/jwks.json"


def kids(answer: tuple[int, list[tuple[str, str]], bytes]) -> set[str]:
    return {key["kid"] for key in json.loads(answer[2])["keys"]}


def test_a_rotated_key_is_in_the_jwks_at_the_next_request() -> None:
    keys.keys_maintain()
    spy = Spy()
    lean = LeanReads(spy)
    first = call(lean, JWKS)
    assert call(lean, JWKS) == first
    handed = spy.calls
    made = keys.key_rotate(actor=None, algs=("ES256",))
    after = call(lean, JWKS)
    assert made[0].kid in kids(after)
    assert kids(first) < kids(after)  # the retired key stays published beside the new one
    assert header(after, "ETag") != header(first, "ETag")
    assert spy.calls == handed + 1  # handed to Django once, then kept again
    assert call(lean, JWKS)[2] == after[2]
    assert spy.calls == handed + 1
    # A relying party revalidating its old copy gets the new set, not a 304.
    revalidated = call(lean, JWKS, IF_NONE_MATCH=header(first, "ETag") or "")
    assert (revalidated[0], revalidated[2]) == (200, after[2])
    assert header(after, "Cache-Control") == "public, max-age=0, must-revalidate"


def test_a_key_changed_in_the_database_by_another_process_shows_at_once() -> None:
    keys.keys_maintain()
    spy = Spy()
    lean = LeanReads(spy)
    call(lean, JWKS)
    before = call(lean, JWKS)
    dropped = SigningKey.objects.filter(alg="PS256").get()
    past = connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(seconds=1))
    with connection.cursor() as cursor:  # plain SQL, as another process's would land: nothing in this one knows
        table = SigningKey._meta.db_table
        cursor.execute(f"UPDATE {table} SET publish_until = %s WHERE id = %s", [past, dropped.pk])  # noqa: S608
    after = call(lean, JWKS)
    assert dropped.kid in kids(before)
    assert dropped.kid not in kids(after)
    assert header(after, "ETag") != header(before, "ETag")


def test_a_reform_changes_the_units_answers_and_their_validators() -> None:
    a, b = commune(index=0), commune(index=1)
    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, unit("91", Level.PROVINCE), "Quản trị An Giang")
    spy = Spy()
    lean = LeanReads(spy)
    listing, page = ("/api/v1/units", "parent=91&level=commune"), ("/units/91/", "")
    before = {target: (call(lean, *target), call(lean, *target)) for target in (listing, page)}
    units_merge(actor=admin, retired=[a], into=b, effective_on=timezone.localdate())
    freshness.forget()  # as RECHECK_SECONDS passing would (test_units_change_shows_within_the_recheck_period)
    handed = spy.calls
    api_after, page_after = call(lean, *listing), call(lean, *page)
    assert spy.calls == handed + 2
    assert a.code in {u["code"] for u in json.loads(before[listing][1][2])}
    assert a.code not in {u["code"] for u in json.loads(api_after[2])}
    assert header(api_after, "ETag") != header(before[listing][1], "ETag")
    assert a.name.encode() in before[page][1][2]
    assert a.name.encode() not in page_after[2]


def test_units_changed_by_plain_sql_show_within_the_recheck_period() -> None:
    path = "/api/v1/units/2025/province/91"
    spy = Spy()
    lean = LeanReads(spy)
    freshness.forget()
    before = call(lean, path)
    table = AdministrativeUnit._meta.db_table
    with connection.cursor() as cursor:  # what a process that is not this one might do: no signal, no service
        cursor.execute(f"UPDATE {table} SET name = %s WHERE scheme = '2025' AND level = 'province' AND code = '91'", ["Tỉnh Đổi Tên"])  # noqa: S608  # fmt: skip
    time.sleep(freshness.RECHECK_SECONDS + 0.05)
    after = call(lean, path)
    assert json.loads(after[2])["name"] == "Tỉnh Đổi Tên"
    assert json.loads(before[2])["name"] != "Tỉnh Đổi Tên"
    assert header(after, "ETag") != header(before, "ETag")


def test_a_unit_retired_today_leaves_the_current_list_tomorrow(monkeypatch: pytest.MonkeyPatch) -> None:
    retiring = commune(index=2)
    AdministrativeUnit.objects.filter(pk=retiring.pk).update(valid_to=timezone.localdate())
    freshness.forget()
    spy = Spy()
    lean = LeanReads(spy)
    target = ("/api/v1/units", "parent=91&level=commune")
    call(lean, *target)
    today = call(lean, *target)
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)  # the clock, not our code
    later = call(lean, *target)
    assert retiring.code in {u["code"] for u in json.loads(today[2])}
    assert retiring.code not in {u["code"] for u in json.loads(later[2])}
    assert header(later, "ETag") != header(today, "ETag")


def test_a_page_revalidates_against_the_readers_own_csrf_cookie() -> None:
    browser = Client()
    first = browser.get("/units/")
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert browser.get("/units/", headers={"if-none-match": etag}).status_code == 304  # same cookie
    other = Client()
    other.get("/units/")  # another cookie
    assert other.get("/units/", headers={"if-none-match": etag}).status_code == 200


def test_signed_in_answers_are_never_stored() -> None:
    browser = signed_in(Client(), make_user())
    api = browser.get("/api/v1/units/2008/province/91")
    assert api.status_code == 200
    assert {"no-store", "private"} <= {d.strip() for d in api["Cache-Control"].split(",")}
    assert "public" not in api["Cache-Control"]
    page = browser.get("/units/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert not page.has_header("ETag")  # made for them alone, never from the visitors' copy


def test_a_body_past_the_limit_is_made_and_handed_to_django_every_time() -> None:
    spy = Spy()
    lean = LeanReads(spy)
    big = ("/api/v1/units", "scheme=2008&level=commune")  # 10,051 communes
    answers = [call(lean, *big) for _ in range(2)]
    assert len(answers[0][2]) > MAX_BODY
    assert answers[0] == answers[1]
    assert spy.calls == 2


def test_the_store_keeps_within_its_entries_and_bytes() -> None:
    store: Store[str, bytes] = Store(3, 10, len)
    for key in "abcd":
        store.put(key, b"xx")
    assert (len(store), store.get("a"), store.get("d")) == (3, None, b"xx")
    store.put("e", b"x" * 9)  # 9 bytes: the older entries go until the total is within 10
    assert (len(store), store.get("e")) == (1, b"x" * 9)
    store.put("e", b"y")
    store.drop("e")
    assert len(store) == 0
    store.put("f", b"z" * 11)  # larger than the whole store: not kept
    assert store.get("f") is None


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_jwks_reads_the_keys_at_every_request_too() -> None:
    """Committed writes, as another process makes them; the key ids are then read on the DB-API connection
    (federation.views._published_keys), and a connection broken underneath is Django's to mend."""
    # No test transaction to keep here: Django's receivers run as in a server (connection_kept restores them).
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
    keys.keys_maintain()
    spy = Spy()
    lean = LeanReads(spy)
    call(lean, JWKS)
    first = call(lean, JWKS)
    made = keys.key_rotate(actor=None, algs=("EdDSA",))
    after = call(lean, JWKS)
    assert made[0].kid in kids(after)
    assert made[0].kid not in kids(first)
    if connection.vendor == "postgresql":  # an in-memory SQLite test database would vanish with its connection
        assert connection.connection is not None
        connection.connection.close()  # the server went away, say: Django does not know yet
        again = call(lean, JWKS)
        assert (again[0], kids(again)) == (200, kids(after))
