"""Issue 13.1: the verification API as a relying party meets it — whose tokens it takes (a client's
own, Bearer or DPoP-bound with a proof for the exact URL, with the scope of the question), what it
refuses (malformed, hostile, too many) and how, the batch form, the signed answer checked against the
published JWKS, and the per-client minute."""

from __future__ import annotations

import json
import string
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import KeySet

from dinhdanh.core.models import AuditEvent
from dinhdanh.federation import keys
from dinhdanh.federation.clients import client_disable
from dinhdanh.trust import ratelimit
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.models import Question, RateWindow
from dinhdanh.trust.verify_schemas import Refusal, parse_person_question
from tests.federation.fapi import fapi_rp
from tests.trust.test_verification_support import (
    MEMBER_NUMBER,
    REP_NUMBER,
    TAX_CODE,
    World,
    ask,
    basic,
    keep_outbox,
    relying_party,
    token_for,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings: Any, tmp_path: Path) -> None:
    keep_outbox(settings, tmp_path)


@pytest.fixture
def w(db: None) -> World:
    return world()


def rep_question(w: World, **more: Any) -> dict[str, Any]:
    return {"organization": w.org.eid, "personal_number": REP_NUMBER, "question": "representative", **more}


def nothing_kept() -> bool:
    return (
        not Question.objects.exists()
        and not RateWindow.objects.exists()
        and not AuditEvent.objects.filter(action=TrustAction.VERIFICATION_ASKED).exists()
    )


def refused(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert "no-store" in response["Cache-Control"]
    body = dict(response.json())
    assert body["error"] == error, body
    return body


# --- tokens and scopes --------------------------------------------------------------------------


def test_no_token_or_a_foreign_one_is_401_with_a_challenge(w: World) -> None:
    response = ask("organization", {"organization": w.org.eid}, None)
    refused(response, 401, "invalid_token")
    assert response["WWW-Authenticate"] == "Bearer, DPoP"
    refused(ask("organization", {"organization": w.org.eid}, "not.a.token"), 401, "invalid_token")
    assert nothing_kept()


def test_each_question_needs_its_scope(w: World) -> None:
    client, secret = relying_party(scopes=("verify.organization",))
    narrow = token_for(client, secret)
    assert ask("organization", {"organization": w.org.eid}, narrow).status_code == 200
    response = ask("person", rep_question(w), narrow)
    refused(response, 403, "insufficient_scope")
    assert response["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="verify.member"'
    # A client holding both scopes but asking the token for one gets only that one.
    only_member = token_for(w.client, w.secret, scope="verify.member")
    refused(ask("organization", {"organization": w.org.eid}, only_member), 403, "insufficient_scope")
    assert ask("person", rep_question(w), only_member).status_code == 200


def test_expired_revoked_disabled_and_person_tokens_are_refused(w: World) -> None:
    claims = keys.verify(w.token, typ="at+jwt")
    expired = keys.sign({**claims, "exp": int(timezone.now().timestamp()) - 1}, typ="at+jwt")
    refused(ask("organization", {"organization": w.org.eid}, expired), 401, "invalid_token")
    # A person's access token (it names a subject other than the client and the sign-in's acr).
    persons = keys.sign({**claims, "sub": "nguoi-dung-1", "acr": "urn:dinhdanh:loa:2"}, typ="at+jwt")
    refused(ask("organization", {"organization": w.org.eid}, persons), 401, "invalid_token")
    revoked = token_for(w.client, w.secret)
    answer = Browser().post("/oauth/revoke", {"token": revoked}, HTTP_AUTHORIZATION=basic(w.client, w.secret))
    assert answer.status_code == 200
    refused(ask("organization", {"organization": w.org.eid}, revoked), 401, "invalid_token")
    client_disable(actor=None, client_id=w.client.client_id)
    refused(ask("organization", {"organization": w.org.eid}, w.token), 401, "invalid_token")
    assert nothing_kept()


def test_a_dpop_bound_token_needs_a_proof_for_the_exact_url(w: World) -> None:
    rp = fapi_rp(scopes=("openid", "verify.organization", "verify.member"), service="")
    issued = rp.post("/oauth/token", {"grant_type": "client_credentials"})
    assert issued.status_code == 200, issued.content
    assert issued.json()["token_type"] == "DPoP"
    bound = issued.json()["access_token"]
    body = {"organization": w.org.eid}
    as_bearer = ask("organization", body, bound)
    refused(as_bearer, 401, "invalid_token")
    assert as_bearer["WWW-Authenticate"].startswith("DPoP")
    refused(ask("organization", body, bound, HTTP_AUTHORIZATION=f"DPoP {bound}"), 401, "invalid_dpop_proof")
    wrong_url = rp.proof("POST", "/api/v1/verify/batch", token=bound)
    refused(
        ask("organization", body, bound, HTTP_AUTHORIZATION=f"DPoP {bound}", HTTP_DPOP=wrong_url),
        401,
        "invalid_dpop_proof",
    )
    assert nothing_kept()
    proof = rp.proof("POST", "/api/v1/verify/organization", token=bound)
    answered = ask("organization", body, bound, HTTP_AUTHORIZATION=f"DPoP {bound}", HTTP_DPOP=proof)
    assert answered.status_code == 200, answered.content
    assert answered.json()["answer"] == "yes"
    assert answered["DPoP-Nonce"]
    replayed = ask("organization", body, bound, HTTP_AUTHORIZATION=f"DPoP {bound}", HTTP_DPOP=proof)
    refused(replayed, 401, "invalid_dpop_proof")


# --- malformed and hostile input ---------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "",
        "12345",
        "0911850001",
        "09118500011x",
        "0911850001111",
        91185000111,
        None,
        ["091185000111"],
        "٠٩١١٨٥٠٠٠١١١",
    ],
)
def test_a_malformed_personal_number_is_400_and_nothing_is_kept(w: World, number: Any) -> None:
    response = ask("person", rep_question(w, personal_number=number), w.token)
    body = refused(response, 400, "invalid_request")
    assert body["field"] == "personal_number"
    assert "0911850001" not in response.content.decode()
    assert nothing_kept()


def test_a_number_typed_with_spaces_or_fullwidth_digits_is_read(w: World) -> None:
    for typed in ("0911 8500 0111", "０９１１８５０００１１１"):
        response = ask("person", rep_question(w, personal_number=typed), w.token)
        assert response.status_code == 200, response.content
        assert response.json()["answer"] == "yes"


@pytest.mark.parametrize(
    ("what", "body", "field"),
    [
        ("organization", {"organization": "1" * 100_000}, ""),  # past the body limit
        ("organization", {"organization": "1" * 65}, "organization"),
        ("organization", {"organization": 100109106}, "organization"),
        ("organization", {"organization": "10000000008"}, "organization"),  # eid with a wrong check digit
        ("organization", {"organization": "0100109107"}, "organization"),  # tax code with a wrong one
        ("organization", {"organization": "100109106"}, "organization"),  # a lost leading zero: not guessed
        ("organization", {}, "organization"),
        ("organization", ["0100109106"], ""),
        ("organization", "0100109106", ""),
        ("person", {"question": "owner"}, "question"),
        ("person", {"question": "member"}, "service"),
        ("person", {"question": "member", "service": "THUE"}, "service"),
        ("person", {"question": "member", "service": "khong.co"}, "service"),  # no such service
        ("person", {"question": "representative", "service": "bhxh"}, "service"),
        ("person", {"question": "representative", "on": "2025-13-01"}, "on"),
        ("person", {"question": "representative", "on": "2025-1-1"}, "on"),
        ("person", {"question": "representative", "on": "0001-01-01"}, "on"),
        ("person", {"question": "representative", "on": 20250101}, "on"),
    ],
)
def test_hostile_bodies_are_400_naming_the_field_and_nothing_is_kept(
    w: World, what: str, body: Any, field: str
) -> None:
    if what == "person":
        body = {"organization": TAX_CODE, "personal_number": REP_NUMBER, **body}
    response = ask(what, body, w.token)
    assert refused(response, 400, "invalid_request")["field"] == field
    assert nothing_kept()


@pytest.mark.parametrize(
    "raw", [b"", b"{", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000, b'{"organization": NaN}']
)
def test_a_body_that_is_not_json_is_400(w: World, raw: bytes) -> None:
    response = ask("organization", None, w.token, raw=raw)
    assert response.status_code == 400, response.content
    assert nothing_kept()


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(["organization", "personal_number", "question", "service", "on", "kind"]),
        st.one_of(
            st.none(),
            st.integers(),
            st.floats(),
            st.booleans(),
            st.text(max_size=80),
            st.text(alphabet=string.digits + " -.", max_size=20),
            st.lists(st.integers(), max_size=3),
        ),
    )
)
def test_the_question_parser_refuses_or_reads_and_never_echoes(raw: dict[str, Any]) -> None:
    today = timezone.now().date()
    try:
        parsed = parse_person_question(raw, today=today)
    except Refusal as refusal:
        said = refusal.description
    else:
        said = repr(parsed)
        assert len(parsed.number) == 12
        assert parsed.number.isdigit()
    number = raw.get("personal_number")
    # An echo that matters is an ID number: a value with digits. A word such as "string" may be part of
    # our own message ("must be a string") without being an echo.
    if isinstance(number, str) and len(number.strip()) >= 6 and any(c.isdigit() for c in number):
        assert number.strip() not in said


# --- the batch --------------------------------------------------------------------------------


def test_a_batch_answers_each_question_on_its_own_under_one_signature(w: World) -> None:
    questions: list[Any] = [
        {"kind": "organization", "organization": w.org.eid},
        {"kind": "person", **rep_question(w)},
        {"kind": "person", **rep_question(w, personal_number="123")},  # malformed: its own error
        {"kind": "organization", "organization": "10000000009"},  # unknown
        {"kind": "person", "organization": TAX_CODE, "personal_number": MEMBER_NUMBER, "question": "member",
         "service": "bhxh"},
        "not an object",
        {"kind": "company", "organization": w.org.eid},
        {"kind": "organization", "organization": w.org.eid},  # a duplicate: answered again
    ]  # fmt: skip
    response = ask("batch", {"questions": questions}, w.token)
    assert response.status_code == 200, response.content
    answers = response.json()["answers"]
    assert [a["index"] for a in answers] == list(range(8))
    assert [a.get("answer") or a["error"] for a in answers] == [
        "yes", "yes", "invalid_request", "unknown", "no", "invalid_request", "invalid_request", "yes",
    ]  # fmt: skip
    assert (answers[2]["field"], answers[6]["field"]) == ("personal_number", "kind")
    claims = keys.verify(response.json()["jws"], typ="verification+jwt")
    assert claims["answers"] == answers
    assert REP_NUMBER not in response.content.decode()
    assert Question.objects.count() == 5
    (event,) = AuditEvent.objects.filter(action=TrustAction.VERIFICATION_ASKED)
    assert event.chain.startswith("reads:central:")  # a look, never queued on the central head (0039)
    assert event.after is not None
    assert event.after["counts"] == {
        "member.no": 1, "organization_active.unknown": 1, "organization_active.yes": 2, "refused": 3,
        "representative.yes": 1,
    }  # fmt: skip
    assert RateWindow.objects.get().count == 8


def test_a_batch_needs_the_scopes_of_the_kinds_it_holds(w: World) -> None:
    client, secret = relying_party(scopes=("verify.organization",))
    narrow = token_for(client, secret)
    organizations = [{"kind": "organization", "organization": w.org.eid}]
    assert ask("batch", {"questions": organizations}, narrow).status_code == 200
    mixed = [*organizations, {"kind": "person", **rep_question(w)}]
    response = ask("batch", {"questions": mixed}, narrow)
    refused(response, 403, "insufficient_scope")
    assert 'scope="verify.organization verify.member"' in response["WWW-Authenticate"]


@pytest.mark.parametrize(
    "body",
    [
        {"questions": []},
        {"questions": [{"kind": "organization", "organization": TAX_CODE}] * 1001},
        {"questions": {"kind": "organization"}},
        {"questions": [{"kind": "x"}, 1, None]},
        [],
    ],
)
def test_a_batch_that_is_not_one_is_400_and_nothing_is_kept(w: World, body: Any) -> None:
    refused(ask("batch", body, w.token), 400, "invalid_request")
    assert nothing_kept()


def test_a_bad_batch_without_a_token_is_still_401(w: World) -> None:
    refused(ask("batch", {"questions": []}, None), 401, "invalid_token")


# --- the signed answer ------------------------------------------------------------------------


def test_the_signed_answer_verifies_against_the_published_keys(w: World) -> None:
    response = ask("person", rep_question(w), w.token)
    body = response.json()
    published = KeySet.import_key_set(Browser().get("/.well-known/jwks.json").json())
    token = jwt.decode(body["jws"], published)
    assert token.header["typ"] == "verification+jwt"
    claims = token.claims
    assert (claims["iss"], claims["aud"], claims["answer"]) == (
        settings.FEDERATION_ISSUER, w.client.client_id, "yes",
    )  # fmt: skip
    assert isinstance(claims["iat"], int)
    assert len(claims["jti"]) >= 16
    assert (claims["organization"], claims["question"], claims["eid"]) == (w.org.eid, "representative", w.org.eid)
    assert claims["person_digest"] == body["person_digest"]
    assert REP_NUMBER not in json.dumps(claims)
    assert {k: v for k, v in body.items() if k != "jws"} == {
        k: v for k, v in claims.items() if k not in {"iss", "aud", "iat", "jti"}
    }


# --- the per-client minute --------------------------------------------------------------------


def test_the_minute_is_counted_per_client_and_refused_with_retry_after(w: World, settings: Any) -> None:
    settings.TRUST_VERIFY_PER_MINUTE = 3
    body = {"organization": w.org.eid}
    two = {"questions": [{"kind": "organization", "organization": w.org.eid}] * 2}
    assert ask("batch", two, w.token).status_code == 200
    too_many = ask("batch", two, w.token)  # 2 + 2 > 3: refused, and not counted
    refused(too_many, 429, "too_many_requests")
    assert 1 <= int(too_many["Retry-After"]) <= 60
    assert ask("organization", body, w.token).status_code == 200  # the third question still fits
    last = ask("organization", body, w.token)
    refused(last, 429, "too_many_requests")
    assert last.json()["retry_after"] == int(last["Retry-After"])
    assert Question.objects.count() == 3
    assert AuditEvent.objects.filter(action=TrustAction.VERIFICATION_ASKED).count() == 2
    other_client, other_secret = relying_party(name="Công ty Công chứng")
    assert ask("organization", body, token_for(other_client, other_secret)).status_code == 200
    # A batch larger than the limit would never pass: said so, not "retry".
    four = {"questions": [{"kind": "organization", "organization": w.org.eid}] * 4}
    refused(ask("batch", four, token_for(other_client, other_secret)), 400, "invalid_request")


def test_a_new_minute_starts_afresh_and_drops_the_old_window(w: World, settings: Any) -> None:
    settings.TRUST_VERIFY_PER_MINUTE = 5
    now = timezone.now().replace(second=59, microsecond=500_000)
    first = ratelimit.take(client=w.client, questions=5, now=now)
    assert (first.allowed, first.used, first.retry_after) == (True, 5, 1)
    assert not ratelimit.take(client=w.client, questions=1, now=now).allowed
    later = ratelimit.take(client=w.client, questions=1, now=now + timedelta(seconds=1))
    assert (later.allowed, later.used, later.retry_after) == (True, 1, 60)
    (window,) = RateWindow.objects.all()
    assert window.window_start == ratelimit.window_start(now + timedelta(seconds=1))
