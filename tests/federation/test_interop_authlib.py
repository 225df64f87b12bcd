"""Issue 12.6 (first part): a client we did not write — Authlib's httpx OAuth client — against the
running provider: client credentials with client_secret_basic and with private_key_jwt (RFC 7523),
then introspection and revocation, and the token verified from the published JWKS alone."""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings
from joserfc.jwk import ECKey

from dinhdanh.federation.clients import client_register

pytestmark = pytest.mark.django_db(transaction=True)

RP = "https://nganhang.example.vn/cb"


def verify_from_jwks(base: str, token: str) -> dict[str, Any]:
    key_set = JsonWebKey.import_key_set(httpx.get(f"{base}/.well-known/jwks.json").json())
    return dict(JsonWebToken(["ES256"]).decode(token, key_set))


def test_authlib_with_a_client_secret(live_server: Any) -> None:
    base = live_server.url
    client, secret = client_register(
        actor=None, name="Ngân hàng", redirect_uris=[RP], scopes=["openid", "verify.organization"]
    )
    with OAuth2Client(client.client_id, secret, token_endpoint_auth_method="client_secret_basic") as rp:
        token = rp.fetch_token(f"{base}/oauth/token", grant_type="client_credentials")
        assert token["token_type"] == "Bearer"
        assert verify_from_jwks(base, token["access_token"])["client_id"] == client.client_id
        facts = rp.introspect_token(f"{base}/oauth/introspect", token=token["access_token"]).json()
        assert facts["active"] is True
        assert rp.revoke_token(f"{base}/oauth/revoke", token=token["access_token"]).status_code == 200
        facts = rp.introspect_token(f"{base}/oauth/introspect", token=token["access_token"]).json()
        assert facts == {"active": False}


def test_authlib_with_a_private_key_jwt(live_server: Any) -> None:
    base = live_server.url
    key = ECKey.generate_key("P-256")
    public = {**key.as_dict(private=False), "kid": "rp-1", "alg": "ES256"}
    client, _secret = client_register(
        actor=None, name="Ngân hàng", redirect_uris=[RP], auth_method="private_key_jwt",
        jwks={"keys": [public]}, scopes=["openid", "verify.member"],
    )  # fmt: skip
    private = ECKey.import_key({**key.as_dict(private=True), "kid": "rp-1"})
    # FAPI 2.0: the assertion's audience is the issuer identifier, not the token endpoint's address.
    # Authlib's assertions live an hour by default; the provider takes at most five minutes.
    auth = PrivateKeyJWT(settings.FEDERATION_ISSUER, alg="ES256", claims={"exp": int(time.time()) + 120})
    with OAuth2Client(
        client.client_id, private, token_endpoint_auth_method=auth, token_endpoint=f"{base}/oauth/token"
    ) as rp:
        token = rp.fetch_token(f"{base}/oauth/token", grant_type="client_credentials")
        claims = verify_from_jwks(base, token["access_token"])
        assert (claims["sub"], claims["scope"]) == (client.client_id, "verify.member")
        # Authlib writes the jti it makes into the claims dict it was given, so that dict must be fresh
        # for each assertion, or the second one repeats the jti — which the provider refuses as a replay.
        auth.claims = {"exp": int(time.time()) + 120}
        second = rp.fetch_token(f"{base}/oauth/token", grant_type="client_credentials")
        assert second["access_token"] != token["access_token"]


def test_authlib_runs_the_code_flow_with_pkce(live_server: Any) -> None:
    """Authlib builds the authorization URL and its PKCE pair, exchanges the code and reads userinfo;
    the person's part (sign-in, choice, consent) is played by a browser session here."""
    from django.test import Client as Browser

    from dinhdanh.geo.services import units_load
    from tests.conftest import make_user, signed_in
    from tests.organizations.factories import make_organization, make_service

    units_load(actor=None)  # an earlier transactional test may have emptied the database
    base = live_server.url
    make_service("dvc")
    person = make_user("Người Dùng", personal_id="091085000555")
    org = make_organization(representative=person, name="Công ty Interop")
    client, secret = client_register(
        actor=None,
        name="Cổng DVC",
        redirect_uris=[RP],
        scopes=["openid", "profile", "organization"],
        service="dvc",
    )
    with OAuth2Client(
        client.client_id, secret, scope="openid profile organization", redirect_uri=RP,
        code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic",
    ) as rp:  # fmt: skip
        verifier = secrets.token_urlsafe(48)
        url, state = rp.create_authorization_url(f"{base}/oauth/authorize", code_verifier=verifier, nonce="n-1")
        browser = signed_in(Browser(), person)
        path = url[len(base) :]
        assert browser.get(path).status_code == 200
        form = dict(parse_qsl(urlsplit(url).query))
        answer = browser.post("/oauth/authorize", {**form, "decision": "allow", "act_as": org.eid})
        callback = answer["Location"]
        assert dict(parse_qsl(urlsplit(callback).query))["iss"] == settings.FEDERATION_ISSUER
        token = rp.fetch_token(f"{base}/oauth/token", authorization_response=callback, code_verifier=verifier)
        claims = verify_from_jwks(base, token["id_token"])
        assert (claims["aud"], claims["nonce"], claims["org"]["id"]) == (client.client_id, "n-1", org.eid)
        info = rp.get(f"{base}/oauth/userinfo").json()
        assert (info["name"], info["org"]["role"]) == ("Người Dùng", "representative")
        assert state == dict(parse_qsl(urlsplit(callback).query))["state"]
