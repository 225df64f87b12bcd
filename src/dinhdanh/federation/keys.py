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

import base64
import calendar
import json
import re
import time
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import BadSignatureError, DecodeError, InvalidPayloadError, UnsupportedAlgorithmError
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

from dinhdanh.core import audit
from dinhdanh.core.rows import SelectOne
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
    _verifiers.clear()  # the retired keys now have an end of publication
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
    _verifiers.clear()
    return {"created": len(made), "dropped": dropped}


def jwks(now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """The public keys relying parties verify with: current ones and retired ones still published."""
    now = now or timezone.now()
    rows = SigningKey.objects.exclude(publish_until__lte=now).order_by("alg", "-created_at")
    return {"keys": [dict(row.public_jwk) for row in rows]}


# --- signing and verifying: the hot path of the token and introspection endpoints (decision 0034) -------
# The database is the truth for which key signs and which keys are published.
# * Signing asks it at every call which key is current (one indexed row, its id only): a rotation made
#   by any process takes effect at the next signature everywhere. The unsealed private key is kept per
#   algorithm and replaced when the database names another, so a retired private half leaves memory at
#   the next signature after its retirement.
# * Verifying keeps what it learnt of a published key — its algorithm, imported public key and end of
#   publication — for PUBLISHED_RECHECK_SECONDS, then asks again. Publication ends at ``publish_until``,
#   which is checked at every use; a key rotated elsewhere stays published for days
#   (FEDERATION_KEY_PUBLISH_AFTER_SECONDS), so the only change another process can make that this one
#   learns late is a key removed before its time, by hand — accepted for at most that minute. The JWKS
#   itself is read from the database on every request (views.JWKS_MAX_AGE is 0, decision 0050), so
#   relying parties see such a removal at once. Rotating and dropping here forget at once.

_CURRENT = SelectOne(
    SigningKey, "{alg} = %s AND {retired_at} IS NULL", ["alg"], order="{created_at} DESC, {id} DESC", only=["kid"]
)
_PUBLISHED = SelectOne(
    SigningKey,
    "{kid} = %s AND ({publish_until} IS NULL OR {publish_until} > %s)",
    ["kid", "publish_until"],
    only=["kid", "alg", "public_jwk", "publish_until"],
)
_signers: dict[str, tuple[str, Any]] = {}  # alg -> (kid, private key object) of the current key
# kid -> (alg, public key object, publish_until, when checked); a kid names its public key (RFC 7638)
_verifiers: dict[str, tuple[str, Any, datetime | None, float]] = {}
_VERIFIERS_KEPT = 64
PUBLISHED_RECHECK_SECONDS = 60
_B64 = re.compile(r"[A-Za-z0-9_-]*")
_ES256_HALF = 32
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256.digest_size)  # RFC 7518 §3.5
_FAST_HEADER = frozenset({"typ", "alg", "kid"})  # what our tokens carry; anything else takes joserfc's path


def _b64encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _b64decode(text: str) -> bytes:
    if not _B64.fullmatch(text):
        raise DecodeError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signer(alg: str) -> tuple[str, Any]:
    current = _CURRENT.first(alg) or key_rotate(actor=None, algs=(alg,))[0]
    held = _signers.get(alg)
    if held is None or held[0] != current.kid:
        row = SigningKey.objects.get(pk=current.pk)
        sealed = bytes(row.private_sealed)
        imported = _import(alg, json.loads(unseal_text(sealed, purpose=PRIVATE_KEY_PURPOSE)))
        held = _signers[alg] = (row.kid, imported.private_key)
    return held


def _signature(alg: str, private: Any, data: bytes) -> bytes:
    if alg == SigningAlg.ES256:  # RFC 7518 §3.4: R || S, each 32 bytes, not DER
        r, s = decode_dss_signature(private.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(_ES256_HALF, "big") + s.to_bytes(_ES256_HALF, "big")
    if alg == SigningAlg.PS256:
        return bytes(private.sign(data, _PSS, hashes.SHA256()))
    return bytes(private.sign(data))  # EdDSA (RFC 8037 §3.1)


def _check(alg: str, public: Any, signature: bytes, data: bytes) -> None:
    """Raises ``BadSignatureError`` unless ``signature`` is ``public``'s over ``data``."""
    try:
        if alg == SigningAlg.ES256:
            if len(signature) != 2 * _ES256_HALF:
                raise BadSignatureError
            r, s = int.from_bytes(signature[:_ES256_HALF], "big"), int.from_bytes(signature[_ES256_HALF:], "big")
            public.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
        elif alg == SigningAlg.PS256:
            public.verify(signature, data, _PSS, hashes.SHA256())
        else:
            public.verify(signature, data)
    except InvalidSignature as exc:
        raise BadSignatureError from exc


def sign(claims: dict[str, Any], *, alg: str = SigningAlg.ES256, typ: str = "JWT") -> str:
    """``claims`` as a compact JWS (RFC 7515 §7.1) with the current key of ``alg`` (made on first use),
    byte for byte what ``joserfc.jwt.encode`` makes; the tests verify it with joserfc and Authlib."""
    SigningAlg(alg)  # ValueError for anything else: never an unlisted algorithm
    kid, private = _signer(alg)
    for name in ("exp", "iat", "nbf"):  # as joserfc: a datetime becomes seconds
        if isinstance(moment := claims.get(name), datetime):
            claims[name] = calendar.timegm(moment.utctimetuple())
    header = _b64encode(json.dumps({"typ": typ, "alg": alg, "kid": kid}, separators=(",", ":")).encode())
    payload = _b64encode(json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode())
    signing_input = header + b"." + payload
    return (signing_input + b"." + _b64encode(_signature(alg, private, signing_input))).decode("ascii")


def _verifier(kid: str, now: datetime) -> tuple[str, Any]:
    held = _verifiers.get(kid)
    if held is None or time.monotonic() - held[3] > PUBLISHED_RECHECK_SECONDS:
        row = _PUBLISHED.first(kid, now)
        if row is None:
            _verifiers.pop(kid, None)
            raise BadSignatureError("no published key of that id")
        if len(_verifiers) >= _VERIFIERS_KEPT:
            _verifiers.clear()
        public = held[1] if held else _import(row.alg, dict(row.public_jwk)).public_key
        held = _verifiers[kid] = (row.alg, public, row.publish_until, time.monotonic())
    if held[2] is not None and held[2] <= now:
        raise BadSignatureError("that key is no longer published")
    return held[0], held[1]


def verify(token: str, *, algorithms: tuple[str, ...] = ALGORITHMS, typ: str | None = None) -> dict[str, Any]:
    """The claims of a token this provider signed, checked against the published keys (raises
    ``joserfc.errors.JoseError`` or ``ValueError`` otherwise). Claims' meaning (exp, aud, …) is the
    caller's. Our own tokens (a header of ``typ``, ``alg`` and ``kid`` only) are checked here directly
    against the one published key their ``kid`` names, whose algorithm must be the header's; any other
    header goes to joserfc against the whole published set, as before."""
    encoded_header, payload, signature = token.split(".") if token.count(".") == 2 else ("", "", "")
    header = json.loads(_b64decode(encoded_header)) if encoded_header else None
    if not isinstance(header, dict) or not isinstance(header.get("kid"), str) or set(header) - _FAST_HEADER:
        keys = KeySet.import_key_set(jwks())  # type: ignore[arg-type]
        decoded = jwt.decode(token, keys, algorithms=list(algorithms))
        if typ is not None and decoded.header.get("typ") != typ:
            raise InvalidPayloadError(f"typ is not {typ}")
        return dict(decoded.claims)
    if typ is not None and header.get("typ") != typ:
        raise InvalidPayloadError(f"typ is not {typ}")
    alg = header.get("alg")
    if alg not in algorithms:
        raise UnsupportedAlgorithmError(f"{str(alg)[:20]} is not accepted")
    key_alg, public = _verifier(header["kid"], timezone.now())
    if key_alg != alg:  # no algorithm chosen by the token for a key of another kind
        raise BadSignatureError("the key is not for that algorithm")
    _check(alg, public, _b64decode(signature), f"{encoded_header}.{payload}".encode("ascii"))
    claims = json.loads(_b64decode(payload))
    if not isinstance(claims, dict):
        raise InvalidPayloadError("the claims are not an object")
    return claims
