"""Signing keys of the OpenID provider (issue 12.1, decision 0031): one current key per algorithm
(ES256, PS256, EdDSA — FAPI 2.0 §5.4), rotated by a command and on a schedule, published in the JWKS
(RFC 7517 §5) until every token they signed has expired.

* ``key_rotate``: a new key for each algorithm; the previous one retires — it signs no more, its
  private half is erased, and it stays published for ``FEDERATION_KEY_PUBLISH_AFTER_SECONDS``.
* ``keys_maintain`` (the schedule, daily): makes the first keys, rotates keys older than
  ``FEDERATION_KEY_MAX_AGE_DAYS``, drops retired keys whose publication period is over.
* Private keys are sealed at rest (``core.sealed``, purpose ``PRIVATE_KEY_PURPOSE``); the key id is
  the RFC 7638 thumbprint, so it names the public key and nothing else.
* ``sign``/``verify``: the only way tokens are signed here, always with an explicit algorithm list
  (no ``none``, no HMAC with a public key).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

from dinhdanh.core import audit
from dinhdanh.core.sealed import seal_text, unseal_text
from dinhdanh.federation.audit_actions import FederationAction
from dinhdanh.federation.models import SigningAlg, SigningKey
from dinhdanh.people.models import User

__all__ = [
    "ALGORITHMS",
    "PRIVATE_KEY_PURPOSE",
    "jwks",
    "key_rotate",
    "keys_maintain",
    "sign",
    "verify",
]

PRIVATE_KEY_PURPOSE = "federation.signing-key"
ALGORITHMS: tuple[str, ...] = tuple(SigningAlg.values)
type AnyKey = ECKey | RSAKey | OKPKey


def _generate(alg: str) -> AnyKey:
    if alg == SigningAlg.ES256:
        return ECKey.generate_key("P-256")
    if alg == SigningAlg.PS256:
        return RSAKey.generate_key(2048)
    return OKPKey.generate_key("Ed25519")


def _import(alg: str, data: dict[str, Any]) -> AnyKey:
    if alg == SigningAlg.ES256:
        return ECKey.import_key(data)
    if alg == SigningAlg.PS256:
        return RSAKey.import_key(data)
    return OKPKey.import_key(data)


def _current(alg: str) -> SigningKey | None:
    return SigningKey.objects.filter(alg=alg, retired_at__isnull=True).order_by("-created_at", "-pk").first()


def _new_key(alg: str, actor: User | None) -> SigningKey:
    key = _generate(alg)
    kid = key.thumbprint()
    public = {**key.as_dict(private=False), "kid": kid, "alg": alg, "use": "sig"}
    row = SigningKey.objects.create(
        kid=kid, alg=alg, public_jwk=public,
        private_sealed=seal_text(json.dumps(key.as_dict(private=True)), purpose=PRIVATE_KEY_PURPOSE),
    )  # fmt: skip
    audit.record(FederationAction.SIGNING_KEY_CREATED, actor=actor, obj=row, after={"kid": kid, "alg": alg})
    return row


def _retire(row: SigningKey, actor: User | None, now: datetime) -> None:
    row.retired_at = now
    row.publish_until = now + timedelta(seconds=int(settings.FEDERATION_KEY_PUBLISH_AFTER_SECONDS))
    row.private_sealed = b""  # it signs no more: nothing to keep
    row.save(update_fields=["retired_at", "publish_until", "private_sealed"])
    audit.record(
        FederationAction.SIGNING_KEY_RETIRED,
        actor=actor,
        obj=row,
        after={"kid": row.kid, "alg": row.alg, "publish_until": row.publish_until},
    )


def key_rotate(*, actor: User | None, algs: tuple[str, ...] = ALGORITHMS) -> list[SigningKey]:
    """A new current key for each of ``algs``; the previous ones retire. Returns the new keys."""
    now = timezone.now()
    made = []
    with transaction.atomic():
        for alg in algs:
            SigningAlg(alg)  # ValueError for anything else: never an unlisted algorithm
            previous = list(SigningKey.objects.select_for_update().filter(alg=alg, retired_at__isnull=True))
            made.append(_new_key(alg, actor))
            for row in previous:
                _retire(row, actor, now)
    return made


def keys_maintain(*, now: datetime | None = None) -> dict[str, int]:
    """The schedule's daily pass: first keys, rotation of old ones, dropping of unpublished ones."""
    now = now or timezone.now()
    oldest = now - timedelta(days=int(settings.FEDERATION_KEY_MAX_AGE_DAYS))
    due = tuple(alg for alg in ALGORITHMS if (c := _current(alg)) is None or c.created_at <= oldest)
    made = key_rotate(actor=None, algs=due) if due else []
    dropped = 0
    with transaction.atomic():
        for row in SigningKey.objects.select_for_update().filter(publish_until__lte=now):
            audit.record(FederationAction.SIGNING_KEY_DROPPED, actor=None, obj=row, after={"kid": row.kid})
            row.delete()
            dropped += 1
    return {"created": len(made), "dropped": dropped}


def jwks(now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """The public keys relying parties verify with: current ones and retired ones still published."""
    now = now or timezone.now()
    rows = SigningKey.objects.exclude(publish_until__lte=now).order_by("alg", "-created_at")
    return {"keys": [dict(row.public_jwk) for row in rows]}


def sign(claims: dict[str, Any], *, alg: str = SigningAlg.ES256, typ: str = "JWT") -> str:
    """``claims`` as a compact JWS with the current key of ``alg`` (made on first use)."""
    row = _current(alg) or key_rotate(actor=None, algs=(alg,))[0]
    private = _import(alg, json.loads(unseal_text(bytes(row.private_sealed), purpose=PRIVATE_KEY_PURPOSE)))
    header = {"alg": alg, "kid": row.kid, "typ": typ}
    return jwt.encode(header, claims, private, algorithms=[alg])


def verify(token: str, *, algorithms: tuple[str, ...] = ALGORITHMS) -> dict[str, Any]:
    """The claims of a token this provider signed, checked against the published keys (raises
    ``joserfc.errors.JoseError`` otherwise). Claims' meaning (exp, aud, …) is the caller's."""
    keys = KeySet.import_key_set(jwks())  # type: ignore[arg-type]
    return dict(jwt.decode(token, keys, algorithms=list(algorithms)).claims)
