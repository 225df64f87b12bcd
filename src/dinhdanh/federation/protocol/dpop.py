"""OAuth 2.0 Demonstrating Proof of Possession (DPoP, RFC 9449): sender-constrained tokens for FAPI 2.0
clients (FAPI 2.0 Security Profile §5.3.2.1, §5.3.3) and any client that sends a proof.

A proof (§4.2) is a JWT in the ``DPoP`` header, checked here in the order of §4.3:

* exactly one header, a well-formed JWS, ``typ: dpop+jwt``, an asymmetric algorithm the provider
  accepts (PS256, ES256, EdDSA — never ``none`` or HMAC), a ``jwk`` header holding a **public** key,
  and a signature that verifies with it;
* ``htm`` the request's method and ``htu`` this endpoint's URI (under the issuer, without query or
  fragment, §4.3 item 9);
* ``iat`` not more than 10 s in the future nor older than 60 s (the skew FAPI 2.0 §5.3.2.1 allows
  and refuses); ``jti`` used once per key while ``iat`` is acceptable (§11.1);
* ``nonce`` a server nonce still fresh (§8, §9): a proof without one, or with a stale one, is answered
  ``use_dpop_nonce`` with a ``DPoP-Nonce`` header to retry with. Nonces are stateless — a timestamp
  and its keyed MAC — so any process of the provider accepts any other's for ``NONCE_SECONDS``;
* at a resource (userinfo), ``ath`` is the hash of the access token presented (§4.3 item 10).

The key's RFC 7638 thumbprint (``jkt``) is what codes (§10), access tokens (``cnf.jkt``, §6.1) and
refresh tokens (§5) are bound to.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey

from dinhdanh.core.keys import data_key
from dinhdanh.federation.keys import ALGORITHMS
from dinhdanh.federation.models import DpopProof
from dinhdanh.federation.protocol.errors import OAuthError
from dinhdanh.federation.protocol.params import OAuthRequest

__all__ = [
    "NONCE_HEADER",
    "NONCE_SECONDS",
    "Proof",
    "access_token_hash",
    "fresh_nonce",
    "proof_of",
    "with_nonce",
]

NONCE_HEADER = "DPoP-Nonce"
NONCE_SECONDS = 300
NONCE_KEY = "dpop-nonce"
PAST = timedelta(seconds=60)
FUTURE = timedelta(seconds=10)
MAX_PROOF_BYTES = 4096
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})


@dataclass(frozen=True, slots=True)
class Proof:
    jkt: str  # the thumbprint of the key that signed it


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def access_token_hash(token: str) -> str:
    """``ath`` (§4.2): base64url of the SHA-256 of the access token's ASCII."""
    return _b64(hashlib.sha256(token.encode("ascii", "replace")).digest())


def fresh_nonce(now: float | None = None) -> str:
    stamp = struct.pack(">Q", int(time.time() if now is None else now))
    return _b64(stamp + hmac.new(data_key(NONCE_KEY), stamp, hashlib.sha256).digest()[:16])


def _nonce_ok(nonce: object, now: float) -> bool:
    if not isinstance(nonce, str) or len(nonce) > 64:
        return False
    try:
        raw = base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4))
    except ValueError:
        return False
    if len(raw) != 24:
        return False
    stamp, mac = raw[:8], raw[8:]
    expected = hmac.new(data_key(NONCE_KEY), stamp, hashlib.sha256).digest()[:16]
    age = now - struct.unpack(">Q", stamp)[0]
    return hmac.compare_digest(mac, expected) and -FUTURE.total_seconds() <= age <= NONCE_SECONDS


def with_nonce[R: HttpResponse](response: R) -> R:
    """Every answer to a DPoP-capable request carries a fresh nonce for the next proof (§8.2)."""
    response[NONCE_HEADER] = fresh_nonce()
    return response


def _invalid(description: str, *, resource: bool) -> OAuthError:
    if resource:
        return OAuthError(
            "invalid_dpop_proof", description, 401, challenge=f'DPoP error="invalid_dpop_proof", algs="{_ALGS}"'
        )
    return OAuthError("invalid_dpop_proof", description)


_ALGS = " ".join(ALGORITHMS)


def _public_key(header: dict[str, Any], resource: bool) -> ECKey | RSAKey | OKPKey:
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or _PRIVATE_MEMBERS & set(jwk):
        raise _invalid("the proof needs a public jwk header", resource=resource)
    kty = jwk.get("kty")
    try:
        if kty == "EC":
            return ECKey.import_key(jwk)
        if kty == "RSA":
            return RSAKey.import_key(jwk)
        if kty == "OKP":
            return OKPKey.import_key(jwk)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise _invalid("the proof's jwk is not a usable key", resource=resource) from exc
    raise _invalid("the proof's jwk is not a usable key", resource=resource)


_DEFAULT_PORTS = {"https": ":443", "http": ":80"}


def _htu(uri: object) -> str:
    """The URI without query and fragment, scheme and host in lower case (RFC 3986 §6.2.2.1) and
    without the scheme's default port (§6.2.3)."""
    if not isinstance(uri, str):
        return ""
    head, _sep, _rest = uri.partition("?")
    head = head.partition("#")[0]
    scheme, sep, remainder = head.partition("://")
    host, slash, path = remainder.partition("/")
    scheme, host = scheme.lower(), host.lower()
    default_port = _DEFAULT_PORTS.get(scheme)
    if default_port:
        host = host.removesuffix(default_port)
    return f"{scheme}{sep}{host}{slash}{path or ''}"


def _claims(proof: str, resource: bool) -> tuple[dict[str, Any], str]:
    try:
        compact = jws.extract_compact(proof.encode("ascii"))
        header = dict(compact.protected)
    except (JoseError, ValueError, UnicodeEncodeError) as exc:
        raise _invalid("the DPoP header is not a compact JWS", resource=resource) from exc
    if header.get("typ") != "dpop+jwt" or header.get("alg") not in ALGORITHMS:
        raise _invalid("typ must be dpop+jwt and alg one of " + _ALGS, resource=resource)
    if "crit" in header:  # RFC 7515 §4.1.11: no extension is understood here, so none may be critical
        raise _invalid("no critical header extension is supported", resource=resource)
    key = _public_key(header, resource)
    # Header members this provider does not know are ignored (RFC 7515 §4), as the conformance suite's
    # DPoP tests expect; joserfc's default registry would refuse them.
    registry = jws.JWSRegistry(algorithms=[str(header["alg"])], strict_check_header=False)
    try:
        verified = jws.deserialize_compact(proof, key, registry=registry)
        claims = json.loads(verified.payload)
    except (JoseError, ValueError) as exc:
        raise _invalid("the proof's signature does not verify with its jwk", resource=resource) from exc
    if not isinstance(claims, dict):
        raise _invalid("the proof's payload is not a JSON object", resource=resource)
    return claims, key.thumbprint()


def proof_of(
    request: OAuthRequest, *, path: str, now: datetime, access_token: str | None = None, required: bool
) -> Proof | None:
    """The checked proof of ``request`` to the endpoint at ``path`` (under the issuer); None when the
    request carries none and ``required`` is false. ``OAuthError`` for anything wrong."""
    resource = access_token is not None
    values = [v.strip() for v in request.headers.get("DPoP", "").split(",") if v.strip()]
    if not values:
        if required and resource:
            raise _invalid("this token needs a DPoP proof", resource=True)
        if required:  # absent, not malformed: the request lacks a parameter (FAPI 2.0 conformance)
            raise OAuthError("invalid_request", "this client must send a DPoP proof")
        return None
    if len(values) != 1 or len(values[0]) > MAX_PROOF_BYTES:
        raise _invalid("exactly one DPoP proof, of reasonable size", resource=resource)
    claims, jkt = _claims(values[0], resource)
    if claims.get("htm") != request.method or _htu(claims.get("htu")) != _htu(settings.FEDERATION_ISSUER + path):
        raise _invalid("htm and htu must name this request's method and endpoint", resource=resource)
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        raise _invalid("the proof needs a numeric iat", resource=resource)
    at = datetime.fromtimestamp(issued, tz=UTC)
    if at > now + FUTURE or at < now - PAST:
        raise _invalid("the proof's iat is too far from now", resource=resource)
    if resource and not hmac.compare_digest(str(claims.get("ath", "")), access_token_hash(access_token or "")):
        raise _invalid("ath does not match the access token", resource=resource)
    if not _nonce_ok(claims.get("nonce"), now.timestamp()):
        if resource:
            raise OAuthError(
                "use_dpop_nonce", "use the DPoP-Nonce given", 401, challenge='DPoP error="use_dpop_nonce"'
            )
        raise OAuthError("use_dpop_nonce", "use the DPoP-Nonce given")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 8 <= len(jti) <= 200:
        raise _invalid("the proof needs a jti", resource=resource)
    try:
        with transaction.atomic():
            DpopProof.objects.create(jkt=jkt, jti=jti, expires_at=at + PAST + FUTURE)
    except IntegrityError as exc:
        raise _invalid("the proof was used before", resource=resource) from exc
    return Proof(jkt=jkt)
