"""Issue 12.1: the provider's signing keys — one per algorithm (ES256, PS256, EdDSA), rotated by a
command and on a schedule, published until every token they signed has expired, private halves sealed
at rest and erased at retirement; tokens verify from the public JWKS alone."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from authlib.jose import JsonWebKey, JsonWebToken
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from joserfc.errors import JoseError

from dinhdanh.core import schedule
from dinhdanh.core.models import AuditEvent
from dinhdanh.federation import keys
from dinhdanh.federation.audit_actions import FederationAction
from dinhdanh.federation.models import SigningKey

pytestmark = pytest.mark.django_db

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


def published(client: Client) -> dict[str, Any]:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwk-set+json"
    assert "max-age=" in response["Cache-Control"]
    return dict(response.json())


def test_the_first_keys_are_made_and_published_without_their_private_half(client: Client) -> None:
    assert published(client) == {"keys": []}
    assert keys.keys_maintain() == {"created": 3, "dropped": 0}
    listed = published(client)["keys"]
    assert sorted(k["alg"] for k in listed) == ["ES256", "EdDSA", "PS256"]
    assert all(k["use"] == "sig" and k["kid"] and not PRIVATE_MEMBERS & set(k) for k in listed)
    for row in SigningKey.objects.all():
        assert b'"d"' not in bytes(row.private_sealed)  # sealed, not a JWK in clear
    assert keys.keys_maintain() == {"created": 0, "dropped": 0}  # nothing due


@pytest.mark.parametrize("alg", ["ES256", "PS256", "EdDSA"])
def test_a_token_verifies_from_the_published_keys_with_another_library(client: Client, alg: str) -> None:
    token = keys.sign({"iss": "https://dinhdanh.test", "sub": "abc"}, alg=alg)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert (header["alg"], header["typ"]) == (alg, "JWT")
    assert keys.verify(token)["sub"] == "abc"
    # Authlib's own JOSE code, fed only what a relying party downloads, agrees.
    key_set = JsonWebKey.import_key_set(published(client))
    assert JsonWebToken([alg]).decode(token, key_set)["sub"] == "abc"


def test_rotation_keeps_old_tokens_verifiable_until_their_keys_are_dropped(settings: Any) -> None:
    settings.FEDERATION_KEY_PUBLISH_AFTER_SECONDS = 3600
    old_token = keys.sign({"sub": "before"})
    (old,) = SigningKey.objects.filter(alg="ES256")
    out = io.StringIO()
    call_command("signing-keys".replace("-", "_"), "rotate", "--alg", "ES256", stdout=out)
    old.refresh_from_db()
    assert old.retired_at is not None
    assert bytes(old.private_sealed) == b""  # signs no more: its private half is gone
    new_token = keys.sign({"sub": "after"})
    assert json.loads(base64.urlsafe_b64decode(new_token.split(".")[0] + "=="))["kid"] != old.kid
    assert keys.verify(old_token)["sub"] == "before"  # still published
    later = timezone.now() + timedelta(hours=2)
    assert keys.keys_maintain(now=later)["dropped"] == 1
    with pytest.raises(JoseError):
        keys.verify(old_token)
    assert keys.verify(new_token)["sub"] == "after"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {FederationAction.SIGNING_KEY_CREATED, FederationAction.SIGNING_KEY_RETIRED} <= actions
    assert FederationAction.SIGNING_KEY_DROPPED in actions


def test_the_schedule_rotates_a_key_past_its_age(settings: Any) -> None:
    settings.FEDERATION_KEY_MAX_AGE_DAYS = 90
    keys.keys_maintain()
    SigningKey.objects.filter(alg="PS256").update(created_at=timezone.now() - timedelta(days=91))
    assert keys.keys_maintain() == {"created": 1, "dropped": 0}
    assert SigningKey.objects.filter(alg="PS256", retired_at__isnull=True).count() == 1
    assert "rotate_signing_keys" in schedule.registered()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_none_and_hmac_with_the_public_key_are_refused() -> None:
    good = keys.sign({"sub": "abc"})
    header, payload, _signature = good.split(".")
    unsigned = f"{_b64(json.dumps({'alg': 'none'}).encode())}.{payload}."
    public = json.dumps(SigningKey.objects.get(alg="ES256").public_jwk).encode()
    forged_head = _b64(json.dumps({"alg": "HS256", "kid": SigningKey.objects.get(alg="ES256").kid}).encode())
    forged_sig = _b64(hmac.new(public, f"{forged_head}.{payload}".encode(), hashlib.sha256).digest())
    for token in (unsigned, f"{forged_head}.{payload}.{forged_sig}", f"{header}.{payload}.AAAA", "not.a.token"):
        with pytest.raises((JoseError, ValueError)):
            keys.verify(token)


def test_the_command_lists_and_refuses_an_unknown_algorithm() -> None:
    keys.keys_maintain()
    out = io.StringIO()
    call_command("signing_keys", "list", stdout=out)
    assert out.getvalue().count("signs") == 3
    with pytest.raises(CommandError):
        call_command("signing_keys", "rotate", "--alg", "HS256", stdout=out)
    with pytest.raises(ValueError, match="none"):  # the service refuses it too, whatever the face
        keys.key_rotate(actor=None, algs=("none",))
    assert SigningKey.objects.count() == 3
