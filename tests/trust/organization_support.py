"""An organization with every kind of person around it, and sign-ins at a relying party in its name —
for the organization-aware consent and audit-both-ways tests (issue 13.4, 13.6)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client as Browser

from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import Client
from dinhdanh.organizations.models import MemberRole, Organization
from dinhdanh.organizations.services import member_grant, member_revoke
from dinhdanh.people.models import User
from tests.conftest import make_user, signed_in
from tests.federation import fapi
from tests.federation.fapi import pkce
from tests.organizations.factories import make_organization, make_service

RP = "https://dvc.example.vn/cb"
SCOPES = "openid profile organization offline_access"
ADMIN_PID = "091085000501"
MEMBER_PID = "091085000502"
FORMER_PID = "091085000503"
CLERK_PID = "091085000504"


@dataclass
class World:
    rep: User
    admin: User  # an administrator the representative named
    member: User  # a plain member with full powers: may sign in as the organization, may not manage
    clerk: User  # a plain member for the relying party's service only
    former: User  # an administrator whose grant was revoked
    org: Organization
    other_rep: User  # another organization's representative
    other_org: Organization
    client: Client
    secret: str


@pytest.fixture(autouse=True, name="outbox")
def outbox_fixture(settings: Any, tmp_path: Path) -> None:
    """Grants notify the grantee: into a file outbox under tmp_path."""
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    settings.NOTIFY_SMS_BACKEND = "dinhdanh.notifications.backends.FileSmsBackend"


@pytest.fixture(name="world")
def world_fixture(db: None) -> World:
    make_service("dvc")
    rep = make_user("Trần Thị Đại Diện", personal_id="091185000111")
    org = make_organization(representative=rep, name="Công ty Kết Nối", code="0101222333")
    admin = make_user("Lê Văn Quản Trị", personal_id=ADMIN_PID)
    member = make_user("Phạm Văn Thành Viên", personal_id=MEMBER_PID)
    clerk = make_user("Đỗ Thị Văn Thư", personal_id=CLERK_PID)
    former = make_user("Ngô Văn Đã Nghỉ", personal_id=FORMER_PID)
    member_grant(actor=rep, organization=org, personal_id=ADMIN_PID, role=MemberRole.ADMINISTRATOR)
    member_grant(actor=rep, organization=org, personal_id=MEMBER_PID, full_powers=True)
    member_grant(actor=rep, organization=org, personal_id=CLERK_PID, services=["dvc"])
    gone = member_grant(actor=rep, organization=org, personal_id=FORMER_PID, role=MemberRole.ADMINISTRATOR)
    member_revoke(actor=rep, membership=gone, reason="Nghỉ việc")
    other_rep = make_user("Vũ Thị Tổ Chức Khác", personal_id="091185000999")
    other_org = make_organization(representative=other_rep, name="Công ty Bên Cạnh", code="0101444555")
    client, secret = client_register(
        actor=None, name="Cổng dịch vụ công", redirect_uris=[RP],
        scopes=["openid", "profile", "organization", "offline_access"], service="dvc",
    )  # fmt: skip
    assert secret is not None
    return World(rep, admin, member, clerk, former, org, other_rep, other_org, client, secret)


def basic(world: World) -> dict[str, Any]:
    pair = f"{world.client.client_id}:{world.secret}".encode()
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(pair).decode()}


def sign_in(world: World, user: User, act_as: str) -> dict[str, Any]:
    """``user`` signs in at the relying party acting as ``act_as`` (an eid, or "self") and allows it;
    the relying party exchanges the code. The token response."""
    browser = signed_in(Browser(), user)
    verifier, challenge = pkce()
    asked = {
        "client_id": world.client.client_id, "redirect_uri": RP, "response_type": "code", "scope": SCOPES,
        "state": "st", "nonce": "nn", "code_challenge": challenge, "code_challenge_method": "S256",
    }  # fmt: skip
    assert browser.get("/oauth/authorize?" + urlencode(asked)).status_code == 200
    answer = browser.post("/oauth/authorize", {**asked, "decision": "allow", "act_as": act_as})
    code = fapi.query_of(answer, RP)["code"]
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP}
    return dict(Browser().post("/oauth/token", data, **basic(world)).json())


def token_alive(world: World, tokens: dict[str, Any]) -> bool:
    """Whether the access token still opens userinfo and introspects as active."""
    info = Browser().get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    facts = Browser().post("/oauth/introspect", {"token": tokens["access_token"]}, **basic(world)).json()
    assert (info.status_code == 200) == bool(facts["active"])  # the two faces agree
    return bool(facts["active"])


def refresh_works(world: World, tokens: dict[str, Any]) -> bool:
    data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    return Browser().post("/oauth/token", data, **basic(world)).status_code == 200
