"""Issue 12.2: the FAPI 2.0 Security Profile per client — pushed authorization requests (RFC 9126),
DPoP-bound access and refresh tokens with server nonces (RFC 9449), and every refusal the RFCs name,
with nothing issued."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import ECKey
from joserfc.registry import HeaderParameter

from dinhdanh.federation import keys
from dinhdanh.federation.models import AccessToken, AuthorizationCode, PushedRequest, RefreshToken
from dinhdanh.federation.protocol import dpop
from tests.conftest import make_user, signed_in
from tests.federation.fapi import RP, Rp, auth_request, consent, fapi_rp, pkce, push, signed_in_flow
from tests.organizations.factories import make_organization, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def rp(db: None) -> Rp:
    make_service("dvc")
    return fapi_rp()


@pytest.fixture
def person(db: None) -> Any:
    return make_user("Người Dùng FAPI")


def userinfo(rp: Rp, token: str, *, scheme: str = "DPoP", **proof: Any) -> Any:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"{scheme} {token}"}
    if scheme == "DPoP" or proof:
        headers["HTTP_DPOP"] = rp.proof("GET", "/oauth/userinfo", token=token, **proof)
    return Browser().get("/oauth/userinfo", **headers)


def test_par_dpop_code_userinfo_refresh_the_whole_fapi_journey(rp: Rp, person: Any) -> None:
    body, _verifier = signed_in_flow(rp, signed_in(Browser(), person))
    assert body["token_type"] == "DPoP"
    access = keys.verify(body["access_token"])
    assert access["cnf"] == {"jkt": rp.jkt}  # RFC 9449 §6.1
    assert AuthorizationCode.objects.get().dpop_jkt == rp.jkt  # bound at PAR (§10)
    info = userinfo(rp, body["access_token"])
    assert info.status_code == 200, info.content
    assert info.json()["sub"] == keys.verify(body["id_token"])["sub"]
    # Refreshed with the same key: a FAPI client's refresh token is not rotated (FAPI 2.0 §5.3.2.1).
    again = rp.post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert again.status_code == 200, again.content
    assert "refresh_token" not in again.json()
    third = rp.post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert third.status_code == 200, third.content
    assert RefreshToken.objects.count() == 1


def test_a_fapi_client_must_push_its_request(rp: Rp, person: Any) -> None:
    _verifier, challenge = pkce()
    browser = signed_in(Browser(), person)
    answer = browser.get("/oauth/authorize?" + urlencode(auth_request(rp, challenge)))
    assert answer.status_code == 302
    assert "error=invalid_request" in answer["Location"]


def test_a_pushed_request_is_used_once_and_expires(rp: Rp, person: Any) -> None:
    _verifier, challenge = pkce()
    uri = push(rp, challenge).json()["request_uri"]
    browser = signed_in(Browser(), person)
    consent(browser, rp, uri)
    replay = browser.get("/oauth/authorize?" + urlencode({"client_id": rp.client.client_id, "request_uri": uri}))
    assert replay.status_code == 400  # shown on our page: nothing is redirected anywhere
    other = push(rp, challenge).json()["request_uri"]
    PushedRequest.objects.filter(used_at__isnull=True).update(expires_at=timezone.now() - timedelta(seconds=1))
    late = browser.get("/oauth/authorize?" + urlencode({"client_id": rp.client.client_id, "request_uri": other}))
    assert late.status_code == 400


def test_a_pushed_request_belongs_to_its_client(rp: Rp, person: Any) -> None:
    _verifier, challenge = pkce()
    uri = push(rp, challenge).json()["request_uri"]
    thief = fapi_rp()
    page = signed_in(Browser(), person).get(
        "/oauth/authorize?" + urlencode({"client_id": thief.client.client_id, "request_uri": uri})
    )
    assert page.status_code == 400


def test_only_the_pushed_parameters_count(rp: Rp, person: Any) -> None:
    """RFC 9126 §4: a redirect_uri or scope added to the URL is ignored."""
    _verifier, challenge = pkce()
    uri = push(rp, challenge).json()["request_uri"]
    browser = signed_in(Browser(), person)
    params = {"client_id": rp.client.client_id, "request_uri": uri, "redirect_uri": "https://evil.example/cb"}
    assert browser.get("/oauth/authorize?" + urlencode(params)).status_code == 200
    answer = browser.post("/oauth/authorize", {**params, "decision": "allow"})
    assert answer["Location"].startswith(RP + "?")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge": "-", "code_challenge_method": "-"}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"redirect_uri": "https://evil.example/cb"}, "invalid_request"),
        ({"scope": "openid email"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"request_uri": "urn:ietf:params:oauth:request_uri:x"}, "invalid_request"),
        ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
        ({"max_age": "-5"}, "invalid_request"),
        ({"unknown_extension": "x" * 3000}, "invalid_request"),  # nothing oversized is stored
    ],
)
def test_a_bad_push_is_refused_and_stores_nothing(rp: Rp, changes: dict[str, str], error: str) -> None:
    _verifier, challenge = pkce()
    answer = push(rp, challenge, **changes)
    assert (answer.status_code, answer.json()["error"]) == (400, error)
    assert not PushedRequest.objects.exists()


def test_a_push_for_another_client_id_or_unauthenticated_is_refused(rp: Rp) -> None:
    _verifier, challenge = pkce()
    other = fapi_rp()
    mixed = rp.post("/oauth/par", auth_request(other, challenge))
    assert mixed.json()["error"] == "invalid_request"
    bare = Browser().post("/oauth/par", auth_request(rp, challenge))
    assert (bare.status_code, bare.json()["error"]) == (401, "invalid_client")
    assert not PushedRequest.objects.exists()


def test_a_code_bound_at_par_needs_the_same_key(rp: Rp, person: Any) -> None:
    verifier, challenge = pkce()
    uri = push(rp, challenge).json()["request_uri"]
    code = consent(signed_in(Browser(), person), rp, uri)["code"]
    rp.dpop_key = ECKey.generate_key("P-256")  # a thief with the code but not the key
    stolen = rp.post(
        "/oauth/token",
        {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP},
    )
    assert stolen.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()


def test_a_fapi_token_request_without_dpop_is_refused(rp: Rp, person: Any) -> None:
    verifier, challenge = pkce()
    code = consent(signed_in(Browser(), person), rp, push(rp, challenge).json()["request_uri"])["code"]
    bare = rp.post(
        "/oauth/token",
        {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP},
        dpop=False,
    )
    assert bare.json()["error"] == "invalid_request"
    assert not AccessToken.objects.exists()


def test_the_server_asks_for_a_nonce_and_a_stale_one_is_refused(rp: Rp) -> None:
    _verifier, challenge = pkce()
    first = Browser().post(
        "/oauth/par", {**auth_request(rp, challenge), **rp.auth()}, HTTP_DPOP=rp.proof("POST", "/oauth/par")
    )
    assert (first.status_code, first.json()["error"]) == (400, "use_dpop_nonce")
    assert first["DPoP-Nonce"]
    stale = dpop.fresh_nonce(time.time() - dpop.NONCE_SECONDS - 5)
    again = Browser().post(
        "/oauth/par",
        {**auth_request(rp, challenge), **rp.auth()},
        HTTP_DPOP=rp.proof("POST", "/oauth/par", nonce=stale),
    )
    assert again.json()["error"] == "use_dpop_nonce"
    forged = Browser().post(
        "/oauth/par",
        {**auth_request(rp, challenge), **rp.auth()},
        HTTP_DPOP=rp.proof("POST", "/oauth/par", nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    )
    assert forged.json()["error"] == "use_dpop_nonce"
    assert not PushedRequest.objects.exists()


def _with_proof(rp: Rp, proof: str) -> Any:
    _verifier, challenge = pkce()
    return Browser().post("/oauth/par", {**auth_request(rp, challenge), **rp.auth()}, HTTP_DPOP=proof)


@pytest.mark.parametrize(
    "bad",
    [
        "wrong-url",
        "wrong-method",
        "future",
        "old",
        "no-jti",
        "private-jwk",
        "typ",
        "hs256",
        "alg-none",
        "two-proofs",
        "garbage",
        "critical-extension",
    ],
)
def test_a_bad_dpop_proof_is_refused(rp: Rp, bad: str) -> None:
    rp.nonce = dpop.fresh_nonce()
    now = int(time.time())
    proofs: dict[str, Callable[[], str]] = {
        "wrong-url": lambda: rp.proof("POST", "/oauth/token"),
        "wrong-method": lambda: rp.proof("GET", "/oauth/par"),
        "future": lambda: rp.proof("POST", "/oauth/par", iat=now + 30),
        "old": lambda: rp.proof("POST", "/oauth/par", iat=now - 120),
        "no-jti": lambda: rp.proof("POST", "/oauth/par", jti=None),
        "private-jwk": lambda: rp.proof("POST", "/oauth/par", header={"jwk": rp.dpop_key.as_dict(private=True)}),
        "typ": lambda: rp.proof("POST", "/oauth/par", header={"typ": "JWT"}),
        "hs256": lambda: _hs256_proof(rp),
        "alg-none": lambda: _none_proof(rp),
        "two-proofs": lambda: rp.proof("POST", "/oauth/par") + "," + rp.proof("POST", "/oauth/par"),
        "garbage": lambda: "not.a.jwt",
        # RFC 7515 §4.1.11: an extension marked critical that the provider does not understand.
        "critical-extension": lambda: _critical_proof(rp),
    }
    answer = _with_proof(rp, proofs[bad]())
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_dpop_proof"), answer.content
    assert not PushedRequest.objects.exists()


def _critical_proof(rp: Rp) -> str:
    """Signed correctly, but with an extension marked critical (RFC 7515 §4.1.11) nobody here knows."""

    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": rp.dpop_key.as_dict(private=False), "crit": ["x-bank"],
              "x-bank": 1}  # fmt: skip
    claims = {"jti": "critical-1", "htm": "POST", "htu": settings.FEDERATION_ISSUER + "/oauth/par",
              "iat": int(time.time()), "nonce": rp.nonce}  # fmt: skip
    # The client side must know the extension to write it; the provider is the one that does not.
    known = {"x-bank": HeaderParameter("a bank's extension", "int")}
    registry = jws.JWSRegistry(header_registry=known, algorithms=["ES256"])
    return jws.serialize_compact(header, json.dumps(claims).encode(), rp.dpop_key, registry=registry)


def _none_proof(rp: Rp) -> str:
    import base64
    import json

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    header = {"typ": "dpop+jwt", "alg": "none", "jwk": rp.dpop_key.as_dict(private=False)}
    claims = {"jti": "abcdefghij", "htm": "POST", "htu": "http://testserver/oauth/par", "iat": int(time.time())}
    return f"{part(header)}.{part(claims)}."


def _hs256_proof(rp: Rp) -> str:
    """HS256 keyed with the public key: the classic confusion attack."""
    import base64
    import hashlib
    import hmac
    import json

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    public = rp.dpop_key.as_dict(private=False)
    signing = f"{part({'typ': 'dpop+jwt', 'alg': 'HS256', 'jwk': public})}.{part({'jti': 'abcdefghij'})}"
    mac = hmac.new(json.dumps(public).encode(), signing.encode(), hashlib.sha256).digest()
    return signing + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def test_a_dpop_proof_is_used_once(rp: Rp) -> None:
    rp.nonce = dpop.fresh_nonce()
    proof = rp.proof("POST", "/oauth/par")
    assert _with_proof(rp, proof).status_code == 201
    replay = _with_proof(rp, proof)
    assert replay.json()["error"] == "invalid_dpop_proof"


def test_userinfo_needs_the_bound_key_and_the_token_hash(rp: Rp, person: Any) -> None:
    body, _verifier = signed_in_flow(rp, signed_in(Browser(), person))
    token = body["access_token"]
    as_bearer = Browser().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (as_bearer.status_code, as_bearer.json()["error"]) == (401, "invalid_token")
    other_key = userinfo(rp, token, key=ECKey.generate_key("P-256"))
    assert other_key.status_code == 401
    wrong_hash = userinfo(rp, token, ath="x" * 43)
    assert (wrong_hash.status_code, wrong_hash.json()["error"]) == (401, "invalid_dpop_proof")
    no_nonce = userinfo(rp, token, nonce="")
    assert (no_nonce.status_code, no_nonce.json()["error"]) == (401, "use_dpop_nonce")
    assert 'DPoP error="use_dpop_nonce"' in no_nonce["WWW-Authenticate"]
    rp.nonce = no_nonce["DPoP-Nonce"]
    assert userinfo(rp, token).status_code == 200


def test_a_bound_refresh_token_needs_its_key(rp: Rp, person: Any) -> None:
    body, _verifier = signed_in_flow(rp, signed_in(Browser(), person))
    rp.dpop_key = ECKey.generate_key("P-256")
    stolen = rp.post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert stolen.json()["error"] == "invalid_grant"
    assert AccessToken.objects.count() == 1


def test_a_fapi_member_signs_in_as_the_organization(rp: Rp) -> None:
    rep = make_user("Đại Diện FAPI")
    organization = make_organization(representative=rep, name="Công ty FAPI", code="0109876543")
    body, _verifier = signed_in_flow(rp, signed_in(Browser(), rep), act_as=organization.eid)
    assert keys.verify(body["id_token"])["org"]["id"] == organization.eid
    refreshed = rp.post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert keys.verify(refreshed.json()["id_token"])["org"]["id"] == organization.eid
