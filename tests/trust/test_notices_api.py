"""/api/v1/notices/ with a client's own token (scope verify.organization), and the administrators' pages
of notices with their requeue button."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as Browser
from django.utils import timezone

from dinhdanh.core.access import AdministratorRole
from dinhdanh.federation.models import Client
from dinhdanh.trust import sets
from dinhdanh.trust.models import Notice, NoticeState, Receiver, Subscription
from tests.conftest import make_officer, make_user, signed_in
from tests.trust.test_notices_support import file_outbox, relying_party, served_organization, token_for

pytestmark = pytest.mark.django_db

API = "/api/v1/notices"


@pytest.fixture(autouse=True)
def outbox(settings: Any, tmp_path: Path) -> None:
    file_outbox(settings, tmp_path)


def call(method: str, path: str, token: str | None, body: Any = None, *, raw: bytes | None = None) -> Any:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return Browser().get(f"{API}{path}", **headers)
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    return getattr(Browser(), method)(f"{API}{path}", data=data, content_type="application/json", **headers)


@pytest.fixture
def party() -> tuple[Client, str]:
    client, secret = relying_party()
    return client, token_for(client, secret)


def dead_notice(client: Client) -> Notice:
    now = timezone.now()
    jti, token = sets.make(
        client=client, event_type=sets.ACCOUNT_PURGED, subject=sets.organization_subject("00000000002"),
        detail={}, occurred=now, now=now,
    )  # fmt: skip
    return Notice.objects.create(
        jti=jti, client=client, domain_event_id=7, event_type=sets.ACCOUNT_PURGED, token=token,
        state=NoticeState.DEAD, attempts=8, last_error="HTTP 500",
    )  # fmt: skip


def test_a_client_sets_its_receiver_subscribes_lists_and_unsubscribes(party: tuple[Client, str]) -> None:
    _client, token = party
    assert call("get", "/receiver", token).json()["method"] is None
    answer = call(
        "put", "/receiver", token,
        {"method": "push", "endpoint_url": "https://rp.example.vn/set", "authorization": "Bearer top-secret"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.content
    assert "no-store" in answer["Cache-Control"]
    assert answer.json() == {
        "method": "push", "endpoint_url": "https://rp.example.vn/set", "authorization_set": True, "active": True,
    }  # fmt: skip
    assert "top-secret" not in call("get", "/receiver", token).content.decode()
    eid = served_organization().organization.eid
    made = call("post", "/subscriptions", token, {"organization": eid})
    assert (made.status_code, made.json()["organization"]) == (201, eid)
    assert call("post", "/subscriptions", token, {"organization": eid}).status_code == 200
    assert [s["organization"] for s in call("get", "/subscriptions", token).json()["subscriptions"]] == [eid]
    assert call("delete", f"/subscriptions/{eid}", token).status_code == 204
    gone = call("delete", f"/subscriptions/{eid}", token)
    assert (gone.status_code, gone.json()["code"]) == (404, "trust.not_subscribed")
    assert call("get", "/subscriptions", token).json() == {"subscriptions": []}


def test_refusals_are_clear_and_change_nothing(party: tuple[Client, str]) -> None:
    _client, token = party
    eid = served_organization().organization.eid  # its member's grant names the tax service, not a bank's
    bank, bank_secret = relying_party("Ngân hàng", service="ngan-hang")
    refused = call("post", "/subscriptions", token_for(bank, bank_secret), {"organization": eid})
    assert (refused.status_code, refused.json()["code"]) == (403, "trust.not_served")
    assert refused["Content-Type"] == "application/problem+json"
    bad = call("put", "/receiver", token, {"method": "push", "endpoint_url": "http://rp.example.vn/set"})
    assert (bad.status_code, bad.json()["code"]) == (400, "trust.receiver_endpoint")
    for raw in (b"not json", b"[1,2]", b"x" * 20_000):
        assert call("put", "/receiver", token, raw=raw).status_code == 400
        assert call("post", "/subscriptions", token, raw=raw).status_code == 400
    assert call("post", "/subscriptions", token, {"organization": 12}).status_code == 400
    assert not Receiver.objects.exists()
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/receiver"), ("put", "/receiver"), ("get", "/subscriptions"), ("post", "/subscriptions"),
     ("delete", "/subscriptions/00000000001"), ("get", "/dead"), ("post", "/poll")],
)  # fmt: skip
def test_every_endpoint_needs_a_live_client_token_with_the_scope(method: str, path: str) -> None:
    client, secret = relying_party()
    for token in (None, "garbage", token_for(client, secret, scope="verify.member")):
        answer = call(method, path, token, {})
        assert answer.status_code in {401, 403}
        assert answer.json()["error"] in {"invalid_token", "insufficient_scope"}
        assert answer["WWW-Authenticate"]


def test_the_dead_letter_list_shows_only_the_clients_own(party: tuple[Client, str]) -> None:
    client, token = party
    mine = dead_notice(client)
    other, _ = relying_party("Khác")
    dead_notice(other)
    listed = call("get", "/dead", token).json()["notices"]
    assert [(n["jti"], n["set"], n["last_error"]) for n in listed] == [(mine.jti, mine.token, "HTTP 500")]


def test_poll_over_http_with_ack_and_errors(party: tuple[Client, str]) -> None:
    client, token = party
    call("put", "/receiver", token, {"method": "poll"})
    dead = dead_notice(client)
    Notice.objects.filter(pk=dead.pk).update(state=NoticeState.PENDING)
    answer = call("post", "/poll", token, {"maxEvents": 5, "returnImmediately": True})
    assert answer.status_code == 200
    assert answer.json() == {"sets": {dead.jti: dead.token}, "moreAvailable": False}
    assert call("post", "/poll", token, {"ack": [dead.jti], "maxEvents": 5}).json() == {
        "sets": {},
        "moreAvailable": False,
    }
    huge = call("post", "/poll", token, {"ack": ["a"] * 5000})
    assert (huge.status_code, huge.json()["err"]) == (400, "invalid_request")
    assert call("post", "/poll", token, raw=b"{").json()["err"] == "invalid_request"
    assert call("post", "/poll", token, raw=b"[" * 100_000 + b"]" * 100_000).status_code == 400


# --- the administrators' pages ----------------------------------------------------------------------------


def test_administrators_see_notices_and_requeue_a_dead_one_with_csrf() -> None:
    client, _secret = relying_party()
    notice = dead_notice(client)
    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Viên")
    browser = signed_in(Browser(enforce_csrf_checks=True), admin)
    page = browser.get("/trust/notices/")
    assert page.status_code == 200
    assert client.client_id in page.content.decode()
    detail = browser.get(f"/trust/notices/{client.client_id}/?state=dead")
    text = detail.content.decode()
    assert notice.jti in text
    assert notice.token not in text  # the SET itself is the relying party's, not shown here
    assert browser.post(f"/trust/notices/{notice.pk}/requeue/").status_code == 403  # no CSRF token
    token = detail.context["csrf_token"]
    moved = browser.post(f"/trust/notices/{notice.pk}/requeue/", {"csrfmiddlewaretoken": str(token)})
    assert moved.status_code == 302
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (NoticeState.PENDING, 0)
    assert browser.get("/trust/notices/ffff/").status_code == 404


def test_people_who_are_not_administrators_are_refused() -> None:
    client, _secret = relying_party()
    notice = dead_notice(client)
    browser = signed_in(Browser(), make_user("Người Thường"))
    assert browser.get("/trust/notices/").status_code == 403
    assert browser.get(f"/trust/notices/{client.client_id}/").status_code == 403
    assert browser.post(f"/trust/notices/{notice.pk}/requeue/").status_code == 403
    notice.refresh_from_db()
    assert notice.state == NoticeState.DEAD
    assert Browser().get("/trust/notices/").status_code == 302  # to sign in
