"""Issue 12.6, Python half: Authlib's OAuth client — with the demo relying party's DPoP hook, as a
relying party would add it — runs the whole FAPI 2.0 journey against the live provider: discovery →
PAR (private_key_jwt, DPoP, PKCE) → the person signs in as an organization → code → token (DPoP-bound)
→ the ID token verified from the JWKS alone → userinfo → refresh (same key, not rotated) → revoke, after
which the refresh token and the access tokens it issued are dead."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError as AuthlibOAuthError
from authlib.integrations.httpx_client import OAuth2Client
from django.test import Client as Browser
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from dinhdanh.federation.clients import client_register
from dinhdanh.geo.services import units_load
from dinhdanh_demo_rp.client import IssuerAssertion
from dinhdanh_demo_rp.dpop import DPoPAuth, DPoPKey
from tests.conftest import make_user, signed_in
from tests.organizations.factories import make_organization, make_service

pytestmark = pytest.mark.django_db(transaction=True)

RP = "https://nganhang.example.vn/cb"
SCOPE = "openid profile organization offline_access"


def test_authlib_runs_the_fapi2_journey_as_an_organization(live_server: Any, settings: Any) -> None:
    issuer = settings.FEDERATION_ISSUER = live_server.url
    units_load(actor=None)  # an earlier transactional test may have emptied the database
    make_service("dvc")
    person = make_user("Người Đại Diện Authlib")
    organization = make_organization(representative=person, name="Công ty Authlib", code="0312345678")
    key = ECKey.generate_key("P-256", parameters={"kid": "rp-1"})
    client, _secret = client_register(
        actor=None, name="Ngân hàng Authlib", redirect_uris=[RP], scopes=SCOPE.split(), profile="fapi2",
        auth_method="private_key_jwt", jwks={"keys": [key.as_dict(private=False)]}, service="dvc",
    )  # fmt: skip
    meta = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert meta["issuer"] == issuer
    proof_key = DPoPKey()
    with OAuth2Client(
        client.client_id, key, token_endpoint_auth_method=IssuerAssertion(issuer, "rp-1"), scope=SCOPE,
        redirect_uri=RP, code_challenge_method="S256", timeout=10,
    ) as oauth:  # fmt: skip

        def signed(access_token: str = "") -> DPoPAuth:
            if access_token:
                return DPoPAuth(proof_key, access_token=access_token)
            return DPoPAuth(proof_key, inner=oauth.client_auth(oauth.token_endpoint_auth_method))

        verifier, nonce = generate_token(64), generate_token(24)
        url, state = oauth.create_authorization_url(
            meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce, dpop_jkt=proof_key.jkt
        )
        pushed = oauth.post(
            meta["pushed_authorization_request_endpoint"], data=dict(parse_qsl(urlsplit(url).query)), auth=signed()
        )
        assert pushed.status_code == 201, pushed.text
        answer = _consent(person, client.client_id, pushed.json()["request_uri"], organization.eid)
        assert (answer["state"], answer["iss"]) == (state, issuer)
        token = oauth.fetch_token(
            meta["token_endpoint"], grant_type="authorization_code", code=answer["code"], code_verifier=verifier,
            redirect_uri=RP, auth=signed(),
        )  # fmt: skip
        assert token["token_type"] == "DPoP"
        keys = KeySet.import_key_set(httpx.get(meta["jwks_uri"], timeout=10).json())
        claims = jwt.decode(token["id_token"], keys, algorithms=["ES256"]).claims
        assert (claims["iss"], claims["aud"], claims["nonce"]) == (issuer, client.client_id, nonce)
        assert claims["org"]["id"] == organization.eid
        info = oauth.get(meta["userinfo_endpoint"], auth=signed(token["access_token"]))
        assert info.status_code == 200, info.text
        assert (info.json()["sub"], info.json()["org"]["tax_code"]) == (claims["sub"], "0312345678")
        refreshed = oauth.refresh_token(
            meta["token_endpoint"], refresh_token=token["refresh_token"], auth=signed()
        )
        assert "refresh_token" not in refreshed or refreshed["refresh_token"] == token["refresh_token"]
        assert oauth.get(meta["userinfo_endpoint"], auth=signed(refreshed["access_token"])).status_code == 200
        # Authlib authenticates revocation with the method given (its default is client_secret_basic).
        revoked = oauth.revoke_token(
            meta["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token",
            auth=oauth.client_auth(oauth.token_endpoint_auth_method),
        )  # fmt: skip
        assert revoked.status_code == 200
        with pytest.raises(AuthlibOAuthError) as dead:
            oauth.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"], auth=signed())
        assert dead.value.error == "invalid_grant"
        gone = oauth.get(meta["userinfo_endpoint"], auth=signed(refreshed["access_token"]))
        assert gone.status_code == 401


def _consent(person: Any, client_id: str, request_uri: str, eid: str) -> dict[str, str]:
    """The person's browser at the provider (the test client shares the live server's database)."""
    browser = signed_in(Browser(), person)
    params = {"client_id": client_id, "request_uri": request_uri}
    assert browser.get("/oauth/authorize", params).status_code == 200
    location = browser.post("/oauth/authorize", {**params, "decision": "allow", "act_as": eid})["Location"]
    assert location.startswith(RP + "?"), location
    return dict(parse_qsl(urlsplit(location).query))
