"""Issue 12.7, conformance-lite: the OpenID Foundation's ``fapi2-security-profile-final-test-plan``, one
test per applicable module (``plans.FAPI2_SECURITY_PROFILE``; the others are ``plans.NOT_APPLICABLE``),
named after the module's ID and asserting what the module accepts: success, or the refusal with its
HTTP status and error code.

Variant: plain_fapi, private_key_jwt, DPoP, openid_connect, unsigned requests through PAR. Where a module
allows several answers (a PAR error, an error page, or a redirect with an error), the one dinhdanh gives
is asserted and the docstring says which. What the suite checks over TLS (versions, ciphers) is the
deployment's, not the application's, and is left out. Where the suite waits (one second, 60 s, the
request URI's lifetime), the stored times are moved instead.

This part: DPoP (RFC 9449): proofs at PAR and the token endpoint, code binding, and at the resource (userinfo)."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as Browser
from joserfc.jwk import ECKey

from dinhdanh.federation import keys
from dinhdanh.federation.models import AccessToken, AuthorizationCode
from tests.federation.conformance.fapi2.support import assert_error, assert_par_refused, tokens_for
from tests.federation.conformance.harness import (
    b64json,
    dpop_proof,
    exchange,
    post,
    push_and_consent,
    userinfo,
)
from tests.federation.fapi import RP, Rp, auth_request, consent, pkce

pytestmark = pytest.mark.django_db


# --- DPoP ---------------------------------------------------------------------------------------------------


def test_fapi2_security_profile_final_check_dpop_proof_nbf_exp(rp: Rp, browser: Browser) -> None:
    """Proofs carrying ``nbf`` = now and ``exp`` = now + 5 min are accepted at the token endpoint and at
    userinfo (the claims are not DPoP's; they are ignored)."""
    flow = push_and_consent(rp, browser)
    now = int(time.time())
    data = {"grant_type": "authorization_code", "code": flow.code, "code_verifier": flow.verifier,
            "redirect_uri": RP}  # fmt: skip
    token = post(
        rp, "/oauth/token", data, proof=lambda: dpop_proof(rp, "POST", "/oauth/token", nbf=now, exp=now + 300)
    )
    assert token.status_code == 200, token.content
    access = token.json()["access_token"]
    proof = dpop_proof(rp, "GET", "/oauth/userinfo", token=access, nbf=now, exp=now + 300)
    assert userinfo(rp, access, proof=proof).status_code == 200


def _iat_shifted(rp: Rp, browser: Browser, seconds: int) -> None:
    """PAR, token and userinfo, each proof's iat shifted by ``seconds``."""
    verifier, challenge = pkce()
    pushed = post(rp, "/oauth/par", auth_request(rp, challenge),
                  proof=lambda: dpop_proof(rp, "POST", "/oauth/par", iat=int(time.time()) + seconds))  # fmt: skip
    assert pushed.status_code == 201, pushed.content
    code = consent(browser, rp, pushed.json()["request_uri"])["code"]
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP}
    token = post(rp, "/oauth/token", data,
                 proof=lambda: dpop_proof(rp, "POST", "/oauth/token", iat=int(time.time()) + seconds))  # fmt: skip
    assert token.status_code == 200, token.content
    access = token.json()["access_token"]
    proof = dpop_proof(rp, "GET", "/oauth/userinfo", token=access, iat=int(time.time()) + seconds)
    assert userinfo(rp, access, proof=proof).status_code == 200


def test_fapi2_security_profile_final_ensure_dpopproof_with_iat_10seconds_before_succeeds(
    rp: Rp, browser: Browser
) -> None:
    """Proofs issued 10 s ago are accepted at PAR, token and userinfo (FAPI 2.0 §5.3.2.1)."""
    _iat_shifted(rp, browser, -10)


def test_fapi2_security_profile_final_ensure_dpopproof_with_iat_10seconds_after_succeeds(
    rp: Rp, browser: Browser
) -> None:
    """Proofs dated in the future — 8 s, as the module's SetDpopIatTo8SecondsInFuture — are accepted."""
    _iat_shifted(rp, browser, 8)


def test_fapi2_security_profile_final_ensure_mismatched_dpop_jkt_fails(rp: Rp) -> None:
    """PAR with a proof and a ``dpop_jkt`` of another key: refused (``invalid_dpop_proof``; the module
    takes that or ``invalid_request``)."""
    _verifier, challenge = pkce()
    other = ECKey.generate_key("P-256").thumbprint()
    answer = rp.post("/oauth/par", {**auth_request(rp, challenge), "dpop_jkt": other})
    assert_par_refused(answer, "invalid_dpop_proof", "invalid_request")


def test_fapi2_security_profile_final_ensure_token_endpoint_fails_with_mismatched_dpop_proof_jkt(
    rp: Rp, browser: Browser
) -> None:
    """The code bound at PAR to one key, redeemed with a proof of another: ``invalid_grant``."""
    flow = push_and_consent(rp, browser)
    rp.dpop_key = ECKey.generate_key("P-256")
    assert_error(exchange(rp, flow), 400, "invalid_grant", "invalid_request", "invalid_dpop_proof")
    assert not AccessToken.objects.exists()


def test_fapi2_security_profile_final_ensure_token_endpoint_fails_with_mismatched_dpop_jkt(
    rp: Rp, browser: Browser
) -> None:
    """Pushed (without a proof) with a ``dpop_jkt`` that is not the key the token request proves."""
    other = ECKey.generate_key("P-256").thumbprint()
    flow = push_and_consent(rp, browser, dpop_header=False, dpop_jkt=other)
    assert_error(exchange(rp, flow), 400, "invalid_grant", "invalid_request", "invalid_dpop_proof")
    assert not AccessToken.objects.exists()


def test_fapi2_security_profile_final_ensure_dpopproof_at_par_endpoint_binding_success(
    rp: Rp, browser: Browser
) -> None:
    """The key that signed the PAR proof signs the token request's: success, bound to it."""
    body = tokens_for(rp, browser)
    assert AuthorizationCode.objects.get().dpop_jkt == rp.jkt
    assert keys.verify(body["access_token"])["cnf"] == {"jkt": rp.jkt}


def test_fapi2_security_profile_final_ensure_dpop_auth_code_binding_success(rp: Rp, browser: Browser) -> None:
    """A ``dpop_jkt`` matching the proof at PAR and at the token endpoint: success."""
    body = tokens_for(rp, browser, dpop_jkt=rp.jkt)
    assert keys.verify(body["access_token"])["cnf"] == {"jkt": rp.jkt}


# --- DPoP at the resource (userinfo) -------------------------------------------------------------------------

_DPOP_CASES: dict[str, tuple[bool, Callable[[Rp, str], dict[str, Any]]]] = {
    # case: (accepted?, how the request is made: userinfo() keyword arguments)
    "header-name-upper-case": (True, lambda rp, at: {}),  # DPOP: one header whatever its case (WSGI)
    "two-proofs": (
        False,
        lambda rp, at: {
            "proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at)
            + ","
            + dpop_proof(rp, "GET", "/oauth/userinfo", token=at)
        },
    ),
    "not-a-jwt": (False, lambda rp, at: {"proof": "not-a-jwt"}),
    "no-typ": (False, lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, drop=("typ",))}),
    "no-alg": (False, lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, drop=("alg",))}),
    "no-jwk": (False, lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, drop=("jwk",))}),
    "no-jti": (False, lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, drop=("jti",))}),
    "no-htm": (False, lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, drop=("htm",))}),
    "no-htu": (False, lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, drop=("htu",))}),
    "no-iat": (False, lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, drop=("iat",))}),
    "no-ath": (False, lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo")}),
    "typ-jwt": (
        False,
        lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, header={"typ": "JWT"})},
    ),
    "alg-none": (False, lambda rp, at: {"proof": _unsigned(rp, at)}),
    "bad-signature": (
        False,
        lambda rp, at: {"proof": _tampered(dpop_proof(rp, "GET", "/oauth/userinfo", token=at))},
    ),
    "private-jwk": (
        False,
        lambda rp, at: {
            "proof": dpop_proof(
                rp, "GET", "/oauth/userinfo", token=at, header={"jwk": rp.dpop_key.as_dict(private=True)}
            )
        },
    ),
    "htm-put": (False, lambda rp, at: {"proof": dpop_proof(rp, "PUT", "/oauth/userinfo", token=at)}),
    "htu-with-query-and-fragment": (
        True,
        lambda rp, at: {
            "proof": dpop_proof(
                rp, "GET", "/oauth/userinfo", token=at, htu=settings.FEDERATION_ISSUER + "/oauth/userinfo?a=b#c"
            )
        },
    ),
    "htu-other-url": (
        False,
        lambda rp, at: {
            "proof": dpop_proof(
                rp, "GET", "/oauth/userinfo", token=at, htu=settings.FEDERATION_ISSUER + "/oauth/other"
            )
        },
    ),
    "iat-hour-ahead": (
        False,
        lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, iat=int(time.time()) + 3600)},
    ),
    "iat-hour-ago": (
        False,
        lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, iat=int(time.time()) - 3600)},
    ),
    "wrong-ath": (
        False,
        lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, ath="x" * 43)},
    ),
    "other-key": (
        False,
        lambda rp, at: {
            "proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, key=ECKey.generate_key("P-256"))
        },
    ),
    "extra-claims": (
        True,
        lambda rp, at: {"proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, extra="ignored")},
    ),
    "extra-header-member": (
        True,
        lambda rp, at: {
            "proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, header={"tx_id": int(time.time()) + 3600})
        },
    ),
    "htu-scheme-and-host-upper-case": (
        True,
        lambda rp, at: {
            "proof": dpop_proof(rp, "GET", "/oauth/userinfo", token=at, htu="HTTPS://ID.EXAMPLE.VN/oauth/userinfo")
        },
    ),
    "htu-default-port": (
        True,
        lambda rp, at: {
            "proof": dpop_proof(
                rp, "GET", "/oauth/userinfo", token=at, htu="https://id.example.vn:443/oauth/userinfo"
            )
        },
    ),
    "no-proof": (False, lambda rp, at: {"with_proof": False}),
    "no-proof-as-bearer": (False, lambda rp, at: {"with_proof": False, "scheme": "Bearer"}),
}


def _unsigned(rp: Rp, token: str) -> str:
    proof = dpop_proof(rp, "GET", "/oauth/userinfo", token=token)
    _header, payload, _signature = proof.split(".")
    return f"{b64json({'typ': 'dpop+jwt', 'alg': 'none', 'jwk': rp.dpop_key.as_dict(private=False)})}.{payload}."


def _tampered(proof: str) -> str:
    head, payload, signature = proof.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[0] ^= 0xFF
    return f"{head}.{payload}.{base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()}"


@pytest.mark.parametrize("case", list(_DPOP_CASES))
def test_fapi2_security_profile_final_dpop_negative_tests(
    rp: Rp, browser: Browser, case: str, settings: Any
) -> None:
    """Each check of RFC 9449 §4.3 and §7.1 at userinfo: the defective proof is refused (400/401), the
    tolerated variations are accepted, and a correct proof still works afterwards. The jti replay is
    ``test_fapi2_security_profile_final_dpop_negative_tests_jti_replay``. Issuer on HTTPS without a port,
    as deployed, so that the htu normalizations mean something."""
    settings.FEDERATION_ISSUER = "https://id.example.vn"
    access = tokens_for(rp, browser)["access_token"]
    accepted, make = _DPOP_CASES[case]
    answer = userinfo(rp, access, **make(rp, access))
    if accepted:
        assert answer.status_code == 200, answer.content
    else:
        assert answer.status_code in (400, 401), answer.content
    assert userinfo(rp, access).status_code == 200  # the token still works: the proof was what failed


def test_fapi2_security_profile_final_dpop_negative_tests_jti_replay(rp: Rp, browser: Browser) -> None:
    """The same proof (same jti) twice: first accepted, then refused (RFC 9449 §11.1; a SHOULD)."""
    access = tokens_for(rp, browser)["access_token"]
    proof = dpop_proof(rp, "GET", "/oauth/userinfo", token=access, jti="fixed-jti-value-1")
    assert userinfo(rp, access, proof=proof).status_code == 200
    assert userinfo(rp, access, proof=proof).status_code in (400, 401)
