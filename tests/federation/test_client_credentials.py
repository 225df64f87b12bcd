"""Issue 12.1/12.2: client credentials (RFC 6749 §4.4) with client_secret_basic or private_key_jwt
(RFC 7523; FAPI 2.0 §5.3.2.1: aud = issuer, jti once, short-lived, PS256/ES256/EdDSA only), JWT access
tokens (RFC 9068), introspection (RFC 7662) and revocation (RFC 7009). Each refusal is the RFC's
error, and nothing is issued."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey

from dinhdanh.federation import keys
from dinhdanh.federation.clients import client_disable, client_register
from dinhdanh.federation.models import AccessToken, AssertionJti, Client
from dinhdanh.federation.protocol.tokens import prune_expired

pytestmark = pytest.mark.django_db

RP = "https://nganhang.example.vn/cb"
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def basic_client(
    scopes: tuple[str, ...] = ("openid", "verify.organization", "verify.member"),
) -> tuple[Client, str]:
    client, secret = client_register(actor=None, name="Ngân hàng", redirect_uris=[RP], scopes=list(scopes))
    assert secret is not None
    return client, secret


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def post(path: str, data: dict[str, Any], **extra: Any) -> Any:
    return Browser().post(path, data, **extra)


def error_of(response: Any) -> str:
    assert response["Cache-Control"] == "no-store"
    return str(response.json()["error"])


def test_a_secret_client_gets_a_jwt_access_token_introspects_and_revokes_it() -> None:
    client, secret = basic_client()
    response = post("/oauth/token", {"grant_type": "client_credentials"}, **basic(client.client_id, secret))
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert (body["token_type"], body["scope"]) == ("Bearer", "verify.organization verify.member")
    header = json.loads(base64.urlsafe_b64decode(body["access_token"].split(".")[0] + "=="))
    assert (header["typ"], header["alg"]) == ("at+jwt", "ES256")
    claims = keys.verify(body["access_token"])
    assert (claims["sub"], claims["client_id"], claims["iss"]) == (
        client.client_id,
        client.client_id,
        settings.FEDERATION_ISSUER,
    )
    assert claims["exp"] - claims["iat"] == settings.FEDERATION_ACCESS_TOKEN_SECONDS
    facts = post("/oauth/introspect", {"token": body["access_token"]}, **basic(client.client_id, secret)).json()
    assert (facts["active"], facts["client_id"], facts["scope"]) == (True, client.client_id, body["scope"])
    other, other_secret = basic_client()
    assert post(
        "/oauth/introspect", {"token": body["access_token"]}, **basic(other.client_id, other_secret)
    ).json() == {"active": False}  # another client learns nothing about it
    assert (
        post("/oauth/revoke", {"token": body["access_token"]}, **basic(client.client_id, secret)).status_code
        == 200
    )
    assert post(
        "/oauth/introspect", {"token": body["access_token"]}, **basic(client.client_id, secret)
    ).json() == {"active": False}
    assert post("/oauth/revoke", {"token": "garbage"}, **basic(client.client_id, secret)).status_code == 200


def test_a_narrower_scope_can_be_asked_for_and_a_foreign_one_is_refused() -> None:
    client, secret = basic_client()
    auth = basic(client.client_id, secret)
    narrow = post("/oauth/token", {"grant_type": "client_credentials", "scope": "verify.member"}, **auth).json()
    assert narrow["scope"] == "verify.member"
    assert keys.verify(narrow["access_token"])["scope"] == "verify.member"
    for scope in ("openid", "verify.member admin", "verify.member verify.member", "x" * 3000):
        response = post("/oauth/token", {"grant_type": "client_credentials", "scope": scope}, **auth)
        assert response.status_code == 400
        assert error_of(response) in {"invalid_scope", "invalid_request"}
    assert not AccessToken.objects.exists()  # a client's own token has no row (decision 0034)


@pytest.mark.parametrize(
    ("auth", "data", "status", "error"),
    [
        ("wrong", {"grant_type": "client_credentials"}, 401, "invalid_client"),
        ("none", {"grant_type": "client_credentials"}, 401, "invalid_client"),
        ("garbled", {"grant_type": "client_credentials"}, 401, "invalid_client"),
        ("good", {"grant_type": "password"}, 400, "unsupported_grant_type"),
        ("good", {}, 400, "unsupported_grant_type"),
        ("good", {"grant_type": ["client_credentials", "client_credentials"]}, 400, "invalid_request"),
        ("disabled", {"grant_type": "client_credentials"}, 401, "invalid_client"),
    ],
)
def test_bad_token_requests_get_the_rfc_error_and_nothing(
    auth: str, data: dict[str, Any], status: int, error: str
) -> None:
    client, secret = basic_client()
    headers = {
        "wrong": basic(client.client_id, secret + "x"),
        "none": {},
        "garbled": {"HTTP_AUTHORIZATION": "Basic !!!not-base64"},
        "good": basic(client.client_id, secret),
        "disabled": basic(client.client_id, secret),
    }[auth]
    if auth == "disabled":
        client_disable(actor=None, client_id=client.client_id)
    response = post("/oauth/token", data, **headers)
    assert (response.status_code, error_of(response)) == (status, error)
    if status == 401 and auth != "none":
        assert response["WWW-Authenticate"].startswith("Basic")
    assert secret not in response.content.decode()
    assert not AccessToken.objects.exists()


def test_the_token_endpoint_takes_only_posts() -> None:
    assert Browser().get("/oauth/token").status_code == 405


# --- private_key_jwt -------------------------------------------------------------------------------------


@pytest.fixture
def key_client() -> tuple[Client, ECKey]:
    key = ECKey.generate_key("P-256")
    jwks = {"keys": [{**key.as_dict(private=False), "kid": "rp-1", "alg": "ES256"}]}
    client, _secret = client_register(
        actor=None,
        name="Ngân hàng",
        redirect_uris=[RP],
        auth_method="private_key_jwt",
        jwks=jwks,
        scopes=["openid", "verify.organization"],
    )  # fmt: skip  (basic profile: a FAPI 2.0 client's token requests need DPoP, test_stateless_tokens)
    return client, key


def assertion(client: Client, key: Any, **changes: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": client.client_id, "sub": client.client_id, "aud": settings.FEDERATION_ISSUER,
        "iat": now, "exp": now + 30, "jti": secrets.token_urlsafe(16),
    }  # fmt: skip
    header = {"alg": "ES256", "kid": "rp-1", **changes.pop("header", {})}
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(header, claims, key, algorithms=[header["alg"]])


def with_assertion(value: str, **data: str) -> Any:
    fields = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION, "client_assertion": value}
    return post("/oauth/token", {**fields, **data})


def test_a_signed_assertion_is_accepted_once(key_client: tuple[Client, ECKey]) -> None:
    client, key = key_client
    signed = assertion(client, key)
    first = with_assertion(signed)
    assert first.status_code == 200, first.content
    assert keys.verify(first.json()["access_token"])["client_id"] == client.client_id
    replay = with_assertion(signed)
    assert (replay.status_code, error_of(replay)) == (401, "invalid_client")
    assert AssertionJti.objects.filter(client=client).count() == 1


def _unsigned(signed: str) -> str:
    """The same claims under ``alg: none`` and no signature."""
    head = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
    return f"{head}.{signed.split('.')[1]}."


def _hs256_with_public_key(client: Client, key: ECKey) -> str:
    head = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": "rp-1"}).encode()).rstrip(b"=").decode()
    now = int(time.time())
    body_claims = {
        "iss": client.client_id,
        "sub": client.client_id,
        "aud": settings.FEDERATION_ISSUER,
        "exp": now + 30,
        "jti": "x" * 20,
    }
    body = base64.urlsafe_b64encode(json.dumps(body_claims).encode()).rstrip(b"=").decode()
    secret = json.dumps(key.as_dict(private=False)).encode()
    sig = base64.urlsafe_b64encode(hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()).rstrip(
        b"="
    )
    return f"{head}.{body}.{sig.decode()}"


@pytest.mark.parametrize(
    "case",
    [
        "other_audience",
        "token_endpoint_audience",
        "expired",
        "lives_too_long",
        "issued_in_the_future",
        "no_jti",
        "short_jti",
        "sub_not_client",
        "other_key",
        "hs256_public_key",
        "alg_none",
        "not_a_jwt",
        "wrong_type",
        "unknown_issuer",
        "too_long",
        "no_exp",
    ],
)
def test_bad_client_assertions_are_refused(key_client: tuple[Client, ECKey], case: str) -> None:
    client, key = key_client
    now = int(time.time())
    makers: dict[str, Callable[[], str]] = {
        "other_audience": lambda: assertion(client, key, aud="https://khac.example.vn"),
        "token_endpoint_audience": lambda: assertion(client, key, aud=settings.FEDERATION_ISSUER + "/oauth/token"),
        "expired": lambda: assertion(client, key, exp=now - 11),
        "lives_too_long": lambda: assertion(client, key, exp=now + 600),
        "issued_in_the_future": lambda: assertion(client, key, iat=now + 61),
        "no_jti": lambda: assertion(client, key, jti=None),
        "short_jti": lambda: assertion(client, key, jti="abc"),
        "sub_not_client": lambda: assertion(client, key, sub="someone-else"),
        "other_key": lambda: assertion(client, ECKey.generate_key("P-256")),
        "hs256_public_key": lambda: _hs256_with_public_key(client, key),
        "alg_none": lambda: _unsigned(assertion(client, key)),
        "not_a_jwt": lambda: "not-a-jwt",
        "wrong_type": lambda: assertion(client, key),
        "unknown_issuer": lambda: assertion(client, key, iss="khong-co", sub="khong-co"),
        "too_long": lambda: assertion(client, key, padding="x" * 9000),
        "no_exp": lambda: assertion(client, key, exp=None),
    }
    value = makers[case]()
    extra = {"client_assertion_type": "urn:other"} if case == "wrong_type" else {}
    response = with_assertion(value, **extra)
    assert (response.status_code, error_of(response)) == (401, "invalid_client")
    assert not AccessToken.objects.exists()


def test_a_basic_client_cannot_use_an_assertion_nor_a_key_client_a_secret(
    key_client: tuple[Client, ECKey],
) -> None:
    client, key = key_client
    secret_client, secret = basic_client()
    both = post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION,
            "client_assertion": assertion(client, key),
        },
        **basic(secret_client.client_id, secret),
    )
    assert (both.status_code, error_of(both)) == (401, "invalid_client")
    as_secret = post("/oauth/token", {"grant_type": "client_credentials"}, **basic(client.client_id, "anything"))
    assert (as_secret.status_code, error_of(as_secret)) == (401, "invalid_client")


def test_expired_replay_records_and_old_tokens_are_pruned(key_client: tuple[Client, ECKey]) -> None:
    client, key = key_client
    token = with_assertion(assertion(client, key)).json()["access_token"]
    revoke = post("/oauth/revoke", {"token": token, "client_assertion_type": ASSERTION,
                                    "client_assertion": assertion(client, key)})  # fmt: skip
    assert revoke.status_code == 200
    assert prune_expired() == {
        "assertions": 0,
        "revoked_client_tokens": 0,
        "tokens": 0,
        "refresh_tokens": 0,
        "codes": 0,
        "dpop_proofs": 0,
        "pushed_requests": 0,
    }  # fmt: skip  (the revoked token has not expired: it must stay refused)
    later = timezone.now() + timedelta(days=2)
    assert prune_expired(later) == {
        "assertions": 2, "revoked_client_tokens": 1, "tokens": 0, "refresh_tokens": 0, "codes": 0,
        "dpop_proofs": 0, "pushed_requests": 0,
    }  # fmt: skip
    assert not any(prune_expired(later).values())
