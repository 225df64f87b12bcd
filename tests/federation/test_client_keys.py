"""A client registered with ``jwks_uri`` (OpenID Connect Core §10.1.1) authenticates with
private_key_jwt against the key set served there: fetched and kept, fetched again once for a key id it
lacks (a rotation), and refused as ``invalid_client`` when it cannot be had. Client assertions may
carry header members this provider does not know (RFC 7515 §4), never ``crit`` (§4.1.11)."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.conf import settings
from django.test import Client as Browser
from joserfc import jwt
from joserfc.jwk import ECKey
from joserfc.jws import JWSRegistry

from dinhdanh.federation import client_keys
from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import Client

pytestmark = pytest.mark.django_db

RP = "https://nganhang.example.vn/cb"
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class KeyServer:
    """A relying party's key set on loopback HTTP, counting fetches; ``redirect`` answers 302 there."""

    def __init__(self) -> None:
        self.keys: Any = []  # what it serves under "keys": a list of keys, or anything else
        self.fetches = 0
        self.redirect = ""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                if server.redirect:
                    self.send_response(302)
                    self.send_header("Location", server.redirect)
                    self.end_headers()
                    return
                body = json.dumps({"keys": server.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/jwk-set+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.http.server_address[1]}/jwks.json"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def publish(self, *keys: ECKey) -> None:
        self.keys = [{**k.as_dict(private=False), "alg": "ES256"} for k in keys]


@pytest.fixture
def served() -> Iterator[KeyServer]:
    client_keys._cache.clear()
    server = KeyServer()
    yield server
    server.http.shutdown()
    server.http.server_close()
    client_keys._cache.clear()


def key(kid: str) -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": kid})


def register(uri: str) -> Client:
    client, _none = client_register(
        actor=None, name="Ngân hàng", redirect_uris=[RP], auth_method="private_key_jwt", jwks_uri=uri,
        scopes=["openid", "verify.organization"],
    )  # fmt: skip
    return client


def by_hand(header: dict[str, Any], claims: dict[str, Any], signer: ECKey) -> str:
    """A compact ES256 JWS whatever its header (joserfc will not make one with ``crit``)."""

    def part(value: dict[str, Any]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=")

    signing_input = part(header) + b"." + part(claims)
    r, s = decode_dss_signature(signer.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))  # type: ignore[union-attr]
    signature = base64.urlsafe_b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).rstrip(b"=")
    return (signing_input + b"." + signature).decode()


def token_with(client: Client, signer: ECKey, header: dict[str, Any] | None = None) -> Any:
    now = int(time.time())
    claims = {
        "iss": client.client_id, "sub": client.client_id, "aud": settings.FEDERATION_ISSUER, "iat": now,
        "exp": now + 60, "jti": secrets.token_urlsafe(16),
    }  # fmt: skip
    protected = {"alg": "ES256", "kid": signer.kid, **(header or {})}
    assertion = by_hand(protected, claims, signer) if "crit" in protected else jwt.encode(
        protected, claims, signer, registry=JWSRegistry(strict_check_header=False)
    )  # fmt: skip
    form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION, "client_assertion": assertion}
    return Browser().post("/oauth/token", form)


def test_a_client_authenticates_with_the_keys_at_its_address_kept_between_requests(served: KeyServer) -> None:
    first = key("rp-1")
    served.publish(first)
    client = register(served.uri)
    for _ in range(3):
        assert token_with(client, first).status_code == 200
    assert served.fetches == 1


def test_a_rotated_key_is_fetched_once_and_an_unknown_one_refused(served: KeyServer) -> None:
    old, new = key("rp-1"), key("rp-2")
    served.publish(old)
    client = register(served.uri)
    assert token_with(client, old).status_code == 200
    served.publish(old, new)  # the client rotates, a while after the set was fetched
    fetched_at, data = client_keys._cache[served.uri]
    client_keys._cache[served.uri] = (fetched_at - client_keys.REFETCH_SECONDS - 1, data)
    assert token_with(client, new).status_code == 200
    assert served.fetches == 2
    stranger = key("rp-3")
    refused = token_with(client, stranger)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert token_with(client, stranger).status_code == 401
    assert served.fetches == 2  # fetched again at most once per REFETCH_SECONDS, not per assertion


def test_an_unreachable_key_set_is_no_key(served: KeyServer) -> None:
    signer = key("rp-1")
    served.publish(signer)
    client = register(served.uri)
    served.http.shutdown()
    served.http.server_close()
    refused = token_with(client, signer)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")


@pytest.mark.parametrize("answer", [{"keys": []}, {"keys": "x"}, "private", {"nothing": 1}])
def test_a_key_set_that_is_not_one_is_no_key(served: KeyServer, answer: Any) -> None:
    signer = key("rp-1")
    served.publish(signer)
    if answer == "private":
        served.keys = [{**signer.as_dict(private=True), "alg": "ES256"}]
    else:
        served.keys = answer.get("keys") if isinstance(answer, dict) else answer
    client = register(served.uri)
    assert token_with(client, signer).status_code == 401


def test_only_https_or_loopback_is_fetched_and_followed(served: KeyServer) -> None:
    for uri in ("http://localhost.example.vn/jwks", "http://127.0.0.1@example.vn/jwks", "ftp://127.0.0.1/j"):
        with pytest.raises(client_keys.ClientKeysError):
            client_keys._fetch(uri)
    served.redirect = "http://example.vn/jwks.json"  # plain HTTP elsewhere: not followed
    with pytest.raises(client_keys.ClientKeysError):
        client_keys._fetch(served.uri)


def test_unknown_assertion_header_members_are_ignored_and_crit_refused(served: KeyServer) -> None:
    signer = key("rp-1")
    served.publish(signer)
    client = register(served.uri)
    assert token_with(client, signer, {"typ": "JWT", "x-vendor": "thing", "cty": "x"}).status_code == 200
    refused = token_with(client, signer, {"crit": ["x-vendor"], "x-vendor": "thing"})
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
