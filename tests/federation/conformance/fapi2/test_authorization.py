"""Issue 12.7, conformance-lite: the OpenID Foundation's ``fapi2-security-profile-final-test-plan``, one
test per applicable module (``plans.FAPI2_SECURITY_PROFILE``; the others are ``plans.NOT_APPLICABLE``),
named after the module's ID and asserting what the module accepts: success, or the refusal with its
HTTP status and error code.

Variant: plain_fapi, private_key_jwt, DPoP, openid_connect, unsigned requests through PAR. Where a module
allows several answers (a PAR error, an error page, or a redirect with an error), the one dinhdanh gives
is asserted and the docstring says which. What the suite checks over TLS (versions, ciphers) is the
deployment's, not the application's, and is left out. Where the suite waits (one second, 60 s, the
request URI's lifetime), the stored times are moved instead.

This part: the authorization side: well-behaved clients, what is pushed is what counts, the authorization request, PAR and PKCE."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.utils import timezone

from dinhdanh.federation import keys
from dinhdanh.federation.models import AccessToken, AuthorizationCode, PushedRequest
from dinhdanh.people.models import User
from tests.conftest import signed_in
from tests.federation.conformance.fapi2.support import assert_error, assert_par_refused, tokens_for
from tests.federation.conformance.harness import (
    exchange,
    post,
    push_and_consent,
    userinfo,
)
from tests.federation.fapi import RP, Rp, auth_request, consent, fapi_rp, pkce, push, query_of

pytestmark = pytest.mark.django_db


# --- Normal, well-behaved clients ------------------------------------------------------------------------------


def test_fapi2_security_profile_final_discovery_end_point_verification(rp: Rp) -> None:
    """Discovery has what FAPI 2.0 needs: code only, iss in the response (RFC 9207), PAR, S256,
    private_key_jwt, DPoP and signing algorithms from FAPI 2.0 §5.4 only."""
    response = Browser().get("/.well-known/openid-configuration")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    meta = response.json()
    allowed = {"PS256", "ES256", "EdDSA"}
    assert meta["issuer"] == settings.FEDERATION_ISSUER
    assert "code" in meta["response_types_supported"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert meta["pushed_authorization_request_endpoint"].endswith("/oauth/par")
    assert isinstance(meta["require_pushed_authorization_requests"], bool)
    assert meta["authorization_endpoint"].startswith(settings.FEDERATION_ISSUER)
    assert meta["token_endpoint"].startswith(settings.FEDERATION_ISSUER)
    assert meta["jwks_uri"].startswith(settings.FEDERATION_ISSUER)
    assert "openid" in meta["scopes_supported"]
    assert set(meta["subject_types_supported"]) <= {"public", "pairwise"}
    assert "S256" in meta["code_challenge_methods_supported"]
    assert "private_key_jwt" in meta["token_endpoint_auth_methods_supported"]
    for name in ("dpop_signing_alg_values_supported", "id_token_signing_alg_values_supported",
                 "token_endpoint_auth_signing_alg_values_supported"):  # fmt: skip
        assert meta[name], name
        assert set(meta[name]) <= allowed, name
    assert "registration_endpoint" not in meta
    assert meta["claims_parameter_supported"] is False  # why the claims-parameter module is skipped


def test_fapi2_security_profile_final_happy_flow(rp: Rp, person: User) -> None:
    """Two clients: the first pushes with a DPoP proof, the second with ``dpop_jkt`` only (RFC 9449
    §10.1); both get DPoP-bound tokens that work at userinfo, and never with the token in the query."""
    body = tokens_for(rp, signed_in(Browser(), person))
    assert body["token_type"] == "DPoP"
    assert keys.verify(body["access_token"])["cnf"] == {"jkt": rp.jkt}
    assert len(AuthorizationCode.objects.get().digest) == 64
    info = userinfo(rp, body["access_token"])
    assert info.status_code == 200, info.content
    assert info.json()["sub"] == keys.verify(body["id_token"])["sub"]
    in_query = Browser().get("/oauth/userinfo?" + urlencode({"access_token": body["access_token"]}))
    assert in_query.status_code == 401  # FAPI 2.0 §5.3.4: never in the query
    second = fapi_rp()
    verifier, challenge = pkce()
    pushed = second.post("/oauth/par", {**auth_request(second, challenge), "dpop_jkt": second.jkt}, dpop=False)
    assert pushed.status_code == 201, pushed.content
    code = consent(signed_in(Browser(), person), second, pushed.json()["request_uri"])["code"]
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP}
    again = second.post("/oauth/token", data)
    assert again.status_code == 200, again.content
    assert keys.verify(again.json()["access_token"])["cnf"] == {"jkt": second.jkt}
    assert userinfo(second, again.json()["access_token"]).status_code == 200


def test_fapi2_security_profile_final_user_rejects_authentication(rp: Rp, browser: Browser) -> None:
    """The person declines: back to the client with ``access_denied``, the 128-character state and iss."""
    state = "s" * 128
    _verifier, challenge = pkce()
    uri = push(rp, challenge, state=state).json()["request_uri"]
    params = {"client_id": rp.client.client_id, "request_uri": uri}
    assert browser.get("/oauth/authorize?" + urlencode(params)).status_code == 200
    answer = query_of(browser.post("/oauth/authorize", {**params, "decision": "deny"}))
    assert (answer["error"], answer["state"], answer["iss"]) == (
        "access_denied",
        state,
        settings.FEDERATION_ISSUER,
    )
    assert "code" not in answer


def test_fapi2_security_profile_final_ensure_authorization_request_without_state_success(
    rp: Rp, browser: Browser
) -> None:
    """state is optional: a code comes back, with no state."""
    flow = push_and_consent(rp, browser, state="-")
    assert "state" not in flow.answer
    assert exchange(rp, flow).status_code == 200


def test_fapi2_security_profile_final_ensure_authorization_request_without_nonce_success(
    rp: Rp, browser: Browser
) -> None:
    """nonce is optional for the code flow: success, and the ID token carries none."""
    flow = push_and_consent(rp, browser, nonce="-")
    response = exchange(rp, flow)
    assert response.status_code == 200
    assert "nonce" not in keys.verify(response.json()["id_token"])


def test_fapi2_security_profile_final_ensure_authorization_request_with_64_char_nonce_success(
    rp: Rp, browser: Browser
) -> None:
    """FAPI 2.0 §5.3.2.2 item 14: a 64-character nonce comes back whole."""
    nonce = "n" * 32 + "N" * 32
    body = tokens_for(rp, browser, nonce=nonce)
    assert keys.verify(body["id_token"])["nonce"] == nonce


def test_fapi2_security_profile_final_ensure_other_scope_order_succeeds(rp: Rp, browser: Browser) -> None:
    """RFC 6749 §3.3: the order of the scopes does not matter."""
    body = tokens_for(rp, browser, scope="offline_access organization profile openid")
    assert set(body["scope"].split()) == {"openid", "profile", "organization", "offline_access"}


def test_fapi2_security_profile_final_access_token_type_header_case_sensitivity(rp: Rp, browser: Browser) -> None:
    """RFC 9110 §11.1: the authentication scheme is case-insensitive (``dPoP``)."""
    body = tokens_for(rp, browser)
    assert userinfo(rp, body["access_token"], scheme="dPoP").status_code == 200


# --- What is pushed is what counts (RFC 9126 §4) ------------------------------------------------------------------


def test_fapi2_security_profile_final_ensure_different_nonce_inside_and_outside_request_object(
    rp: Rp, browser: Browser
) -> None:
    """Unsigned variant: a nonce added to the authorization URL beside the ``request_uri`` is ignored;
    the ID token carries the pushed one (one of the three answers the module allows)."""
    flow = push_and_consent(rp, browser, extra_url={"nonce": "outside"})
    assert keys.verify(exchange(rp, flow).json()["id_token"])["nonce"] == "n-1"


def test_fapi2_security_profile_final_ensure_different_state_inside_and_outside_request_object(
    rp: Rp, browser: Browser
) -> None:
    """A state added to the URL is ignored: the pushed state comes back."""
    flow = push_and_consent(rp, browser, extra_url={"state": "outside"})
    assert flow.answer["state"] == "st-1"


def test_fapi2_security_profile_final_ensure_authorization_request_with_long_nonce(rp: Rp) -> None:
    """A 384-character nonce: refused at PAR with ``invalid_request`` (allowed: never truncated)."""
    _verifier, challenge = pkce()
    assert_par_refused(push(rp, challenge, nonce="n" * 384), "invalid_request")


def test_fapi2_security_profile_final_ensure_authorization_request_with_long_state(rp: Rp) -> None:
    """A 1000-character state: refused at PAR with ``invalid_request`` (the suite warns; allowed)."""
    _verifier, challenge = pkce()
    assert_par_refused(push(rp, challenge, state="s" * 1000), "invalid_request")


def test_fapi2_security_profile_final_state_only_outside_request_object_not_used(rp: Rp, browser: Browser) -> None:
    """Pushed without state, state given only in the URL: success, and no state comes back."""
    flow = push_and_consent(rp, browser, state="-", extra_url={"state": "outside"})
    assert "state" not in flow.answer
    assert "code" in flow.answer


def test_fapi2_security_profile_final_ensure_request_object_without_redirect_uri_fails(rp: Rp) -> None:
    """Unsigned variant: pushed without redirect_uri — refused at PAR with ``invalid_request``."""
    _verifier, challenge = pkce()
    assert_par_refused(push(rp, challenge, redirect_uri="-"), "invalid_request", "invalid_request_object")


# --- The authorization request -------------------------------------------------------------------------------------


def test_fapi2_security_profile_final_ensure_registered_redirect_uri(rp: Rp) -> None:
    """An unregistered redirect URI: refused at PAR (the suite runs this one for ecosystem profiles;
    dinhdanh registers every redirect URI, so it holds here too)."""
    _verifier, challenge = pkce()
    assert_par_refused(push(rp, challenge, redirect_uri=RP + "/unregistered"), "invalid_request")


def test_fapi2_security_profile_final_plain_fapi_tolerate_unregistered_redirect_uri(rp: Rp) -> None:
    """RFC 9126 §2.4 lets a server take an unregistered redirect URI at PAR; dinhdanh takes the other
    answer the module allows: ``invalid_request`` from PAR, nothing redirected anywhere."""
    _verifier, challenge = pkce()
    assert_par_refused(push(rp, challenge, redirect_uri="https://fapi.example.vn/cb/random"), "invalid_request")


def test_fapi2_security_profile_final_ensure_unsigned_authorization_request_without_using_par_fails(
    rp: Rp, browser: Browser
) -> None:
    """Every parameter in the URL, no PAR: back with ``invalid_request`` and the state."""
    _verifier, challenge = pkce()
    answer = query_of(browser.get("/oauth/authorize?" + urlencode(auth_request(rp, challenge))))
    assert (answer["error"], answer["state"]) == ("invalid_request", "st-1")
    assert not AuthorizationCode.objects.exists()


def test_fapi2_security_profile_final_ensure_redirect_uri_in_authorization_request(rp: Rp) -> None:
    """No redirect_uri: refused at PAR with ``invalid_request``."""
    _verifier, challenge = pkce()
    assert_par_refused(push(rp, challenge, redirect_uri="-"), "invalid_request", "invalid_request_object")


def test_fapi2_security_profile_final_ensure_response_type_code_idtoken_fails(rp: Rp) -> None:
    """Only the code flow: a 4xx from PAR, ``unsupported_response_type``."""
    _verifier, challenge = pkce()
    answer = push(rp, challenge, response_type="code id_token")
    assert_par_refused(answer, "unsupported_response_type", "invalid_request", "unauthorized_client")


def test_fapi2_security_profile_final_ensure_response_type_token_fails(rp: Rp) -> None:
    """``response_type=token``: a 4xx from PAR, ``unsupported_response_type``."""
    _verifier, challenge = pkce()
    answer = push(rp, challenge, response_type="token")
    assert_par_refused(answer, "unsupported_response_type", "invalid_request", "unauthorized_client")


# --- PAR ------------------------------------------------------------------------------------------------------


def test_fapi2_security_profile_final_par_ensure_reused_request_uri_prior_to_auth_completion_succeeds(
    rp: Rp, person: User
) -> None:
    """FAPI 2.0 §5.3.2.2 note 3: the request URI is spent when the person answers, not when the page is
    visited. First visit not signed in (to the sign-in page), second visit signed in: success."""
    _verifier, challenge = pkce()
    uri = push(rp, challenge).json()["request_uri"]
    params = {"client_id": rp.client.client_id, "request_uri": uri}
    first = Browser().get("/oauth/authorize?" + urlencode(params))
    assert first.status_code == 302
    assert "/signin/" in first["Location"]
    browser = signed_in(Browser(), person)
    assert browser.get("/oauth/authorize?" + urlencode(params)).status_code == 200
    assert browser.get("/oauth/authorize?" + urlencode(params)).status_code == 200
    assert "code" in query_of(browser.post("/oauth/authorize", {**params, "decision": "allow"}))


def test_fapi2_security_profile_final_par_attempt_reuse_request_uri(rp: Rp, browser: Browser) -> None:
    """PAR §7.3: the request URI again after a successful authorization — our error page (400), nothing
    redirected (the module takes that or ``invalid_request_uri``)."""
    flow = push_and_consent(rp, browser)
    params = {"client_id": rp.client.client_id, "request_uri": flow.request_uri}
    again = browser.get("/oauth/authorize?" + urlencode(params))
    assert again.status_code == 400
    assert "Location" not in again


def test_fapi2_security_profile_final_par_attempt_to_use_expired_request_uri(rp: Rp, browser: Browser) -> None:
    """The request URI after its ``expires_in`` (moved back, not waited for): our error page (400)."""
    _verifier, challenge = pkce()
    pushed = push(rp, challenge).json()
    assert 0 < pushed["expires_in"] <= 600  # FAPI 2.0 §5.3.2.2: under 600 s
    PushedRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    params = {"client_id": rp.client.client_id, "request_uri": pushed["request_uri"]}
    late = browser.get("/oauth/authorize?" + urlencode(params))
    assert late.status_code == 400
    assert "Location" not in late


def test_fapi2_security_profile_final_par_ensure_jwt_client_assertions_nbf_8_seconds_in_the_future_is_accepted(
    rp: Rp,
) -> None:
    """An assertion with iat and nbf 8 s ahead (clock skew): 201 from PAR."""
    _verifier, challenge = pkce()
    ahead = int(time.time()) + 8
    answer = post(rp, "/oauth/par", auth_request(rp, challenge), assertion=rp.assertion(iat=ahead, nbf=ahead))
    assert answer.status_code == 201, answer.content


def test_fapi2_security_profile_final_par_ensure_jwt_client_assertions_nbf_over_60_seconds_in_the_future_fails(
    rp: Rp,
) -> None:
    """iat, nbf and exp more than 60 s ahead: 400/401, ``invalid_client`` or ``invalid_request``."""
    _verifier, challenge = pkce()
    ahead = int(time.time()) + 70
    assertion = rp.assertion(iat=ahead, nbf=ahead, exp=ahead + 60)
    answer = post(rp, "/oauth/par", auth_request(rp, challenge), assertion=assertion)
    assert_error(answer, (400, 401), "invalid_client", "invalid_request")
    assert not PushedRequest.objects.exists()


def test_fapi2_security_profile_final_par_attempt_to_use_request_uri_for_different_client(
    rp: Rp, browser: Browser
) -> None:
    """PAR §2.2: client 1's request URI with client 2's client_id — our error page (400)."""
    _verifier, challenge = pkce()
    uri = push(rp, challenge).json()["request_uri"]
    second = fapi_rp()
    page = browser.get("/oauth/authorize?" + urlencode({"client_id": second.client.client_id, "request_uri": uri}))
    assert page.status_code == 400
    assert "Location" not in page


def test_fapi2_security_profile_final_par_authorization_request_containing_request_uri_form_param(rp: Rp) -> None:
    """PAR §2.1: a ``request_uri`` in the pushed parameters — ``invalid_request``."""
    _verifier, challenge = pkce()
    answer = push(rp, challenge, request_uri="urn:ietf:params:oauth:request_uri:bad")
    assert_par_refused(answer, "invalid_request", "invalid_request_object", "request_uri_not_supported")


def test_fapi2_security_profile_final_par_attempt_invalid_http_method(rp: Rp) -> None:
    """PAR §2.3: not POST — 405."""
    _verifier, challenge = pkce()
    answer = Browser().put("/oauth/par", urlencode({**auth_request(rp, challenge), **rp.auth()}),
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert answer.status_code == 405


# --- PKCE ---------------------------------------------------------------------------------------------------


def test_fapi2_security_profile_final_par_ensure_pkce_required(rp: Rp) -> None:
    """No PKCE: refused at PAR with ``invalid_request``."""
    _verifier, challenge = pkce()
    answer = push(rp, challenge, code_challenge="-", code_challenge_method="-")
    assert_par_refused(answer, "invalid_request")


def test_fapi2_security_profile_final_ensure_pkce_code_verifier_required(rp: Rp, browser: Browser) -> None:
    """No code_verifier at the token endpoint: 400 ``invalid_grant``."""
    flow = push_and_consent(rp, browser)
    assert_error(exchange(rp, flow, code_verifier="-"), 400, "invalid_grant")
    assert not AccessToken.objects.exists()


def test_fapi2_security_profile_final_incorrect_pkce_code_verifier_rejected(rp: Rp, browser: Browser) -> None:
    """Another code_verifier: 400 ``invalid_grant``."""
    flow = push_and_consent(rp, browser)
    assert_error(exchange(rp, flow, code_verifier=pkce()[0]), 400, "invalid_grant")
    assert not AccessToken.objects.exists()


def test_fapi2_security_profile_final_par_plain_pkce_rejected(rp: Rp) -> None:
    """``code_challenge_method=plain`` (the verifier as challenge): refused at PAR, ``invalid_request``."""
    verifier, _challenge = pkce()
    answer = push(rp, verifier, code_challenge_method="plain")
    assert_par_refused(answer, "invalid_request")


def test_fapi2_security_profile_final_par_without_duplicate_parameters(rp: Rp, browser: Browser) -> None:
    """RFC 9101 §5 / PAR §4: the authorization URL with only client_id and request_uri succeeds."""
    flow = push_and_consent(rp, browser)
    assert exchange(rp, flow).status_code == 200
