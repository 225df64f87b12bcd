"""Client authentication at the token, introspection and revocation endpoints.

* ``client_secret_basic`` — RFC 6749 §2.3.1: HTTP Basic with the form-urlencoded client id and secret;
  a failure is 401 with a ``Basic`` challenge.
* ``none`` — a public client (RFC 6749 §2.1, registered as such, ``basic`` profile only) names itself
  with ``client_id``; only the authorization-code grant with PKCE serves it.
* ``private_key_jwt`` — RFC 7523 §2.2 and §3, OpenID Connect Core §9, FAPI 2.0 §5.3.2.1: a JWT signed
  with one of the client's registered public keys (PS256, ES256 or EdDSA only); ``iss`` and ``sub``
  are the client id; ``aud`` is the issuer identifier; ``exp`` is required and at most 5 minutes ahead (a replay store grows with it);
  ``iat``, when present, not in the future beyond the 10 s of clock skew accepted; ``jti`` required and
  single use (kept until the assertion expires). The keys are the client's registered set, or the one
  its ``jwks_uri`` serves (``federation.client_keys``: cached, fetched again for a key id it lacks).
  Header members this provider does not know are ignored (RFC 7515 §4); ``crit`` is refused, as no
  extension is understood here (§4.1.11).

A client uses only the method it was registered with; a disabled client authenticates as nobody.
Every failure is ``invalid_client``, saying which rule failed without echoing the input.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry, extract_compact

from dinhdanh.core.rows import Insert, SelectOne
from dinhdanh.federation.client_keys import ClientKeysError, client_key_set
from dinhdanh.federation.clients import secret_matches
from dinhdanh.federation.keys import ALGORITHMS
from dinhdanh.federation.models import AssertionJti, AuthMethod, Client
from dinhdanh.federation.protocol.errors import OAuthError
from dinhdanh.federation.protocol.params import OAuthRequest

__all__ = ["ASSERTION_TYPE", "CLOCK_SKEW", "MAX_ASSERTION_LIFETIME", "authenticate_client"]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CLOCK_SKEW = timedelta(seconds=10)
MAX_ASSERTION_LIFETIME = timedelta(seconds=300)  # as Auth0; Corppass takes 10 min, openid-client makes 60 s
MAX_ASSERTION_BYTES = 8192


def _invalid(description: str, *, basic: bool = False) -> OAuthError:
    return OAuthError("invalid_client", description, 401, challenge='Basic realm="dinhdanh"' if basic else "")


# The hot path's lookups (decision 0034): one row each, no per-call SQL compilation. The client's
# service, which only the authorization-code grant reads, is fetched when read.
_ACTIVE_CLIENT = SelectOne(Client, "{client_id} = %s AND {active} = %s", ["client_id", "active"], reuse=True)
_INSERT_JTI = Insert(AssertionJti, ignore_conflicts=True)
# Imported key sets by their registered JSON: the same registration imports to the same keys, so a
# changed registration is simply another entry; bounded, and emptied when full.
_key_sets: dict[str, KeySet] = {}
_KEY_SETS_KEPT = 256


def _client(client_id: str, method: str) -> Client:
    client = _ACTIVE_CLIENT.first(client_id[:64], True)
    if client is None or client.auth_method != method:
        raise _invalid(
            "unknown client, disabled, or registered for another authentication method",
            basic=method == AuthMethod.SECRET_BASIC,
        )
    return client


def _basic(header: str) -> Client:
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid("malformed Basic credentials", basic=True) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id:
        raise _invalid("malformed Basic credentials", basic=True)
    client = _client(unquote_plus(client_id), AuthMethod.SECRET_BASIC)
    if not secret_matches(client, unquote_plus(secret)):
        raise _invalid("wrong client secret", basic=True)
    return client


def _key_set(client: Client, kid: str | None) -> KeySet:
    """The client's registered keys, imported once per registration JSON; by address, as
    ``client_keys`` fetches and keeps them."""
    if not client.jwks:
        return client_key_set(client, kid)
    registered = json.dumps(client.jwks, sort_keys=True)
    found = _key_sets.get(registered)
    if found is None:
        if len(_key_sets) >= _KEY_SETS_KEPT:
            _key_sets.clear()
        found = _key_sets[registered] = KeySet.import_key_set(client.jwks)
    return found


# Unknown header members are ignored (RFC 7515 §4), as libraries add their own; joserfc's default
# registry would refuse them.
_REGISTRY = JWSRegistry(algorithms=list(ALGORITHMS), strict_check_header=False)


def _claims(assertion: str, header: dict[str, Any], client: Client) -> dict[str, Any]:
    kid = header.get("kid")
    try:
        keys = _key_set(client, kid if isinstance(kid, str) else None)
    except ClientKeysError as exc:
        raise _invalid("the client's keys cannot be had") from exc
    try:
        return dict(jwt.decode(assertion, keys, algorithms=list(ALGORITHMS), registry=_REGISTRY).claims)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise _invalid("the client assertion's signature does not verify with a registered key") from exc


def _moment(value: object, name: str) -> datetime:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _invalid(f"the client assertion has no numeric {name}")
    return datetime.fromtimestamp(value, tz=UTC)


def _assertion(assertion: str, now: datetime) -> Client:
    if len(assertion) > MAX_ASSERTION_BYTES:
        raise _invalid("the client assertion is too long")
    try:
        # Unverified, only to find whose keys to verify it with (issuer, key id): nothing else is read
        # before that.
        compact = extract_compact(assertion.encode())
        header, issuer = dict(compact.protected), json.loads(compact.payload).get("iss")
    except (JoseError, ValueError, AttributeError) as exc:
        raise _invalid("malformed client assertion") from exc
    if not isinstance(issuer, str) or not issuer:
        raise _invalid("the client assertion names no issuer")
    if "crit" in header:
        raise _invalid("no critical header extension is supported")
    client = _client(issuer, AuthMethod.PRIVATE_KEY_JWT)
    claims = _claims(assertion, header, client)  # from here on, signed by the client
    if claims.get("sub") != client.client_id or claims.get("iss") != client.client_id:
        raise _invalid("iss and sub must be the client id")
    audience = claims.get("aud")
    if audience != settings.FEDERATION_ISSUER and not (
        isinstance(audience, list) and audience == [settings.FEDERATION_ISSUER]
    ):
        raise _invalid("aud must be the issuer identifier")
    expires = _moment(claims.get("exp"), "exp")
    if expires <= now - CLOCK_SKEW or expires > now + MAX_ASSERTION_LIFETIME + CLOCK_SKEW:
        raise _invalid("the client assertion is expired or lives too long")
    if "iat" in claims and _moment(claims["iat"], "iat") > now + CLOCK_SKEW:
        raise _invalid("the client assertion was issued in the future")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 8 <= len(jti) <= 200:
        raise _invalid("the client assertion needs a jti")
    # One statement that either records the jti or finds it there: no savepoint to roll back to.
    if not _INSERT_JTI.add(client=client, jti=jti, expires_at=expires + CLOCK_SKEW):
        raise _invalid("the client assertion was used before")
    return client


def authenticate_client(request: OAuthRequest, now: datetime) -> Client:
    """The client behind ``request``, by the one method it uses; ``OAuthError`` otherwise."""
    header = request.headers.get("Authorization", "")
    assertion_type = request.POST.get("client_assertion_type", "")
    assertion = request.POST.get("client_assertion", "")
    if header[:6].lower() == "basic " and not assertion:
        return _basic(header)
    if assertion and not header:
        if assertion_type != ASSERTION_TYPE:
            raise _invalid("unsupported client_assertion_type")
        return _assertion(assertion, now)
    public_id = request.POST.get("client_id", "")
    if public_id and not header and not assertion_type:
        # A public client (RFC 6749 §2.1) proves nothing itself; PKCE binds its code (RFC 7636).
        return _client(public_id, AuthMethod.NONE)
    raise _invalid("authenticate with exactly one method: HTTP Basic or a client assertion", basic=True)
