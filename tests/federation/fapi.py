"""What a FAPI 2.0 relying party does, written the way a client library would (joserfc for the JOSE):
client assertions (RFC 7523), DPoP proofs (RFC 9449), PKCE (RFC 7636) and pushed requests (RFC 9126).
Shared by the PAR, DPoP, refresh, consent and conformance tests."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.test import Client as Browser
from joserfc import jwt
from joserfc.jwk import ECKey

from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import Client

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
RP = "https://fapi.example.vn/cb"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Rp:
    """A relying party: its registration, its client-authentication key and its DPoP key."""

    client: Client
    key: ECKey
    dpop_key: ECKey = field(default_factory=lambda: ECKey.generate_key("P-256"))
    nonce: str = ""

    def assertion(self, **changes: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.client.client_id, "sub": self.client.client_id, "aud": settings.FEDERATION_ISSUER,
            "iat": now, "exp": now + 60, "jti": secrets.token_urlsafe(16), **changes,
        }  # fmt: skip
        return jwt.encode({"alg": "ES256", "kid": self.key.kid}, claims, self.key)

    def auth(self) -> dict[str, str]:
        return {"client_assertion_type": ASSERTION_TYPE, "client_assertion": self.assertion()}

    def proof(
        self, method: str, path: str, *, token: str = "", key: ECKey | None = None, nonce: str | None = None,
        header: dict[str, Any] | None = None, **changes: Any,
    ) -> str:  # fmt: skip
        signer = key or self.dpop_key
        claims: dict[str, Any] = {
            "jti": secrets.token_urlsafe(16), "htm": method, "htu": settings.FEDERATION_ISSUER + path,
            "iat": int(time.time()),
        }  # fmt: skip
        if nonce if nonce is not None else self.nonce:
            claims["nonce"] = nonce if nonce is not None else self.nonce
        if token:
            claims["ath"] = b64(hashlib.sha256(token.encode()).digest())
        claims.update(changes)
        protected = {"typ": "dpop+jwt", "alg": "ES256", "jwk": signer.as_dict(private=False), **(header or {})}
        return jwt.encode(protected, claims, signer)

    @property
    def jkt(self) -> str:
        return self.dpop_key.thumbprint()

    def post(self, path: str, data: dict[str, str], *, dpop: bool = True, **extra: Any) -> Any:
        """POST with client authentication and a DPoP proof; one retry with the nonce the server
        asks for (RFC 9449 §8), as client libraries do."""
        for _attempt in range(2):
            headers: dict[str, Any] = {"HTTP_DPOP": self.proof("POST", path)} if dpop else {}
            response = Browser().post(path, {**data, **self.auth()}, **headers, **extra)
            if "DPoP-Nonce" in response:
                self.nonce = response["DPoP-Nonce"]
            if response.status_code == 400 and response.json().get("error") == "use_dpop_nonce":
                continue
            return response
        return response


def fapi_rp(
    *, scopes: tuple[str, ...] = ("openid", "profile", "organization", "offline_access"), service: str = "dvc"
) -> Rp:
    key = ECKey.generate_key("P-256", parameters={"kid": "rp-1"})
    client, _secret = client_register(
        actor=None, name="Ngân hàng FAPI", redirect_uris=[RP], scopes=list(scopes), profile="fapi2",
        auth_method="private_key_jwt", jwks={"keys": [key.as_dict(private=False)]}, service=service,
    )  # fmt: skip
    return Rp(client=client, key=key)


def auth_request(rp: Rp, challenge: str, **changes: str) -> dict[str, str]:
    params = {
        "client_id": rp.client.client_id, "redirect_uri": RP, "response_type": "code",
        "scope": "openid profile organization offline_access", "state": "st-1", "nonce": "n-1",
        "code_challenge": challenge, "code_challenge_method": "S256", **changes,
    }  # fmt: skip
    return {k: v for k, v in params.items() if v != "-"}


def push(rp: Rp, challenge: str, **changes: str) -> Any:
    return rp.post("/oauth/par", auth_request(rp, challenge, **changes))


def query_of(response: Any, base: str = RP) -> dict[str, str]:
    assert response.status_code == 302, response.content[:300]
    location = response["Location"]
    assert location.startswith(base + "?"), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def consent(browser: Browser, rp: Rp, request_uri: str, **post: str) -> dict[str, str]:
    """The person's browser at the authorization endpoint with the pushed request: page, then allow."""
    params = {"client_id": rp.client.client_id, "request_uri": request_uri}
    page = browser.get("/oauth/authorize?" + urlencode(params))
    assert page.status_code == 200, page.content[:300]
    return query_of(browser.post("/oauth/authorize", {**params, "decision": "allow", **post}))


def signed_in_flow(rp: Rp, browser: Browser, **post: str) -> tuple[dict[str, Any], str]:
    """PAR → consent → code → tokens with DPoP; returns the token response and the verifier."""
    verifier, challenge = pkce()
    pushed = push(rp, challenge)
    assert pushed.status_code == 201, pushed.content
    answer = consent(browser, rp, pushed.json()["request_uri"], **post)
    tokens = rp.post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": answer["code"],
            "code_verifier": verifier,
            "redirect_uri": RP,
        },
    )
    assert tokens.status_code == 200, tokens.content
    return tokens.json(), verifier
