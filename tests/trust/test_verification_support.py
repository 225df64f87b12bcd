"""What the verification API's tests share: relying parties with their own tokens, organizations with
a representative and a member, and calls made as a relying party's software makes them."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.test import Client as Browser

from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import Client
from dinhdanh.organizations.models import Organization
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from tests.conftest import make_officer, make_user
from tests.organizations.factories import make_organization, make_service, province

TAX_CODE = "0100109106"
REP_NUMBER = "091185000111"
MEMBER_NUMBER = "091085000222"
STRANGER_NUMBER = "091090000333"  # a well-formed number nobody here holds
RP = "https://nganhang.example.vn/cb"
BOTH = ("verify.organization", "verify.member")


def relying_party(scopes: tuple[str, ...] = BOTH, name: str = "Ngân hàng Thử") -> tuple[Client, str]:
    client, secret = client_register(actor=None, name=name, redirect_uris=[RP], scopes=["openid", *scopes])
    assert secret is not None
    return client, secret


def basic(client: Client, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()


def token_for(client: Client, secret: str, scope: str = "") -> str:
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    response = Browser().post("/oauth/token", form, HTTP_AUTHORIZATION=basic(client, secret))
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def ask(what: str, body: Any, token: str | None, *, raw: bytes | None = None, **headers: Any) -> Any:
    """POST ``body`` (JSON) to /api/v1/verify/<what> with the token as Bearer."""
    if token is not None:
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {token}")
    data = raw if raw is not None else json.dumps(body)
    return Browser(enforce_csrf_checks=True).post(
        f"/api/v1/verify/{what}", data, content_type="application/json", **headers
    )


def keep_outbox(settings: Any, tmp_path: Path) -> None:
    """Organization services notify people: into a file outbox under tmp_path (call from an autouse
    fixture of the test module)."""
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    settings.NOTIFY_SMS_BACKEND = "dinhdanh.notifications.backends.FileSmsBackend"


@dataclass
class World:
    """A relying party with its token, an organization (tax code ``TAX_CODE``) and its representative."""

    client: Client
    secret: str
    token: str
    rep: User
    org: Organization


def world() -> World:
    make_service("thue.ke_khai"), make_service("bhxh")
    rep = make_user("Trần Thị Đại Diện", personal_id=REP_NUMBER)
    org = make_organization(representative=rep, code=TAX_CODE, name="Công ty TNHH An Phát")
    client, secret = relying_party()
    return World(client=client, secret=secret, token=token_for(client, secret), rep=rep, org=org)


def member() -> User:
    return make_user("Phạm Văn Kế Toán", personal_id=MEMBER_NUMBER)


def officer() -> User:
    return make_officer(PeopleRole.REVIEWING_OFFICER, province("91"), "Cán bộ An Giang")
