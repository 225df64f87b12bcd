"""Issue 12.0/12.4: the personal number is released as a claim only to a relying party registered with
a legal basis, with the person's consent; each client's ID tokens are signed with the algorithm it was
registered for (PS256, ES256 or EdDSA — nothing else is accepted at registration)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client as Browser

from dinhdanh.core.errors import DomainError
from dinhdanh.federation import keys
from dinhdanh.federation.clients import client_register
from dinhdanh.federation.models import Client
from dinhdanh.people.identifiers import seal_number
from dinhdanh.people.models import User
from tests.conftest import make_user, signed_in
from tests.federation import fapi

pytestmark = pytest.mark.django_db

RP = "https://thue.example.vn/cb"
NUMBER = "001085000777"


def sign_in(client: Client, secret: str, person: User, scope: str) -> dict[str, Any]:
    verifier, challenge = fapi.pkce()
    params = {
        "client_id": client.client_id, "redirect_uri": RP, "response_type": "code", "scope": scope,
        "state": "s", "code_challenge": challenge, "code_challenge_method": "S256",
    }  # fmt: skip
    browser = signed_in(Browser(), person)
    page = browser.get("/oauth/authorize?" + urlencode(params)).content.decode()
    assert "Luật Quản lý thuế" in page or "personal_id" not in scope  # the basis is shown to the person
    code = fapi.query_of(browser.post("/oauth/authorize", {**params, "decision": "allow"}), RP)["code"]
    pair = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": RP}
    return dict(Browser().post("/oauth/token", data, HTTP_AUTHORIZATION=f"Basic {pair}").json())


def test_the_personal_number_goes_only_where_the_law_allows() -> None:
    with pytest.raises(DomainError) as refused:
        client_register(actor=None, name="Thuế", redirect_uris=[RP], scopes=["openid", "personal_id"])
    assert refused.value.code == "federation.legal_basis"
    assert not Client.objects.exists()
    client, secret = client_register(
        actor=None, name="Thuế", redirect_uris=[RP], scopes=["openid", "personal_id"],
        legal_basis="Luật Quản lý thuế 2019, Điều 30",
    )  # fmt: skip
    person = make_user("Người Nộp Thuế", personal_id=NUMBER)
    User.objects.filter(pk=person.pk).update(personal_id_sealed=seal_number(NUMBER))
    person.refresh_from_db()
    tokens = sign_in(client, secret or "", person, "openid personal_id")
    assert keys.verify(tokens["id_token"])["personal_id"] == NUMBER
    without = sign_in(client, secret or "", person, "openid")
    assert "personal_id" not in keys.verify(without["id_token"])


def test_a_number_never_kept_is_simply_absent() -> None:
    client, secret = client_register(
        actor=None, name="Thuế", redirect_uris=[RP], scopes=["openid", "personal_id"], legal_basis="Luật Quản lý thuế",
    )  # fmt: skip
    person = make_user("Tài Khoản Cũ")
    User.objects.filter(pk=person.pk).update(personal_id_sealed=b"")
    person.refresh_from_db()
    assert "personal_id" not in keys.verify(
        sign_in(client, secret or "", person, "openid personal_id")["id_token"]
    )


@pytest.mark.parametrize("alg", ["PS256", "EdDSA", "ES256"])
def test_id_tokens_are_signed_with_the_clients_algorithm(alg: str) -> None:
    client, secret = client_register(actor=None, name="Cổng", redirect_uris=[RP], id_token_alg=alg)
    tokens = sign_in(client, secret or "", make_user("Người Ký"), "openid")
    header = json.loads(base64.urlsafe_b64decode(tokens["id_token"].split(".")[0] + "=="))
    assert header["alg"] == alg
    assert keys.verify(tokens["id_token"], algorithms=(alg,))["aud"] == client.client_id


@pytest.mark.parametrize("alg", ["HS256", "none", "RS256", ""])
def test_other_algorithms_are_refused_at_registration(alg: str) -> None:
    with pytest.raises(DomainError) as refused:
        client_register(actor=None, name="Cổng", redirect_uris=[RP], id_token_alg=alg)
    assert refused.value.code == "federation.id_token_alg"
    assert not Client.objects.exists()
