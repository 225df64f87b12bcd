"""Hypothesis fuzz of the OpenID provider's parsers (issue 16.6): the token, introspection, revocation and
PAR endpoints and the userinfo resource, fed hostile forms, JWT-shaped client assertions and DPoP proofs,
and garbage Authorization headers — with a registered client's real credentials half the time, so the
inputs get past client authentication to the grant parsers. Nothing answers 5xx; every refusal is the
RFC's JSON error, never cached; nothing is issued from a bad input."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client as Browser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinhdanh.federation.models import AccessToken, RefreshToken
from tests.federation.test_client_credentials import basic, basic_client

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def _segment(value: object) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
headers = st.fixed_dictionaries(
    {"alg": st.sampled_from(["none", "HS256", "ES256", "PS256", "EdDSA", "RS1", ""]) | st.text(max_size=8)},
    optional={"typ": st.sampled_from(["dpop+jwt", "JWT", ""]), "kid": st.text(max_size=12), "jwk": json_values},
)
claims = st.dictionaries(
    st.sampled_from(["iss", "sub", "aud", "exp", "iat", "jti", "htm", "htu", "ath", "nonce"])
    | st.text(max_size=6),
    json_values,
    max_size=8,
)
jwt_like = st.builds(
    lambda h, c, s: ".".join([_segment(h), _segment(c), _segment(s)]), headers, claims, st.binary(max_size=64)
)
fuzz_text = st.one_of(
    st.text(max_size=200), jwt_like, st.sampled_from(["", ".", "..", "a.b.c", "\x00", "é" * 500])
)
FIELDS = (
    "grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "scope", "client_id", "client_assertion",
    "client_assertion_type", "token", "token_type_hint", "request_uri", "response_type", "state", "nonce",
    "code_challenge", "code_challenge_method", "resource", "authorization_details",
)  # fmt: skip
forms = st.dictionaries(st.sampled_from(FIELDS), fuzz_text, max_size=8)


def _refused_properly(response: Any) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
        assert isinstance(response.json().get("error"), str)
        assert response["Cache-Control"] == "no-store"


@pytest.fixture
def credentials() -> dict[str, str]:
    client, secret = basic_client()
    return basic(client.client_id, secret)


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/introspect", "/oauth/revoke", "/oauth/par"])
@FUZZ
@given(form=forms, authenticated=st.booleans(), dpop=st.none() | jwt_like | st.text(max_size=60))
def test_oauth_endpoints_refuse_hostile_forms_in_the_rfc_shape(
    credentials: dict[str, str], path: str, form: dict[str, str], authenticated: bool, dpop: str | None
) -> None:
    issued = AccessToken.objects.count(), RefreshToken.objects.count()
    extra: dict[str, Any] = dict(credentials) if authenticated else {}
    if dpop is not None:
        extra["HTTP_DPOP"] = dpop
    grant = form.get("grant_type", "")
    response = Browser().post(path, form, **extra)
    _refused_properly(response)
    if path == "/oauth/token" and grant != "client_credentials":
        # nothing but the client-credentials grant can succeed without a real code or refresh token
        assert response.status_code >= 400
        assert (AccessToken.objects.count(), RefreshToken.objects.count()) == issued


@FUZZ
@given(
    scheme=st.sampled_from(["Bearer ", "DPoP ", "bearer ", "Basic ", ""]),
    token=fuzz_text,
    dpop=st.none() | jwt_like,
)
def test_userinfo_refuses_any_token_it_did_not_issue(scheme: str, token: str, dpop: str | None) -> None:
    extra = {"HTTP_AUTHORIZATION": scheme + token}
    if dpop is not None:
        extra["HTTP_DPOP"] = dpop
    for method in ("get", "post"):
        response = getattr(Browser(), method)("/oauth/userinfo", **extra)
        assert response.status_code in (400, 401), response.content[:300]
        _refused_properly(response)
        if response.status_code == 401:
            # RFC 6750 §3.1: a challenge always; an error code only when a token was given
            assert response.get("WWW-Authenticate", "").startswith(("Bearer", "DPoP"))
