"""Decision 0034: what the lean path stands on — tokens signed without joserfc's overhead are the JWS
joserfc makes, and published keys kept between requests are rechecked."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from dinhdanh.core.sealed import unseal_text
from dinhdanh.federation import keys
from dinhdanh.federation.models import SigningKey

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("alg", ["ES256", "PS256", "EdDSA"])
def test_a_token_signed_here_is_the_jws_joserfc_makes(alg: str) -> None:
    claims = {"iss": settings.FEDERATION_ISSUER, "sub": "Nguyễn", "iat": 1, "exp": 2}
    token = keys.sign(dict(claims), alg=alg, typ="at+jwt")
    kid = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]
    row = SigningKey.objects.get(kid=kid)
    expected = jwt.encode(
        {"alg": alg, "kid": kid, "typ": "at+jwt"},
        dict(claims),
        keys._import(alg, {**row.public_jwk, **_private(row)}),
        algorithms=[alg],
    )
    assert token.split(".")[:2] == expected.split(".")[:2]  # signatures are randomized (ECDSA, PSS)
    published = KeySet.import_key_set(keys.jwks())  # type: ignore[arg-type]
    assert jwt.decode(token, published, algorithms=[alg]).claims == claims


def _private(row: SigningKey) -> dict[str, Any]:
    return dict(json.loads(unseal_text(bytes(row.private_sealed), purpose=keys.PRIVATE_KEY_PURPOSE)))


def test_a_key_removed_by_hand_is_refused_once_rechecked(monkeypatch: pytest.MonkeyPatch) -> None:
    token = keys.sign({"sub": "abc"})
    assert keys.verify(token)["sub"] == "abc"  # the key is now known to this process
    SigningKey.objects.filter(alg="ES256").delete()  # not through keys_maintain: no process is told
    monkeypatch.setattr(keys, "PUBLISHED_RECHECK_SECONDS", -1)  # the recheck is due
    with pytest.raises(JoseError):
        keys.verify(token)
