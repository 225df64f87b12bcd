"""A client's public keys, registered by value (``Client.jwks``) or by address (``Client.jwks_uri``,
OpenID Connect Core §10.1.1, RFC 7591 §2): what verifies its client assertions.

A key set by address is fetched over HTTPS (HTTP only on loopback, as registration allows), with a
short timeout and a size limit, kept for ``CACHE_SECONDS`` per process, and fetched again — at most
once per ``REFETCH_SECONDS`` — when an assertion names a key the cached set lacks (the client rotated).
A set that cannot be fetched or read is no key at all: the assertion is refused (``invalid_client``),
never accepted on an old answer past its time. Private members in a fetched set are refused, as at
registration.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from typing import Any, override

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from dinhdanh.federation.models import Client

__all__ = ["CACHE_SECONDS", "ClientKeysError", "client_key_set"]

CACHE_SECONDS = 300
REFETCH_SECONDS = 30
TIMEOUT_SECONDS = 5
MAX_BYTES = 65536
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_PRIVATE = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})
_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


class ClientKeysError(Exception):
    """The client's key set could not be had."""


def _allowed(uri: str) -> bool:
    """HTTPS, or HTTP to this machine: by the parsed host, so ``http://localhost.example`` or
    ``http://127.0.0.1@example`` is not taken for loopback."""
    try:
        parts = urllib.parse.urlsplit(uri)
        host = parts.hostname
    except ValueError:
        return False
    return bool(host) and (parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK))


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is followed only to an address the registration itself could have named."""

    @override
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not _allowed(newurl):
            raise ClientKeysError("jwks_uri redirects to an address that is not allowed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_CheckedRedirects)


def _fetch(uri: str) -> dict[str, Any]:
    if not _allowed(uri):
        raise ClientKeysError("jwks_uri must be HTTPS")
    request = urllib.request.Request(uri, headers={"Accept": "application/jwk-set+json, application/json"})  # noqa: S310  (checked above)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            body = answer.read(MAX_BYTES + 1)
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors; a malformed URL, ValueError
        raise ClientKeysError("jwks_uri cannot be fetched") from exc
    if len(body) > MAX_BYTES:
        raise ClientKeysError("jwks_uri answers too much")
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ClientKeysError("jwks_uri answers no JSON") from exc
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not keys or any(not isinstance(k, dict) or _PRIVATE & set(k) for k in keys):
        raise ClientKeysError("jwks_uri answers no public key set")
    return {"keys": keys}


def _by_address(client: Client, kid: str | None) -> dict[str, Any]:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(client.jwks_uri)
    if cached is not None:
        fetched_at, data = cached
        fresh = now - fetched_at < CACHE_SECONDS
        known = kid is None or any(k.get("kid") == kid for k in data["keys"])
        if fresh and (known or now - fetched_at < REFETCH_SECONDS):
            return data
    data = _fetch(client.jwks_uri)
    with _lock:
        _cache[client.jwks_uri] = (now, data)
    return data


def published_keys(client: Client) -> list[dict[str, Any]]:
    """The public keys a client publishes at its ``jwks_uri`` (the same fetch, checks and cache as for
    its assertions); ``ClientKeysError`` when it has none or they cannot be had."""
    if not client.jwks_uri:
        raise ClientKeysError("the client has no jwks_uri")
    return list(_by_address(client, None)["keys"])


def client_key_set(client: Client, kid: str | None = None) -> KeySet:
    """The key set that verifies ``client``'s assertions (``kid``: the one an assertion names)."""
    data = client.jwks if client.jwks else _by_address(client, kid) if client.jwks_uri else None
    if not data:
        raise ClientKeysError("the client has no registered keys")
    try:
        return KeySet.import_key_set(data)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ClientKeysError("the client's key set cannot be read") from exc
