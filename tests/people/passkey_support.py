"""Helpers shared by the passkey tests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pyotp
from django.test import Client
from django.urls import reverse

from dinhdanh.people.models import User
from dinhdanh.people.totp import totp_begin, totp_confirm
from tests.conftest import make_user, signed_in
from tests.people.softauthn import SoftAuthenticator

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


PROBLEM = "application/problem+json"


def post(client: Client, name: str, body: Any = None, **extra: Any) -> Response:
    payload = body if isinstance(body, str | bytes) else json.dumps({} if body is None else body)
    return client.post(reverse(f"api:{name}"), data=payload, content_type="application/json", **extra)


def problem_code(response: Response) -> str:
    assert response["Content-Type"] == PROBLEM, response.content[:300]
    return str(json.loads(response.content)["code"])


def register(client: Client, auth: SoftAuthenticator | None = None, name: str = "Điện thoại") -> SoftAuthenticator:
    auth = auth or SoftAuthenticator()
    options = post(client, "passkey_register_options").json()
    response = post(client, "passkey_register_verify", {"credential": auth.create(options), "name": name})
    assert response.status_code == 200, response.content
    return auth


def user_with_passkey(name: str = "Nguyễn Văn An") -> tuple[User, SoftAuthenticator]:
    user = make_user(name)
    auth = register(signed_in(Client(), user))
    return user, auth


def sign_in_with(client: Client, auth: SoftAuthenticator, **get: Any) -> Response:
    options = post(client, "passkey_signin_options").json()
    return post(client, "passkey_signin_verify", {"credential": auth.get(options, **get)})


def with_totp(user: User) -> None:
    secret, _uri = totp_begin(user=user)
    totp_confirm(user=user, code=pyotp.TOTP(secret).now())


def session_user(client: Client) -> str | None:
    return client.session.get("_auth_user_id")
