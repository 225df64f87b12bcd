"""Issue 12.7, conformance-lite: the OpenID Foundation's ``fapi2-security-profile-final-test-plan``, one
test per applicable module (``plans.FAPI2_SECURITY_PROFILE``; the others are ``plans.NOT_APPLICABLE``),
named after the module's ID and asserting what the module accepts: success, or the refusal with its
HTTP status and error code.

Variant: plain_fapi, private_key_jwt, DPoP, openid_connect, unsigned requests through PAR. Where a module
allows several answers (a PAR error, an error page, or a redirect with an error), the one dinhdanh gives
is asserted and the docstring says which. What the suite checks over TLS (versions, ciphers) is the
deployment's, not the application's, and is left out. Where the suite waits (one second, 60 s, the
request URI's lifetime), the stored times are moved instead.

This part: the token endpoint: codes, client assertions (private_key_jwt), refresh tokens."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import RSAKey

from dinhdanh.federation import keys
from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import AccessToken, AuthorizationCode, PushedRequest
from dinhdanh.people.models import User
from tests.conftest import signed_in
from tests.federation.conformance.fapi2.support import assert_error, tokens_for
from tests.federation.conformance.harness import (
    exchange,
    post,
    push_and_consent,
    userinfo,
)
from tests.federation.fapi import RP, Rp, auth_request, consent, fapi_rp, pkce
from tests.organizations.factories import make_service

pytestmark = pytest.mark.django_db


# --- The token endpoint -----------------------------------------------------------------------------------


def test_fapi2_security_profile_final_ensure_client_id_in_token_endpoint(rp: Rp, browser: Browser) -> None:
    """Client 1's code, with client 2's client_id and an assertion naming client 2 but signed with client
    1's key: ``invalid_client`` (401)."""
    flow = push_and_consent(rp, browser)
    second = fapi_rp()
    forged = Rp(client=second.client, key=rp.key).assertion()
    data = {"grant_type": "authorization_code", "code": flow.code, "code_verifier": flow.verifier,
            "redirect_uri": RP, "client_id": second.client.client_id}  # fmt: skip
    assert_error(post(rp, "/oauth/token", data, assertion=forged), (400, 401), "invalid_client", "invalid_grant")
    assert not AccessToken.objects.exists()


def test_fapi2_security_profile_final_ensure_holder_of_key_required(rp: Rp, browser: Browser) -> None:
    """A valid token request without a DPoP proof: refused (the module takes ``invalid_request``,
    ``invalid_grant`` or ``invalid_dpop_proof``)."""
    flow = push_and_consent(rp, browser)
    data = {"grant_type": "authorization_code", "code": flow.code, "code_verifier": flow.verifier,
            "redirect_uri": RP}  # fmt: skip
    answer = post(rp, "/oauth/token", data, dpop_header=False)
    assert_error(answer, 400, "invalid_request", "invalid_grant", "invalid_dpop_proof")
    assert not AccessToken.objects.exists()


def test_fapi2_security_profile_final_ensure_authorization_code_is_bound_to_client(
    rp: Rp, browser: Browser
) -> None:
    """Client 1's code redeemed by client 2, properly authenticated: 400 ``invalid_grant``."""
    flow = push_and_consent(rp, browser)
    second = fapi_rp()
    data = {"grant_type": "authorization_code", "code": flow.code, "code_verifier": flow.verifier,
            "redirect_uri": RP}  # fmt: skip
    assert_error(second.post("/oauth/token", data), 400, "invalid_grant")
    assert not AccessToken.objects.exists()


def test_fapi2_security_profile_final_attempt_reuse_authorization_code_after_one_second(
    rp: Rp, browser: Browser
) -> None:
    """The code again, a second later (the use moved back a second): 400 ``invalid_grant``, and the
    access token the first use issued no longer works (RFC 6749 §4.1.2, the module's SHOULD)."""
    flow = push_and_consent(rp, browser)
    first = exchange(rp, flow).json()
    AuthorizationCode.objects.update(used_at=timezone.now() - timedelta(seconds=1))
    assert_error(exchange(rp, flow), 400, "invalid_grant")
    assert userinfo(rp, first["access_token"]).status_code == 401


def test_fapi2_security_profile_final_ensure_token_endpoint_fails_with_expired_auth_code(
    rp: Rp, browser: Browser
) -> None:
    """A code first used after its 60 s (its expiry moved back): 400 ``invalid_grant``."""
    flow = push_and_consent(rp, browser)
    AuthorizationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=2))
    assert_error(exchange(rp, flow), 400, "invalid_grant")
    assert not AccessToken.objects.exists()


# --- private_key_jwt --------------------------------------------------------------------------------------


def _token_with_assertion(rp: Rp, browser: Browser, assertion: Callable[[Rp], str]) -> Any:
    flow = push_and_consent(rp, browser)
    data = {"grant_type": "authorization_code", "code": flow.code, "code_verifier": flow.verifier,
            "redirect_uri": RP}  # fmt: skip
    return post(rp, "/oauth/token", data, assertion=assertion(rp))


def test_fapi2_security_profile_final_ensure_signed_client_assertion_with_rs256_fails(person: User) -> None:
    """A client with an RSA key (the module runs only for PS256 clients) pushes with a PS256 assertion,
    then signs the token request's with RS256, which FAPI 2.0 §5.4 forbids: ``invalid_client``."""
    make_service("dvc")
    rsa = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
    client, _secret = client_register(
        actor=None, name="Ngân hàng RSA", redirect_uris=[RP], scopes=["openid", "profile"], profile="fapi2",
        auth_method="private_key_jwt", jwks={"keys": [rsa.as_dict(private=False)]}, service="dvc",
    )  # fmt: skip
    rp = Rp(client=client, key=rsa)  # type: ignore[arg-type]  # the EC helpers of Rp are not used

    def assertion(alg: str) -> str:
        now = int(time.time())
        claims = {"iss": client.client_id, "sub": client.client_id, "aud": settings.FEDERATION_ISSUER,
                  "iat": now, "exp": now + 60, "jti": f"{alg}-assertion"}  # fmt: skip
        return jwt.encode({"alg": alg, "kid": "rsa-1"}, claims, rsa, algorithms=[alg])

    verifier, challenge = pkce()
    pushed = post(
        rp, "/oauth/par", auth_request(rp, challenge, scope="openid profile"), assertion=assertion("PS256")
    )
    assert pushed.status_code == 201, pushed.content
    code = consent(signed_in(Browser(), person), rp, pushed.json()["request_uri"])["code"]
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP}
    assert_error(post(rp, "/oauth/token", data, assertion=assertion("RS256")), (400, 401), "invalid_client")
    assert not AccessToken.objects.exists()


def test_fapi2_security_profile_final_ensure_client_assertion_in_token_endpoint(rp: Rp, browser: Browser) -> None:
    """Only ``client_id``, no assertion: ``invalid_client`` (401)."""
    flow = push_and_consent(rp, browser)
    data = {"grant_type": "authorization_code", "code": flow.code, "code_verifier": flow.verifier,
            "redirect_uri": RP, "client_id": rp.client.client_id}  # fmt: skip
    answer = Browser().post("/oauth/token", data, HTTP_DPOP=rp.proof("POST", "/oauth/token"))
    assert_error(answer, (400, 401), "invalid_client", "invalid_request")
    assert not AccessToken.objects.exists()


def test_fapi2_security_profile_final_ensure_client_assertion_with_exp_is_5_minutes_in_past_fails(
    rp: Rp, browser: Browser
) -> None:
    """An assertion that expired 5 minutes ago: ``invalid_client``."""
    now = int(time.time())
    answer = _token_with_assertion(rp, browser, lambda rp: rp.assertion(iat=now - 360, exp=now - 300))
    assert_error(answer, (400, 401), "invalid_client", "invalid_request")


def test_fapi2_security_profile_final_ensure_client_assertion_with_wrong_aud_fails(
    rp: Rp, browser: Browser
) -> None:
    """An assertion for another server: ``invalid_client``."""
    answer = _token_with_assertion(rp, browser, lambda rp: rp.assertion(aud="https://other.example.vn"))
    assert_error(answer, (400, 401), "invalid_client", "invalid_request")


def test_fapi2_security_profile_final_ensure_client_assertion_with_no_sub_fails(rp: Rp, browser: Browser) -> None:
    """An assertion without ``sub`` (what tells it from a request object): ``invalid_client``."""
    answer = _token_with_assertion(rp, browser, lambda rp: rp.assertion(sub=None))
    assert_error(answer, (400, 401), "invalid_client", "invalid_request")


# --- Refresh tokens -----------------------------------------------------------------------------------------

_REFRESH_STEPS = ("refresh", "other-client", "without-proof")


@pytest.mark.parametrize("step", _REFRESH_STEPS)
def test_fapi2_security_profile_final_refresh_token(rp: Rp, browser: Browser, step: str) -> None:
    """Asked with ``prompt=consent`` (OIDC Core §11): a refresh token comes, works with the bound key
    and is not rotated (FAPI 2.0 §5.3.2.1); client 2's refresh token is ``invalid_grant`` for client 1;
    without a proof the refresh is refused with 400 and invalid_request, invalid_grant or invalid_client."""
    body = tokens_for(rp, browser, prompt="consent")
    refresh = body["refresh_token"]
    if step == "refresh":
        again = rp.post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": refresh,
                                         "scope": "openid profile"})  # fmt: skip
        assert again.status_code == 200, again.content
        assert "refresh_token" not in again.json()  # not rotated
        assert keys.verify(again.json()["id_token"])["sub"] == keys.verify(body["id_token"])["sub"]
    elif step == "other-client":
        second = fapi_rp()
        theirs = tokens_for(second, browser, prompt="consent")["refresh_token"]
        answer = rp.post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": theirs})
        assert_error(answer, 400, "invalid_grant")
    else:
        answer = post(rp, "/oauth/token", {"grant_type": "refresh_token", "refresh_token": refresh,
                                           "scope": "openid profile"}, dpop_header=False)  # fmt: skip
        assert_error(answer, 400, "invalid_request", "invalid_grant", "invalid_client")


# --- private_key_jwt audiences at PAR ------------------------------------------------------------------------


def test_fapi2_security_profile_final_par_test_array_as_audience_fails(rp: Rp) -> None:
    """FAPI 2.0 §5.3.2.1 item 8: aud an array with the issuer and another value — refused."""
    _verifier, challenge = pkce()
    aud = [settings.FEDERATION_ISSUER, "https://other.example.vn"]
    answer = post(rp, "/oauth/par", auth_request(rp, challenge), assertion=rp.assertion(aud=aud))
    assert_error(answer, (400, 401), "invalid_client", "invalid_request")
    assert not PushedRequest.objects.exists()


def test_fapi2_security_profile_final_par_test_par_endpoint_url_as_audience_fails(rp: Rp) -> None:
    """aud the PAR endpoint's URL, not the issuer: refused."""
    _verifier, challenge = pkce()
    assertion = rp.assertion(aud=settings.FEDERATION_ISSUER + "/oauth/par")
    answer = post(rp, "/oauth/par", auth_request(rp, challenge), assertion=assertion)
    assert_error(answer, (400, 401), "invalid_client", "invalid_request")


def test_fapi2_security_profile_final_par_test_token_endpoint_url_as_audience_fails(rp: Rp) -> None:
    """aud the token endpoint's URL: refused."""
    _verifier, challenge = pkce()
    assertion = rp.assertion(aud=settings.FEDERATION_ISSUER + "/oauth/token")
    answer = post(rp, "/oauth/par", auth_request(rp, challenge), assertion=assertion)
    assert_error(answer, (400, 401), "invalid_client", "invalid_request")
