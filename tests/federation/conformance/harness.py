"""What the conformance suite's client does that ``tests.federation.fapi.Rp`` does not: requests with a
proof or an assertion changed on purpose, DPoP proofs built claim by claim, userinfo calls with a DPoP
proof, and signing in again in the same browser (``prompt=login``, ``max_age``)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client as Browser
from joserfc import jws
from joserfc.jwk import ECKey

from dinhdanh.federation.protocol import dpop
from dinhdanh.people.models import User
from tests.conftest import signed_in
from tests.federation.fapi import ASSERTION_TYPE, RP, Rp, auth_request, b64, pkce, query_of

__all__ = [
    "Flow",
    "b64json",
    "basic_auth",
    "dpop_proof",
    "exchange",
    "post",
    "push_and_consent",
    "sign_in_again",
    "userinfo",
]


_LENIENT = jws.JWSRegistry(algorithms=["ES256"], strict_check_header=False)  # extra header members allowed


def b64json(value: dict[str, Any]) -> str:
    return b64(json.dumps(value).encode())


def dpop_proof(
    rp: Rp, method: str, path: str, *, token: str = "", key: ECKey | None = None,
    header: dict[str, Any] | None = None, drop: tuple[str, ...] = (), **claims: Any,
) -> str:  # fmt: skip
    """A DPoP proof (RFC 9449 §4.2) with the header and claims given, and ``drop``: names taken out of
    either — built with ``jws`` directly, so that nothing is added behind the test's back."""
    signer = key or rp.dpop_key
    body: dict[str, Any] = {
        "jti": secrets.token_urlsafe(16), "htm": method, "htu": settings.FEDERATION_ISSUER + path,
        "iat": int(time.time()), "nonce": rp.nonce,
    }  # fmt: skip
    if token:
        body["ath"] = b64(hashlib.sha256(token.encode()).digest())
    body.update(claims)
    protected = {"typ": "dpop+jwt", "alg": "ES256", "jwk": signer.as_dict(private=False), **(header or {})}
    for name in drop:
        body.pop(name, None)
        if name != "alg":
            protected.pop(name, None)
    signed = jws.serialize_compact(protected, json.dumps(body).encode(), signer, registry=_LENIENT)
    if "alg" in drop:  # signed, then the alg taken out of the header that travels
        _header, payload, signature = signed.split(".")
        signed = ".".join((b64json({k: v for k, v in protected.items() if k != "alg"}), payload, signature))
    return signed


def post(
    rp: Rp, path: str, data: dict[str, str], *, assertion: str | None = None,
    proof: Callable[[], str] | None = None, dpop_header: bool = True,
) -> Any:  # fmt: skip
    """One POST with client authentication (``assertion``, else a fresh one) and a DPoP proof (``proof``,
    else a correct one), after priming a server nonce — a changed proof or assertion is sent exactly as
    made, with no retry that would spend it."""
    if not rp.nonce:
        rp.nonce = dpop.fresh_nonce()
    headers: dict[str, Any] = {}
    if dpop_header:
        headers["HTTP_DPOP"] = proof() if proof else rp.proof("POST", path)
    body = {**data, "client_assertion_type": ASSERTION_TYPE}
    body["client_assertion"] = assertion if assertion is not None else rp.assertion()
    response = Browser().post(path, body, **headers)
    if "DPoP-Nonce" in response:
        rp.nonce = response["DPoP-Nonce"]
    return response


def userinfo(
    rp: Rp, token: str, *, method: str = "GET", scheme: str = "DPoP", proof: str | None = None,
    with_proof: bool = True,
) -> Any:  # fmt: skip
    """The userinfo endpoint with a DPoP-bound token: the proof given, or a correct one (with one retry
    on ``use_dpop_nonce``, as a client library does)."""
    for _attempt in range(2):
        headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"{scheme} {token}"}
        if with_proof:
            headers["HTTP_DPOP"] = proof or rp.proof(method, "/oauth/userinfo", token=token)
        send = Browser().post if method == "POST" else Browser().get
        response = send("/oauth/userinfo", **headers)
        if "DPoP-Nonce" in response:
            rp.nonce = response["DPoP-Nonce"]
        if proof is None and response.status_code == 401 and response.json().get("error") == "use_dpop_nonce":
            continue
        return response
    return response


@dataclass
class Flow:
    """One authorization through PAR: what was pushed and what came back to the redirect URI."""

    verifier: str
    request_uri: str
    answer: dict[str, str]

    @property
    def code(self) -> str:
        return self.answer["code"]


def push_and_consent(
    rp: Rp, browser: Browser, *, extra_url: dict[str, str] | None = None, dpop_header: bool = True,
    **changes: str,
) -> Flow:  # fmt: skip
    """PAR (with ``changes`` to the pushed parameters) → the consent page → allow. ``extra_url``:
    parameters added to the authorization URL beside ``client_id`` and ``request_uri``."""
    verifier, challenge = pkce()
    pushed = rp.post("/oauth/par", auth_request(rp, challenge, **changes), dpop=dpop_header)
    assert pushed.status_code == 201, pushed.content
    uri = pushed.json()["request_uri"]
    params = {"client_id": rp.client.client_id, "request_uri": uri, **(extra_url or {})}
    page = browser.get("/oauth/authorize?" + urlencode(params))
    assert page.status_code == 200, page.content[:300]
    answer = query_of(browser.post("/oauth/authorize", {**params, "decision": "allow"}))
    return Flow(verifier=verifier, request_uri=uri, answer=answer)


def exchange(rp: Rp, flow: Flow, **changes: str) -> Any:
    data = {"grant_type": "authorization_code", "code": flow.code, "code_verifier": flow.verifier,
            "redirect_uri": RP, **changes}  # fmt: skip
    return rp.post("/oauth/token", {k: v for k, v in data.items() if v != "-"})


def sign_in_again(browser: Browser, user: User) -> None:
    """The person signs in again in the browser the provider signed them out of (``prompt=login``,
    ``max_age``): the session's record of when that was asked survives, as it does after a sign-in."""
    asked = browser.session.get("federation_reauth_at")
    assert isinstance(asked, float), "the provider did not ask to sign in again"
    signed_in(browser, user)
    session = browser.session
    session["federation_reauth_at"] = asked
    session.save()


def basic_auth(client_id: str, secret: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}
