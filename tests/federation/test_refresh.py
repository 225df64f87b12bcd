"""Issue 12.1: refresh tokens for basic clients — issued with ``offline_access``, rotated at each use,
and a used one presented again revokes its whole family (RFC 9700 §4.14.2); scopes only narrow;
revocation (RFC 7009) of a refresh token ends what it issued."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client as Browser

from dinhdanh.core.models import AuditEvent
from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import AccessToken, Client, RefreshToken
from dinhdanh.people.services.locks import lock_by_holder
from tests.conftest import make_user, signed_in
from tests.federation.fapi import pkce, query_of

pytestmark = pytest.mark.django_db

RP = "https://cong.example.vn/cb"


def basic(client: Client, secret: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()}


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    client, secret = client_register(
        actor=None, name="Cổng", redirect_uris=[RP], scopes=["openid", "profile", "email", "offline_access"]
    )
    public, _none = client_register(
        actor=None, name="Ứng dụng di động", redirect_uris=["http://127.0.0.1:7000/cb"],
        scopes=["openid", "offline_access"], auth_method="none",
    )  # fmt: skip
    return {"client": client, "secret": secret, "public": public, "person": make_user("Người Làm Mới")}


def sign_in(
    world: dict[str, Any], *, scope: str = "openid profile offline_access", public: bool = False
) -> dict[str, Any]:
    client: Client = world["public" if public else "client"]
    redirect = client.redirect_uris[0]
    verifier, challenge = pkce()
    params = {
        "client_id": client.client_id, "redirect_uri": redirect, "response_type": "code", "scope": scope,
        "state": "s", "code_challenge": challenge, "code_challenge_method": "S256",
    }  # fmt: skip
    browser = signed_in(Browser(), world["person"])
    assert browser.get("/oauth/authorize?" + urlencode(params)).status_code == 200
    code = query_of(browser.post("/oauth/authorize", {**params, "decision": "allow"}), redirect)["code"]
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": redirect}
    response = token(world, data, public=public)
    assert response.status_code == 200, response.content
    return dict(response.json())


def token(world: dict[str, Any], data: dict[str, str], *, public: bool = False) -> Any:
    if public:
        return Browser().post("/oauth/token", {**data, "client_id": world["public"].client_id})
    return Browser().post("/oauth/token", data, **basic(world["client"], world["secret"]))


def refresh(world: dict[str, Any], value: str, *, public: bool = False, **extra: str) -> Any:
    return token(world, {"grant_type": "refresh_token", "refresh_token": value, **extra}, public=public)


def test_no_offline_access_no_refresh_token(world: dict[str, Any]) -> None:
    assert "refresh_token" not in sign_in(world, scope="openid profile")


@pytest.mark.parametrize("public", [False, True])
def test_rotation_and_reuse_revokes_the_family(world: dict[str, Any], public: bool) -> None:
    scope = "openid offline_access" if public else "openid profile offline_access"
    first = sign_in(world, scope=scope, public=public)
    second = refresh(world, first["refresh_token"], public=public)
    assert second.status_code == 200, second.content
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert "id_token" in rotated
    assert "nonce" not in rotated
    # The first one again: someone holds a copy. Everything of the family ends.
    reused = refresh(world, first["refresh_token"], public=public)
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    assert refresh(world, rotated["refresh_token"], public=public).json()["error"] == "invalid_grant"
    assert not AccessToken.objects.filter(revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="federation.refresh_reused").count() == 1
    info = Browser().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {rotated['access_token']}")
    assert info.status_code == 401


def test_scope_narrows_never_widens(world: dict[str, Any]) -> None:
    first = sign_in(world)
    wider = refresh(world, first["refresh_token"], scope="openid profile email offline_access")
    assert wider.json()["error"] == "invalid_scope"
    narrower = refresh(world, first["refresh_token"], scope="openid")
    assert narrower.status_code == 200, narrower.content
    assert narrower.json()["scope"] == "openid"
    # The rotated token keeps the original scope: narrowing is per access token (RFC 6749 §6).
    assert RefreshToken.objects.filter(used_at__isnull=True).get().scope == "openid profile offline_access"


def test_another_clients_refresh_token_or_garbage_is_refused(world: dict[str, Any]) -> None:
    first = sign_in(world)
    other, other_secret = client_register(actor=None, name="Khác", redirect_uris=[RP], scopes=["openid"])
    stolen = Browser().post(
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        **basic(other, other_secret or ""),
    )
    assert stolen.json()["error"] == "invalid_grant"
    for junk in ("", "x" * 5000, "' OR 1=1 --"):
        answer = refresh(world, junk)
        assert answer.status_code == 400
    doubled = Browser().post(
        "/oauth/token",
        "grant_type=refresh_token&refresh_token=a&refresh_token=b",
        content_type="application/x-www-form-urlencoded",
        **basic(world["client"], world["secret"]),
    )
    assert doubled.json()["error"] == "invalid_request"
    assert RefreshToken.objects.filter(used_at__isnull=False).count() == 0  # nothing was spent


def test_a_locked_person_cannot_refresh(world: dict[str, Any]) -> None:
    first = sign_in(world)
    lock_by_holder(user=world["person"], reason="lost phone")
    assert refresh(world, first["refresh_token"]).json()["error"] == "invalid_grant"


def test_revoking_a_refresh_token_ends_what_it_issued(world: dict[str, Any]) -> None:
    first = sign_in(world)
    answer = Browser().post(
        "/oauth/revoke", {"token": first["refresh_token"]}, **basic(world["client"], world["secret"])
    )
    assert answer.status_code == 200
    assert refresh(world, first["refresh_token"]).json()["error"] == "invalid_grant"
    assert (
        Browser().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {first['access_token']}").status_code == 401
    )
