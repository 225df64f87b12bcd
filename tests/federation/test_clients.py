"""Issue 12.4: the relying-party registry — posture as data, exact redirect URIs, public keys only,
scopes and services from their registries, secrets kept only as a keyed digest; bad input changes
nothing, and only a system administrator (or the operator's command) registers."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from joserfc.jwk import ECKey

from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.federation.audit_actions import FederationAction
from dinhdanh.federation.clients import client_disable, client_register, client_secret_rotate, secret_matches
from dinhdanh.federation.models import Client
from dinhdanh.people.subjects import pairwise_subject
from tests.conftest import make_officer, make_user
from tests.organizations.factories import make_service

pytestmark = pytest.mark.django_db

RP = "https://dichvucong.example.vn/callback"


def public_jwks() -> dict[str, Any]:
    return {"keys": [{**ECKey.generate_key("P-256").as_dict(private=False), "alg": "ES256", "use": "sig"}]}


def test_a_basic_client_gets_a_secret_shown_once_and_kept_as_a_digest() -> None:
    client, secret = client_register(actor=None, name="Cổng dịch vụ công", redirect_uris=[RP, RP])
    assert secret is not None
    stored = Client.objects.get(pk=client.pk)
    assert stored.redirect_uris == [RP]
    assert secret not in json.dumps(list(Client.objects.values()), default=str)
    assert secret_matches(stored, secret)
    assert not secret_matches(stored, secret + "x")
    new = client_secret_rotate(actor=None, client_id=client.client_id)
    stored.refresh_from_db()
    assert secret_matches(stored, new)
    assert not secret_matches(stored, secret)  # the old secret stops at once
    actions = list(AuditEvent.objects.filter(object_type="federation.client").values_list("action", flat=True))
    assert actions == [FederationAction.CLIENT_REGISTERED, FederationAction.CLIENT_SECRET_ROTATED]
    assert secret not in json.dumps([e.after for e in AuditEvent.objects.all()], default=str)


def test_a_fapi_client_with_keys_and_a_service_for_organization_sign_in() -> None:
    make_service("thue.ke_khai")
    client, secret = client_register(
        actor=None, name="Ngân hàng Thử", redirect_uris=[RP], profile="fapi2", auth_method="private_key_jwt",
        jwks=public_jwks(), scopes=["openid", "organization"], service="thue.ke_khai", subject_type="pairwise",
    )  # fmt: skip
    assert secret is None
    assert (client.sector, client.service.code if client.service else "") == (
        "dichvucong.example.vn",
        "thue.ke_khai",
    )
    person = make_user("Một")
    assert pairwise_subject(person, client.sector) != person.subject


def test_loopback_http_is_allowed_for_the_demo() -> None:
    client, _secret = client_register(actor=None, name="Demo", redirect_uris=["http://127.0.0.1:8001/cb"])
    assert client.redirect_uris == ["http://127.0.0.1:8001/cb"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"redirect_uris": []}, "federation.redirect_uris"),
        ({"redirect_uris": "https://a.vn/cb"}, "federation.redirect_uris"),
        ({"redirect_uris": ["http://dichvucong.example.vn/cb"]}, "federation.redirect_uris"),
        ({"redirect_uris": ["https://*.example.vn/cb"]}, "federation.redirect_uris"),
        ({"redirect_uris": ["https://a.vn/cb#x"]}, "federation.redirect_uris"),
        ({"redirect_uris": ["/relative"]}, "federation.redirect_uris"),
        ({"redirect_uris": ["javascript:alert(1)"]}, "federation.redirect_uris"),
        ({"redirect_uris": ["https://user:pw@a.vn/cb"]}, "federation.redirect_uris"),
        ({"redirect_uris": [f"https://a.vn/{n}" for n in range(11)]}, "federation.redirect_uris"),
        ({"redirect_uris": ["https://a.vn/\u202ecb"]}, "federation.redirect_uris"),
        ({"profile": "fapi2"}, "federation.profile"),  # a secret is not FAPI 2.0
        ({"profile": "fapi2", "auth_method": "none"}, "federation.profile"),
        ({"profile": "gold"}, "federation.profile"),
        ({"auth_method": "private_key_jwt"}, "federation.keys_required"),
        (
            {"auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}},
            "federation.bad_keys",
        ),
        ({"auth_method": "private_key_jwt", "jwks": {"keys": "x"}}, "federation.bad_keys"),
        (
            {"auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "EC", "alg": "HS256"}]}},
            "federation.bad_keys",
        ),
        ({"scopes": ["openid", "admin"]}, "federation.scopes"),
        ({"scopes": ["profile"]}, "federation.scopes"),  # OpenID Connect needs openid
        ({"scopes": ["openid", "organization"]}, "federation.service"),
        ({"scopes": ["openid"], "service": "khong-co"}, "federation.service"),
        (
            {"subject_type": "pairwise", "redirect_uris": ["https://a.vn/cb", "https://b.vn/cb"]},
            "federation.sector",
        ),
        ({"name": "  "}, "federation.client_name"),
    ],
)
def test_bad_registrations_are_refused_and_nothing_is_written(changes: dict[str, Any], code: str) -> None:
    values: dict[str, Any] = {"actor": None, "name": "Bên thử", "redirect_uris": [RP], **changes}
    with pytest.raises(DomainError) as refused:
        client_register(**values)
    assert refused.value.code == code
    assert not Client.objects.exists()
    assert not AuditEvent.objects.filter(object_type="federation.client").exists()


def test_a_private_key_in_the_set_is_refused() -> None:
    leaked = {"keys": [ECKey.generate_key("P-256").as_dict(private=True)]}
    with pytest.raises(DomainError) as refused:
        client_register(actor=None, name="Lộ khóa", redirect_uris=[RP], auth_method="private_key_jwt", jwks=leaked)
    assert (refused.value.code, Client.objects.count()) == ("federation.bad_keys", 0)


def test_only_a_system_administrator_registers() -> None:
    with pytest.raises(DomainError) as refused:
        client_register(actor=make_user("Công Dân"), name="Bên thử", redirect_uris=[RP])
    assert refused.value.status == 403
    admin = make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị")
    client, _secret = client_register(actor=admin, name="Bên thử", redirect_uris=[RP])
    assert client.created_by == admin
    client_disable(actor=admin, client_id=client.client_id)
    client.refresh_from_db()
    assert not client.active


def test_the_command_registers_lists_and_disables(tmp_path: Path) -> None:
    make_service("dvc")
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps(public_jwks()))
    out = io.StringIO()
    call_command(
        "clients", "add", "--name", "Cổng DVC", "--redirect-uri", RP, "--profile", "fapi2", "--auth", "private_key_jwt",
        "--jwks-file", str(keys), "--scope", "openid", "--scope", "organization", "--service", "dvc", stdout=out,
    )  # fmt: skip
    client_id = out.getvalue().split("client_id: ")[1].split()[0]
    assert "client_secret" not in out.getvalue()
    listing = io.StringIO()
    call_command("clients", "list", stdout=listing)
    assert client_id in listing.getvalue()
    assert "fapi2" in listing.getvalue()
    call_command("clients", "disable", client_id, stdout=io.StringIO())
    assert not Client.objects.get(client_id=client_id).active
    with pytest.raises(DomainError):
        call_command("clients", "disable", "khong-co", stdout=io.StringIO())


def test_client_ids_never_read_as_options_on_the_command_line() -> None:
    """A base64url id could start with '-', and `dinhdanh clients disable -xyz` would then fail."""
    from dinhdanh.federation.clients import new_client_id

    for _ in range(200):
        made = new_client_id()
        assert made[0].isalnum()
        assert made.isalnum()
