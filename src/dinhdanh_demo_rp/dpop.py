"""DPoP (RFC 9449) for an httpx / Authlib client: the hook Authlib does not ship.

``DPoPAuth`` is an ``httpx.Auth`` that puts a fresh proof on each request (``htm``, ``htu``, ``jti``,
``iat``, the server's latest ``nonce``, and ``ath`` when an access token is presented) and retries once
when the server answers ``use_dpop_nonce`` (§8 at the authorization server, §9 at a resource). It can
wrap Authlib's client authentication, which is then applied again on the retry so that the client
assertion's ``jti`` is new each time (a provider refuses a repeated one as a replay).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Generator
from urllib.parse import urlsplit, urlunsplit

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey

__all__ = ["DPoPAuth", "DPoPKey"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class DPoPKey:
    """One proof-of-possession key (the tokens issued are bound to it) and the last nonce heard."""

    def __init__(self, key: ECKey | None = None) -> None:
        self.key = key or ECKey.generate_key("P-256")
        self.nonce = ""

    @property
    def jkt(self) -> str:
        return self.key.thumbprint()

    def proof(self, method: str, url: str, *, access_token: str = "") -> str:
        parts = urlsplit(url)
        claims: dict[str, object] = {
            "jti": secrets.token_urlsafe(16),
            "htm": method.upper(),
            "htu": urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),  # §4.2: no query, fragment
            "iat": int(time.time()),
        }
        if self.nonce:
            claims["nonce"] = self.nonce
        if access_token:
            claims["ath"] = _b64(hashlib.sha256(access_token.encode("ascii")).digest())
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.key.as_dict(private=False)}
        return jwt.encode(header, claims, self.key)


def asks_for_nonce(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return 'error="use_dpop_nonce"' in response.headers.get("WWW-Authenticate", "")
    if response.status_code != 400:
        return False
    try:
        return bool(response.json().get("error") == "use_dpop_nonce")
    except ValueError:
        return False


class DPoPAuth(httpx.Auth):
    """Proofs on a request; ``inner`` (Authlib's client authentication) applied under them, or the
    access token presented as ``Authorization: DPoP …`` (§7.1)."""

    requires_request_body = True
    requires_response_body = True

    def __init__(self, key: DPoPKey, *, inner: httpx.Auth | None = None, access_token: str = "") -> None:
        self.key, self.inner, self.access_token = key, inner, access_token

    def _prepared(self, request: httpx.Request) -> httpx.Request:
        fresh = httpx.Request(request.method, request.url, headers=request.headers, content=request.content)
        if self.inner is not None:
            fresh = next(self.inner.sync_auth_flow(fresh))  # Authlib's client auth yields once
        if self.access_token:
            fresh.headers["Authorization"] = f"DPoP {self.access_token}"
        fresh.headers["DPoP"] = self.key.proof(request.method, str(request.url), access_token=self.access_token)
        return fresh

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield self._prepared(request)
        self._hear(response)
        if asks_for_nonce(response):
            response = yield self._prepared(request)
            self._hear(response)

    def _hear(self, response: httpx.Response) -> None:
        nonce = response.headers.get("DPoP-Nonce")
        if nonce:
            self.key.nonce = nonce
