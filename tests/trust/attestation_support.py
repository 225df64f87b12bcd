"""Organizations, members and relying parties for the attestation tests (issue 13.2)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as Browser

from dinhdanh.core.models import DomainEvent
from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import Client
from dinhdanh.organizations.models import Membership, Organization
from dinhdanh.organizations.services import member_grant
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.trust.attestations import follow_event
from tests.conftest import make_officer, make_user
from tests.organizations.factories import make_organization, province

RP = "https://nganhang.example.vn/cb"
REP_NUMBER = "091185000111"
MEMBER_NUMBER = "091085000222"


def quiet_outbox(settings: Any, tmp_path: Path) -> None:
    """Organization services notify people: into a file outbox under tmp_path."""
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    settings.NOTIFY_SMS_BACKEND = "dinhdanh.notifications.backends.FileSmsBackend"


def representative() -> User:
    return make_user("Trần Thị Đại Diện", personal_id=REP_NUMBER)


def member_user() -> User:
    return make_user("Phạm Văn Kế Toán", personal_id=MEMBER_NUMBER)


def officer() -> User:
    return make_officer(PeopleRole.REVIEWING_OFFICER, province("91"), "Cán bộ An Giang")


def organization_with(rep: User, **fields: Any) -> Organization:
    return make_organization(representative=rep, code="0312345678", **fields)


def grant(rep: User, organization: Organization, number: str = MEMBER_NUMBER, **kwargs: Any) -> Membership:
    kwargs.setdefault("full_powers", not kwargs.get("services"))
    return member_grant(actor=rep, organization=organization, personal_id=number, **kwargs)


def follow(organization: Organization) -> int:
    """Run the status follower over every event of the organization, as the recurring job does."""
    return sum(follow_event(e) for e in DomainEvent.objects.filter(organization_id=organization.pk).order_by("pk"))


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _signature = token.split(".")
    return _json(header), _json(payload)


def _json(part: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def relying_party(scopes: tuple[str, ...] = ("verify.member",)) -> tuple[Client, str]:
    client, secret = client_register(actor=None, name="Ngân hàng", redirect_uris=[RP], scopes=["openid", *scopes])
    assert secret is not None
    return client, secret


def access_token(client: Client, secret: str, scope: str | None = None) -> str:
    auth = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    response = Browser().post("/oauth/token", data, HTTP_AUTHORIZATION=f"Basic {auth}")
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


@pytest.fixture
def rep(db: None) -> User:
    return representative()
