"""Decision 0038: the verification API on the lean serving path (``federation.fastpath``) answers as
Django's whole handler (and django-ninja's operation) answers — status, body and every header — for
every outcome: answers single and batch, each refusal (token, scope, DPoP, body, minute), an exception
in the view; it keeps and audits each call the same; and leaves to Django what it is not for (another
content type, a cookie, another method)."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections

from dinhdanh.core.models import AuditEvent
from dinhdanh.federation import keys
from dinhdanh.federation.fastpath import LeanPath
from dinhdanh.federation.lean_routes import JSON_ROUTES
from dinhdanh.trust import verification
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.models import Question
from tests.federation.fapi import fapi_rp
from tests.federation.test_serving_path import call
from tests.http.lean import Spy, connection_kept
from tests.trust.test_verification_support import (
    MEMBER_NUMBER,
    REP_NUMBER,
    TAX_CODE,
    World,
    keep_outbox,
    relying_party,
    token_for,
    world,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("connection_kept")]
__all__ = ["connection_kept"]  # the fixture (tests.http.lean), used by every test here

type Answer = tuple[int, dict[str, str], bytes]
VARYING = {"Expires", "DPoP-Nonce"}  # a date to the second, a fresh nonce


@pytest.fixture(autouse=True)
def _outbox(settings: Any, tmp_path: Path) -> None:
    keep_outbox(settings, tmp_path)


def connection_kept_again() -> None:
    """django.test.Client (which the tokens come through) connects close_old_connections again when
    done: disconnected once more for the requests that follow (see connection_kept)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)


@pytest.fixture
def w(db: None) -> World:
    made = world()
    connection_kept_again()
    return made


def verify(what: str, body: object, token: str, *, content_type: str = "application/json", **headers: str) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    auth = headers.pop("AUTHORIZATION", f"Bearer {token}")
    return lambda app: call(
        app, f"/api/v1/verify/{what}", data, CONTENT_TYPE=content_type, AUTHORIZATION=auth, **headers
    )


def both(request: Any) -> tuple[Answer, Answer, int]:
    """Django's answer, then the lean path's, and how many of the lean path's it handed to Django."""
    spy = Spy()
    return request(spy.django), request(LeanPath(spy)), spy.calls


def same_headers(django: Answer, lean: Answer) -> None:
    assert {k: v for k, v in lean[1].items() if k not in VARYING} == {
        k: v for k, v in django[1].items() if k not in VARYING
    }
    assert {k for k in lean[1] if k in VARYING} == {k for k in django[1] if k in VARYING}
    if "Expires" in lean[1]:  # add_never_cache_headers: now, to the second
        apart = parsedate_to_datetime(lean[1]["Expires"]) - parsedate_to_datetime(django[1]["Expires"])
        assert abs(apart.total_seconds()) <= 2


def same(django: Answer, lean: Answer) -> None:
    assert lean[0] == django[0]
    same_headers(django, lean)
    assert lean[2] == django[2]


def same_answer(django: Answer, lean: Answer) -> dict[str, Any]:
    """Two signed answers differ in the JWS's jti (and maybe its second); all else is the same."""
    assert (lean[0], django[0]) == (200, 200), (lean[2], django[2])
    same_headers(django, lean)  # Content-Length included: the JWS have the same length
    mine, theirs = json.loads(lean[2]), json.loads(django[2])
    assert {k: v for k, v in mine.items() if k != "jws"} == {k: v for k, v in theirs.items() if k != "jws"}
    claims, django_claims = (keys.verify(answer["jws"], typ=verification.TYP) for answer in (mine, theirs))
    ignore = {"jti", "iat"}
    assert {k: v for k, v in claims.items() if k not in ignore} == {
        k: v for k, v in django_claims.items() if k not in ignore
    }
    return dict(mine)


def test_the_verification_api_is_registered_for_the_lean_path(w: World) -> None:
    lean = LeanPath(Spy())
    assert set(lean.json_views) == {"/api/v1/verify/organization", "/api/v1/verify/person", "/api/v1/verify/batch"}
    assert {"api:verify_organization", "api:verify_person", "api:verify_batch"} <= set(JSON_ROUTES)


@pytest.mark.parametrize(
    ("what", "body"),
    [
        ("organization", {"organization": TAX_CODE}),
        ("organization", {"organization": "10000000009"}),  # unknown
        ("person", {"organization": TAX_CODE, "personal_number": REP_NUMBER, "question": "representative"}),
        ("person", {"organization": TAX_CODE, "personal_number": MEMBER_NUMBER, "question": "representative"}),
        (
            "person",
            {"organization": TAX_CODE, "personal_number": REP_NUMBER, "question": "member", "service": "bhxh"},
        ),
        (
            "batch",
            {
                "questions": [
                    {"kind": "organization", "organization": TAX_CODE},
                    {
                        "kind": "person",
                        "organization": TAX_CODE,
                        "personal_number": REP_NUMBER,
                        "question": "representative",
                        "on": "2020-01-01",
                    },
                    {"kind": "person", "organization": "nope"},  # refused on its own
                    {
                        "kind": "person",
                        "organization": TAX_CODE,
                        "personal_number": REP_NUMBER,
                        "question": "member",
                        "service": "thue.ke_khai",
                    },
                ]
            },
        ),
    ],
)
def test_answers_are_the_same_and_each_call_is_kept_and_audited(w: World, what: str, body: object) -> None:
    django, lean, handed = both(verify(what, body, w.token))
    answer = same_answer(django, lean)
    assert handed == 0
    assert "jws" in answer
    assert "Cache-Control" in lean[1]
    assert "no-store" in lean[1]["Cache-Control"]
    calls = AuditEvent.objects.filter(action=TrustAction.VERIFICATION_ASKED, object_id=str(w.client.pk))
    assert calls.count() == 2
    questions = len(body["questions"]) - 1 if isinstance(body, dict) and "questions" in body else 1
    assert Question.objects.filter(client=w.client).count() == 2 * questions
    assert REP_NUMBER.encode() not in lean[2]


@pytest.mark.parametrize(
    ("what", "body", "headers", "status"),
    [
        ("organization", {"organization": TAX_CODE}, {"AUTHORIZATION": ""}, 401),
        ("organization", {"organization": TAX_CODE}, {"AUTHORIZATION": "Bearer not-a-token"}, 401),
        ("organization", b"{not json", {}, 400),
        ("organization", {"organization": "0100109106 or 1=1"}, {}, 400),
        ("organization", b"[" * 5000, {}, 400),  # past the single body's limit
        ("organization", "\ud800".encode("utf-8", "surrogatepass"), {}, 400),
        ("person", {"organization": TAX_CODE, "personal_number": "12", "question": "member"}, {}, 400),
        ("batch", {"questions": []}, {}, 400),
        ("batch", {"questions": [{"kind": "nothing"}]}, {}, 400),
    ],
)
def test_refusals_are_the_same_and_nothing_is_kept(
    w: World, what: str, body: object, headers: dict[str, str], status: int
) -> None:
    django, lean, handed = both(verify(what, body, w.token, **headers))
    same(django, lean)
    assert (lean[0], handed) == (status, 0)
    assert not Question.objects.exists()


def test_a_missing_scope_is_refused_the_same(w: World) -> None:
    client, secret = relying_party(("verify.organization",), name="Chỉ hỏi tổ chức")
    token = token_for(client, secret)
    connection_kept_again()
    body = {"organization": TAX_CODE, "personal_number": REP_NUMBER, "question": "representative"}
    django, lean, handed = both(verify("person", body, token))
    same(django, lean)
    assert (lean[0], json.loads(lean[2])["error"], handed) == (403, "insufficient_scope", 0)
    assert "WWW-Authenticate" in lean[1]


def test_the_minute_is_refused_the_same(w: World, settings: Any) -> None:
    settings.TRUST_VERIFY_PER_MINUTE = 2
    ask = verify("organization", {"organization": TAX_CODE}, w.token)
    django, lean, _handed = both(ask)  # the minute's two questions
    assert (django[0], lean[0]) == (200, 200)
    django, lean, handed = both(ask)
    same(django, lean)
    assert (lean[0], handed) == (429, 0)
    assert lean[1]["Retry-After"].isdigit()


def test_a_dpop_bound_token_and_its_proof_are_checked_the_same(w: World) -> None:
    rp = fapi_rp(scopes=("openid", "verify.organization", "verify.member"), service="")
    issued = rp.post("/oauth/token", {"grant_type": "client_credentials"})
    bound = issued.json()["access_token"]
    connection_kept_again()
    path = "/api/v1/verify/organization"
    answers = []
    for _app in range(2):  # a proof is single-use: one for each path
        proof = rp.proof("POST", path, token=bound)
        answers.append(verify("organization", {"organization": TAX_CODE}, bound, AUTHORIZATION=f"DPoP {bound}", DPOP=proof))  # fmt: skip
    spy = Spy()
    django, lean = answers[0](spy.django), answers[1](LeanPath(spy))
    same_answer(django, lean)
    assert "DPoP-Nonce" in lean[1]
    assert spy.calls == 0
    replayed = answers[0]  # the proof the Django path used, again
    django_replay, lean_replay = replayed(spy.django), replayed(LeanPath(spy))
    same(django_replay, lean_replay)
    assert json.loads(lean_replay[2])["error"] == "invalid_dpop_proof"
    wrong = verify("organization", {"organization": TAX_CODE}, bound, AUTHORIZATION=f"DPoP {bound}")
    django, lean, handed = both(wrong)  # no proof at all
    same(django, lean)
    assert (lean[0], handed) == (401, 0)


def test_an_exception_in_the_view_is_answered_as_the_api_answers_it(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dinhdanh.trust import api_verify

    def broken(**named: Any) -> Any:
        raise RuntimeError("broken")

    monkeypatch.setattr(api_verify, "verification_counted", broken)
    django, lean, handed = both(verify("organization", {"organization": TAX_CODE}, w.token))
    same(django, lean)
    assert (lean[0], lean[1]["Content-Type"], handed) == (500, "application/problem+json", 0)


@pytest.mark.parametrize(
    ("content_type", "method", "cookie"),
    [
        ("text/plain", "POST", ""),
        ("application/x-www-form-urlencoded", "POST", ""),
        ("application/json", "PUT", ""),
        ("application/json", "POST", "sessionid=x"),
    ],
)
def test_what_the_lean_path_is_not_for_goes_to_django(
    w: World, content_type: str, method: str, cookie: str
) -> None:
    def request(app: Any) -> Answer:
        extra = {"COOKIE": cookie} if cookie else {}
        data = json.dumps({"organization": TAX_CODE}).encode()
        return call(
            app, "/api/v1/verify/organization", data, method=method, CONTENT_TYPE=content_type,
            AUTHORIZATION=f"Bearer {w.token}", **extra,
        )  # fmt: skip

    spy = Spy()
    lean = request(LeanPath(spy))
    assert spy.calls == 1
    assert lean[0] in (200, 405)
