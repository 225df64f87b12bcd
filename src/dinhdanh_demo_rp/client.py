"""The relying party's side of the flow (FAPI 2.0 Security Profile §5.3): PAR with PKCE and a DPoP
key → the person at the provider → callback checks (``state``, RFC 9207 ``iss``) → code exchange with
``private_key_jwt`` and DPoP → ID token verified from the provider's JWKS (``iss``, ``aud``, ``exp``,
``nonce``) → userinfo with the DPoP-bound access token.

Authlib's ``OAuth2Client`` builds the request and exchanges the code; the ``DPoPAuth`` hook signs the
proofs. Discovery tells every address: the issuer is the only thing configured.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from dinhdanh_demo_rp.dpop import DPoPAuth, DPoPKey

__all__ = ["FlowError", "IssuerAssertion", "Pending", "RelyingParty", "SignedIn"]

SCOPE = "openid profile organization"
ALGORITHMS = ["ES256", "PS256", "EdDSA"]
JWKS_SECONDS = 300  # docs/federation.md: cache the JWKS for at most five minutes


class FlowError(Exception):
    """A sign-in that must stop; ``code`` picks the message the person reads (pages.MESSAGES)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


@dataclass
class Pending:
    """What this browser's sign-in must match when it comes back (kept server-side, never sent)."""

    state: str
    nonce: str
    verifier: str
    dpop: DPoPKey
    started: float = field(default_factory=time.time)


@dataclass
class SignedIn:
    claims: dict[str, Any]  # from the verified ID token
    userinfo: dict[str, Any]
    id_token: str


class IssuerAssertion(PrivateKeyJWT):  # type: ignore[misc]
    """private_key_jwt as FAPI 2.0 wants it: ``aud`` = the issuer, a short life, a new ``jti`` each
    time (Authlib would write its ``jti`` into a shared claims dict and repeat it)."""

    def __init__(self, issuer: str, kid: str) -> None:
        super().__init__(issuer, headers={"kid": kid}, alg="ES256")

    def sign(self, auth: Any, token_endpoint: str) -> str:
        self.claims = {"exp": int(time.time()) + 60}
        return str(super().sign(auth, token_endpoint))


class RelyingParty:
    def __init__(self, *, issuer: str, client_id: str, base_url: str, key: ECKey, timeout: float = 10.0) -> None:
        self.issuer, self.client_id, self.key, self.timeout = issuer.rstrip("/"), client_id, key, timeout
        self.base_url = base_url.rstrip("/")
        self.redirect_uri = f"{self.base_url}/callback"
        self.post_logout_uri = f"{self.base_url}/signed-out"
        self._metadata: dict[str, Any] | None = None
        self._jwks: tuple[float, dict[str, Any]] | None = None
        self._lock = threading.RLock()  # the JWKS fetch reads the metadata under it

    # -- what the provider publishes -------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        """Fetched when first needed: the provider may start after this app (``dinhdanh demo``)."""
        with self._lock:
            if self._metadata is None:
                found = httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=self.timeout)
                found.raise_for_status()
                data: dict[str, Any] = found.json()
                if data.get("issuer") != self.issuer:  # OIDC Discovery §4.3
                    raise FlowError("discovery", "issuer mismatch")
                self._metadata = data
            return self._metadata

    def _key_set(self, *, again: bool = False) -> KeySet:
        with self._lock:
            if again or self._jwks is None or time.time() - self._jwks[0] > JWKS_SECONDS:
                answer = httpx.get(self.metadata()["jwks_uri"], timeout=self.timeout)
                answer.raise_for_status()
                self._jwks = (time.time(), answer.json())
            return KeySet.import_key_set(self._jwks[1])  # type: ignore[arg-type]

    def _oauth(self) -> OAuth2Client:
        return OAuth2Client(
            self.client_id, self.key, token_endpoint_auth_method=IssuerAssertion(self.issuer, self.key.kid or ""),
            scope=SCOPE, redirect_uri=self.redirect_uri, code_challenge_method="S256", timeout=self.timeout,
        )  # fmt: skip

    # -- the flow ---------------------------------------------------------------------------------
    def begin(self, *, prompt: str = "", login_hint: str = "") -> tuple[str, Pending]:
        """Push the request (RFC 9126), return the address to send the browser to."""
        meta = self.metadata()
        pending = Pending(
            state=generate_token(32), nonce=generate_token(32), verifier=generate_token(64), dpop=DPoPKey()
        )
        extra = {k: v for k, v in {"prompt": prompt, "login_hint": login_hint}.items() if v}
        with self._oauth() as oauth:
            url, _state = oauth.create_authorization_url(
                meta["authorization_endpoint"], state=pending.state, code_verifier=pending.verifier,
                nonce=pending.nonce, dpop_jkt=pending.dpop.jkt, **extra,
            )  # fmt: skip
            auth = DPoPAuth(pending.dpop, inner=oauth.client_auth(oauth.token_endpoint_auth_method))
            pushed = oauth.post(
                meta["pushed_authorization_request_endpoint"], data=dict(parse_qsl(urlsplit(url).query)), auth=auth
            )
        if pushed.status_code != 201:
            raise FlowError("par", _error_of(pushed))
        query = urlencode({"client_id": self.client_id, "request_uri": pushed.json()["request_uri"]})
        return f"{meta['authorization_endpoint']}?{query}", pending

    def complete(self, pending: Pending, query: dict[str, str]) -> SignedIn:
        """The callback: nothing is trusted until ``state`` and ``iss`` match (RFC 9700 §4.7, RFC 9207)."""
        if not secrets.compare_digest(query.get("state", ""), pending.state):
            raise FlowError("state")
        if query.get("iss") != self.issuer:
            raise FlowError("iss")
        if "error" in query:
            raise FlowError("refused", query["error"][:64])
        meta = self.metadata()
        with self._oauth() as oauth:
            auth = DPoPAuth(pending.dpop, inner=oauth.client_auth(oauth.token_endpoint_auth_method))
            try:
                token = oauth.fetch_token(
                    meta["token_endpoint"], grant_type="authorization_code", code=query.get("code", ""),
                    code_verifier=pending.verifier, redirect_uri=self.redirect_uri, auth=auth,
                )  # fmt: skip
            except Exception as exc:  # Authlib raises its OAuthError, httpx its own: both end here
                raise FlowError("token", type(exc).__name__) from exc
            if str(token.get("token_type", "")).lower() != "dpop":  # FAPI 2.0: sender-constrained
                raise FlowError("token", "not a DPoP token")
            claims = self.verify_id_token(str(token.get("id_token", "")), nonce=pending.nonce)
            access = str(token["access_token"])
            answer = oauth.get(meta["userinfo_endpoint"], auth=DPoPAuth(pending.dpop, access_token=access))
        if answer.status_code != 200:
            raise FlowError("userinfo", _error_of(answer))
        info: dict[str, Any] = answer.json()
        if info.get("sub") != claims["sub"]:  # OIDC Core §5.3.2
            raise FlowError("userinfo", "sub differs from the ID token's")
        return SignedIn(claims=claims, userinfo=info, id_token=str(token["id_token"]))

    def verify_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """OIDC Core §3.1.3.7 with keys from the JWKS only; an unknown ``kid`` fetches it once more."""
        try:
            try:
                decoded = jwt.decode(id_token, self._key_set(), algorithms=ALGORITHMS)
            except ValueError:  # joserfc: no key with that kid
                decoded = jwt.decode(id_token, self._key_set(again=True), algorithms=ALGORITHMS)
            jwt.JWTClaimsRegistry(
                leeway=30,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                exp={"essential": True},
                sub={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise FlowError("id_token", type(exc).__name__) from exc
        return dict(decoded.claims)

    def logout_url(self, signed: SignedIn, state: str) -> str:
        """RP-initiated logout: the provider asks the person, then sends them back to ``/signed-out``."""
        query = urlencode({
            "id_token_hint": signed.id_token, "client_id": self.client_id,
            "post_logout_redirect_uri": self.post_logout_uri, "state": state,
        })  # fmt: skip
        return f"{self.metadata()['end_session_endpoint']}?{query}"


def _error_of(response: httpx.Response) -> str:
    """The OAuth error code only: descriptions may echo request values, which stay out of logs."""
    try:
        return str(response.json().get("error", response.status_code))[:64]
    except ValueError:
        return str(response.status_code)
