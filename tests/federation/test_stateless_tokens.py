"""Decision 0034: a client's own access tokens (client credentials) have no row — introspection checks
them from their signature and claims, revocation records their jti until they expire — and answers
as before for both kinds; FAPI 2.0 clients' own tokens are DPoP-bound (FAPI 2.0 §5.3.2.1), and
introspection names the binding (RFC 9449 §6.2). The migration that made it so, both ways."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client as Browser
from django.test import override_settings
from django.utils import timezone
from joserfc.jwk import ECKey

from dinhdanh.federation import keys
from dinhdanh.federation.clients import client_disable, client_register
from dinhdanh.federation.models import AccessToken, Client, RevokedJti
from dinhdanh.federation.protocol.tokens import prune_expired
from tests.conftest import make_user, signed_in
from tests.federation.fapi import Rp, fapi_rp, signed_in_flow
from tests.organizations.factories import make_service

pytestmark = pytest.mark.django_db

RP = "https://nganhang.example.vn/cb"
GRANT = {"grant_type": "client_credentials"}


def secret_client() -> tuple[Client, dict[str, Any]]:
    client, secret = client_register(
        actor=None, name="Ngân hàng", redirect_uris=[RP], scopes=["openid", "verify.organization"]
    )
    auth = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    return client, {"HTTP_AUTHORIZATION": f"Basic {auth}"}


def ask(path: str, data: dict[str, str], auth: dict[str, Any]) -> dict[str, Any]:
    response = Browser().post(path, data, **auth)
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_a_client_token_is_introspected_revoked_once_and_refused_until_it_expires() -> None:
    client, auth = secret_client()
    token = ask("/oauth/token", GRANT, auth)["access_token"]
    assert not AccessToken.objects.exists()
    claims = keys.verify(token)
    facts = ask("/oauth/introspect", {"token": token}, auth)
    assert facts == {
        "active": True, "scope": "verify.organization", "client_id": client.client_id, "sub": client.client_id,
        "token_type": "Bearer", "iat": claims["iat"], "exp": claims["exp"], "iss": settings.FEDERATION_ISSUER,
        "jti": claims["jti"],
    }  # fmt: skip
    assert ask("/oauth/revoke", {"token": token}, auth) == {}
    assert ask("/oauth/revoke", {"token": token}, auth) == {}  # again: the same quiet answer
    assert RevokedJti.objects.get().jti == claims["jti"]
    assert ask("/oauth/introspect", {"token": token}, auth) == {"active": False}
    assert prune_expired()["revoked_client_tokens"] == 0  # still live: still refused
    assert ask("/oauth/introspect", {"token": token}, auth) == {"active": False}
    after_expiry = timezone.now() + timedelta(seconds=settings.FEDERATION_ACCESS_TOKEN_SECONDS + 1)
    assert prune_expired(after_expiry)["revoked_client_tokens"] == 1


def test_what_is_not_a_live_client_token_of_the_asker_is_inactive() -> None:
    client, auth = secret_client()
    _other, other_auth = secret_client()
    token = ask("/oauth/token", GRANT, auth)["access_token"]
    now = int(timezone.now().timestamp())
    own = {"iss": settings.FEDERATION_ISSUER, "sub": client.client_id, "client_id": client.client_id,
           "aud": settings.FEDERATION_ISSUER, "iat": now, "jti": "j" * 32, "scope": "verify.organization"}  # fmt: skip
    not_ours = [
        keys.sign({**own, "exp": now - 1}, typ="at+jwt"),  # expired
        keys.sign({**own, "exp": now + 60}),  # typ JWT: an ID token's, not an access token's
        keys.sign({**own, "exp": now + 60, "iss": "https://khac.example.vn"}, typ="at+jwt"),
        keys.sign({**own, "exp": now + 60, "sub": "someone"}, typ="at+jwt"),  # neither kind
        keys.sign({**own, "exp": now + 60, "acr": "x"}, typ="at+jwt"),  # a person's without its row
        keys.sign({**own, "exp": "soon"}, typ="at+jwt"),
    ]
    for value in not_ours:
        assert ask("/oauth/introspect", {"token": value}, auth) == {"active": False}
    assert ask("/oauth/introspect", {"token": keys.sign({**own, "exp": now + 60}, typ="at+jwt")}, auth)["active"]
    assert ask("/oauth/introspect", {"token": token}, other_auth) == {"active": False}
    assert ask("/oauth/revoke", {"token": token}, other_auth) == {}  # not its token: nothing happens
    assert not RevokedJti.objects.exists()
    client_disable(actor=None, client_id=client.client_id)
    refused = Browser().post("/oauth/introspect", {"token": token}, **auth)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")


@pytest.fixture
def rp(db: None) -> Rp:
    make_service("dvc")
    return fapi_rp(scopes=("openid", "profile", "organization", "offline_access", "verify.organization"))


def test_a_fapi_client_token_needs_dpop_and_is_bound_to_the_key(rp: Rp) -> None:
    bare = rp.post("/oauth/token", GRANT, dpop=False)
    assert (bare.status_code, bare.json()["error"]) == (400, "invalid_request")
    response = rp.post("/oauth/token", GRANT)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "DPoP"
    assert response["DPoP-Nonce"]
    claims = keys.verify(body["access_token"])
    assert claims["cnf"] == {"jkt": rp.jkt}  # RFC 9449 §6.1
    facts = rp.post("/oauth/introspect", {"token": body["access_token"]}, dpop=False).json()
    assert (facts["active"], facts["token_type"], facts["cnf"]) == (True, "DPoP", {"jkt": rp.jkt})  # §6.2
    bad = rp.post("/oauth/token", GRANT, dpop=False, HTTP_DPOP="not-a-proof")
    assert bad.json()["error"] == "invalid_dpop_proof"


def test_any_client_may_bind_its_token_and_a_bearer_one_says_so() -> None:
    client, auth = secret_client()
    bearer = ask("/oauth/token", GRANT, auth)["access_token"]
    facts = ask("/oauth/introspect", {"token": bearer}, auth)
    assert facts["token_type"] == "Bearer"
    assert "cnf" not in facts
    holder = Rp(client=client, key=ECKey.generate_key("P-256"))
    first = Browser().post("/oauth/token", GRANT, HTTP_DPOP=holder.proof("POST", "/oauth/token"), **auth)
    assert first.json()["error"] == "use_dpop_nonce"
    holder.nonce = first["DPoP-Nonce"]
    bound = Browser().post("/oauth/token", GRANT, HTTP_DPOP=holder.proof("POST", "/oauth/token"), **auth)
    assert bound.json()["token_type"] == "DPoP", bound.content
    facts = ask("/oauth/introspect", {"token": bound.json()["access_token"]}, auth)
    assert (facts["token_type"], facts["cnf"]) == ("DPoP", {"jkt": holder.jkt})


def test_a_person_token_keeps_its_row_and_introspection_names_its_binding(rp: Rp) -> None:
    body, _verifier = signed_in_flow(rp, signed_in(Browser(), make_user("Người Dùng FAPI")))
    row = AccessToken.objects.get()
    assert row.dpop_jkt == rp.jkt
    facts = rp.post("/oauth/introspect", {"token": body["access_token"]}, dpop=False).json()
    assert (facts["active"], facts["token_type"], facts["cnf"]) == (True, "DPoP", {"jkt": rp.jkt})
    assert facts["sub"] == keys.verify(body["id_token"])["sub"]
    assert rp.post("/oauth/revoke", {"token": body["access_token"]}, dpop=False).status_code == 200
    assert AccessToken.objects.get().revoked_at is not None  # revoked by its row, not the jti list
    assert not RevokedJti.objects.exists()
    assert rp.post("/oauth/introspect", {"token": body["access_token"]}, dpop=False).json() == {"active": False}


def test_the_nullable_links_of_a_token_are_indexed_only_where_set() -> None:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, AccessToken._meta.db_table)
    for name in ("user", "organization", "code", "consent", "refresh"):
        index = found[f"federation_at_{name}"]
        assert (index["columns"], index["index"]) == ([f"{name}_id"], True)
    assert not any(
        c["index"] and c["columns"] == ["user_id"] and name != "federation_at_user" for name, c in found.items()
    )


BEFORE = [("federation", "0006_client_id_token_alg_legal_basis")]
AFTER = [("federation", "0007_stateless_client_tokens")]


@pytest.mark.django_db(transaction=True)
@override_settings(FEDERATION_ACCESS_TOKEN_SECONDS=600)
def test_the_migration_keeps_revoked_client_tokens_refused_and_goes_back() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old_client, old_token = old.get_model("federation", "Client"), old.get_model("federation", "AccessToken")
    client = old_client.objects.create(client_id="mig-client", name="Di trú", auth_method="client_secret_basic")
    now, later = timezone.now(), timezone.now() + timedelta(minutes=5)
    made = {"revoked": (now, later), "live": (None, later), "revoked_expired": (now, now - timedelta(minutes=1))}
    for jti, (revoked_at, expires_at) in made.items():
        old_token.objects.create(
            jti=jti, client=client, issued_at=now, expires_at=expires_at, revoked_at=revoked_at
        )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    assert list(new.get_model("federation", "RevokedJti").objects.values_list("jti", flat=True)) == ["revoked"]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # back: the rows were kept, the jti list and partial indexes go
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        constraints = connection.introspection.get_constraints(cursor, "federation_accesstoken")
    assert "federation_revokedjti" not in tables
    assert "federation_at_user" not in constraints
    assert old.get_model("federation", "AccessToken").objects.count() == 3
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
