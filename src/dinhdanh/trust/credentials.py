"""Keys and certificates that expire (issue 13.5): relying parties' registered keys and partner
agencies' certificates, with alerts 30, 7 and 1 days before they stop working, and once when they have.

What is tracked, and from where:

* a relying party's JWK (``Client.jwks``) that carries an ``x5c`` chain: the leaf certificate's
  ``notAfter`` (kind ``client_certificate``, identified by the client and the SHA-256 of the leaf, so
  a renewed certificate on the same key pair is a new credential);
* a JWK with an ``exp`` member (seconds since the epoch; not in RFC 7517 but used by several
  issuers): that moment (kind ``client_key``, identified by the client and the RFC 7638 thumbprint);
  with both, whichever comes first;
* a partner agency's certificate registered here by an administrator (kind ``partner_certificate``).

A JWK with neither has no expiry to watch and is not tracked. Keys published at a ``jwks_uri`` are
fetched by the sync (``federation.client_keys``: HTTPS, bounded, no redirect elsewhere); a set that
cannot be fetched leaves what was tracked as it was — the dashboard lists clients by address with
nothing tracked, so nobody assumes they are watched. A client's key that is no longer registered, or a client taken out of service, gets
``gone_at`` and no more alerts.

Alerts: for each live credential, the nearest threshold passed and not yet alerted (nor a nearer one):
a credential first seen five days before expiry gets the 7-day alert only, then the 1-day one; one
that has expired gets one "expired" alert. ``alerts_sent`` keeps what went out, so running twice sends
once. Clients have no contact address of their own: their alerts go to the system administrators;
a partner's go to its contact and to the administrators.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry

from dinhdanh.core import audit
from dinhdanh.core.access import KernelPermission, require
from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.federation.client_keys import ClientKeysError, published_keys
from dinhdanh.federation.models import Client
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.registries.sources import Source
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.models import CredentialKind, TrackedCredential

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = [
    "EXPIRED",
    "MAX_PEM_BYTES",
    "TEMPLATE",
    "THRESHOLDS",
    "CredentialError",
    "credentials_sync",
    "due_alert",
    "partner_certificate_register",
    "partner_certificate_remove",
    "require_admin",
    "shown_date",
]

THRESHOLDS = (30, 7, 1)  # days before expiry
EXPIRED = 0  # the mark in ``alerts_sent`` of the one alert after expiry
MAX_PEM_BYTES = 16 * 1024  # a certificate is 1–3 KB; a chain or a key bundle is refused anyway
MAX_X5C_CHARS = 16 * 1024
TEMPLATE = "credential_expiry"
_CLIENT_KINDS = (CredentialKind.CLIENT_KEY, CredentialKind.CLIENT_CERTIFICATE)
_PEM_LABEL = re.compile(rb"-----BEGIN ([^-\r\n]{1,60})-----")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class CredentialError(ErrorCode):
    NOT_PEM = (
        "trust.credential_not_pem",
        _("Không đọc được chứng thư số: cần đúng một chứng thư X.509 dạng PEM (-----BEGIN CERTIFICATE-----)."),
        400,
    )
    COUNT = ("trust.credential_count", _("Tệp phải có đúng một chứng thư số; tệp này có {count}."), 400)
    PRIVATE_KEY = (
        "trust.credential_private_key",
        _("Tệp có khóa bí mật. Chỉ gửi chứng thư số (phần công khai); hãy coi khóa bí mật này là đã lộ."),
        400,
    )
    TOO_LARGE = ("trust.credential_too_large", _("Tệp chứng thư số lớn quá {limit} byte."), 400)
    EXPIRED = ("trust.credential_expired", _("Chứng thư số đã hết hạn lúc {date}."), 400)
    DUPLICATE = ("trust.credential_duplicate", _("Chứng thư số này đã được theo dõi (số {pk})."), 409)
    SOURCE = ("trust.credential_source", _("Cơ quan đối tác không hợp lệ. Các giá trị có: {allowed}."), 400)
    EMAIL = ("trust.credential_email", _("Địa chỉ thư điện tử liên hệ không hợp lệ."), 400)
    NOT_FOUND = ("trust.credential_not_found", _("Không có chứng thư đối tác số {pk} đang được theo dõi."), 404)


def require_admin(actor: User | None, *, fresh: bool = True) -> None:
    """``None`` is the operator at the console (the ``dinhdanh`` command, the worker)."""
    if actor is not None:
        require(actor, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
        if fresh:
            require_fresh_factor()


def _label(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())[:200]


def shown_date(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


# --- the thresholds -----------------------------------------------------------------------------------


def due_alert(not_after: datetime, sent: list[int], now: datetime) -> int | None:
    """The alert due at ``now`` (days before, or ``EXPIRED``), or ``None``. ``notAfter`` is the last
    moment a certificate is valid (RFC 5280 §4.1.2.5), so it has expired only once ``now`` is past it."""
    if now > not_after:
        return EXPIRED if EXPIRED not in sent else None
    passed = [days for days in THRESHOLDS if not_after - now <= timedelta(days=days)]
    if not passed:
        return None
    nearest = min(passed)
    # A nearer alert already sent covers this one: a late first sighting never sends 30 after 7.
    return None if any(isinstance(s, int) and s <= nearest for s in sent) else nearest


# --- relying parties' keys ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Seen:
    kind: CredentialKind
    client: Client
    label: str
    fingerprint: str
    not_after: datetime


def _leaf(jwk: dict[str, Any]) -> x509.Certificate | None:
    chain = jwk.get("x5c")
    first = chain[0] if isinstance(chain, list) and chain else None
    if not isinstance(first, str) or len(first) > MAX_X5C_CHARS:
        return None
    try:
        return x509.load_der_x509_certificate(base64.b64decode(first, validate=True))
    except (binascii.Error, ValueError):
        return None


def _exp(jwk: dict[str, Any]) -> datetime | None:
    value = jwk.get("exp")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _registered(client: Client) -> list[Any] | None:
    """The client's keys: registered by value, or fetched from its ``jwks_uri`` (None: unreachable)."""
    if isinstance(client.jwks, dict):
        keys = client.jwks.get("keys")
        return keys if isinstance(keys, list) else []
    if client.jwks_uri:
        try:
            return published_keys(client)
        except ClientKeysError:
            return None
    return []


def _client_keys(client: Client, keys: list[Any]) -> list[_Seen]:
    seen: list[_Seen] = []
    for jwk in keys:
        if not isinstance(jwk, dict):
            continue
        leaf, exp = _leaf(jwk), _exp(jwk)
        ends = [d for d in (leaf.not_valid_after_utc if leaf else None, exp) if d is not None]
        if not ends:
            continue
        try:
            thumbprint = JWKRegistry.import_key(jwk).thumbprint()
        except (JoseError, ValueError, TypeError, KeyError):
            continue
        kid = jwk.get("kid") if isinstance(jwk.get("kid"), str) else ""
        if leaf is not None:
            kind, digest = CredentialKind.CLIENT_CERTIFICATE, leaf.fingerprint(hashes.SHA256()).hex()
            label = f"{kid or thumbprint[:12]} — {leaf.subject.rfc4514_string()}"
        else:
            kind, digest, label = CredentialKind.CLIENT_KEY, thumbprint, kid or thumbprint
        # The client is part of the identity: two clients may register the same key.
        fingerprint = f"{client.client_id}:{digest}"
        seen.append(_Seen(kind, client, _label(label), fingerprint, min(ends)))
    return seen


def _track(seen: _Seen, now: datetime) -> None:
    earlier = (
        TrackedCredential.objects.filter(
            kind=seen.kind, fingerprint=seen.fingerprint, not_after=seen.not_after, gone_at__isnull=False
        )
        .order_by("-gone_at")
        .first()
    )
    row = TrackedCredential.objects.create(
        kind=seen.kind, client=seen.client, label=seen.label, fingerprint=seen.fingerprint,
        not_after=seen.not_after, first_seen_at=now,
        alerts_sent=list(earlier.alerts_sent) if earlier else [],  # registered again: no second round of alerts
    )  # fmt: skip
    audit.record(
        TrustAction.CREDENTIAL_TRACKED,
        actor=None,
        obj=row,
        after={"kind": row.kind, "client_id": seen.client.client_id, "not_after": row.not_after.isoformat()},
    )


def _untrack(row: TrackedCredential, now: datetime, actor: User | None = None) -> None:
    row.gone_at = now
    row.save(update_fields=["gone_at"])
    audit.record(TrustAction.CREDENTIAL_UNTRACKED, actor=actor, obj=row, after={"kind": row.kind})


def credentials_sync(*, now: datetime | None = None) -> dict[str, int]:
    """Bring the tracked client keys in line with what active clients have registered — by value, or
    at their ``jwks_uri`` (fetched before the transaction, so no lock waits on the network). A key set
    that cannot be fetched leaves that client's tracked keys as they were: unreachable is not removed."""
    now = now or timezone.now()
    counts = {"tracked": 0, "changed": 0, "gone": 0, "unreachable": 0}
    seen: dict[tuple[str, str], _Seen] = {}
    unreachable: set[int] = set()
    for client in Client.objects.filter(active=True).only("pk", "client_id", "name", "jwks", "jwks_uri"):
        keys = _registered(client)
        if keys is None:
            unreachable.add(client.pk)
            continue
        seen.update({(s.kind, s.fingerprint): s for s in _client_keys(client, keys)})
    counts["unreachable"] = len(unreachable)
    with transaction.atomic():
        live = TrackedCredential.objects.select_for_update().filter(gone_at__isnull=True, kind__in=_CLIENT_KINDS)
        known: set[tuple[str, str]] = set()
        for row in live:
            if row.client_id in unreachable:
                continue
            found = seen.get((row.kind, row.fingerprint))
            if found is None:
                _untrack(row, now)
                counts["gone"] += 1
                continue
            known.add((row.kind, row.fingerprint))
            if found.not_after != row.not_after:
                before = row.not_after.isoformat()
                # A new expiry starts the alerts again from the threshold it is nearest.
                row.not_after, row.alerts_sent, row.label = found.not_after, [], found.label
                row.save(update_fields=["not_after", "alerts_sent", "label"])
                audit.record(
                    TrustAction.CREDENTIAL_TRACKED,
                    actor=None,
                    obj=row,
                    before={"not_after": before},
                    after={"not_after": row.not_after.isoformat()},
                )
                counts["changed"] += 1
        for key, found in seen.items():
            if key not in known:
                _track(found, now)
                counts["tracked"] += 1
    return counts


# --- partner agencies' certificates -------------------------------------------------------------------


def _certificate(pem: str | bytes) -> x509.Certificate:
    if isinstance(pem, str):
        data = pem.encode("utf-8", errors="replace")
    elif isinstance(pem, bytes):
        data = pem
    else:
        raise DomainError(CredentialError.NOT_PEM, field="pem")
    if len(data) > MAX_PEM_BYTES:
        raise DomainError(CredentialError.TOO_LARGE, field="pem", limit=MAX_PEM_BYTES)
    labels = _PEM_LABEL.findall(data)
    if any(b"PRIVATE KEY" in label for label in labels):
        raise DomainError(CredentialError.PRIVATE_KEY, field="pem")
    if any(label != b"CERTIFICATE" for label in labels) or not labels:
        raise DomainError(CredentialError.NOT_PEM, field="pem")
    if len(labels) != 1:
        raise DomainError(CredentialError.COUNT, field="pem", count=len(labels))
    try:
        certificate = x509.load_pem_x509_certificate(data)
        certificate.not_valid_after_utc  # noqa: B018  (a malformed validity raises here, not later)
    except ValueError:
        raise DomainError(CredentialError.NOT_PEM, field="pem") from None
    return certificate


def _source(value: str) -> Source:
    if value not in Source.values:
        raise DomainError(CredentialError.SOURCE, field="source", allowed=", ".join(Source.values))
    return Source(value)


def _email(value: str) -> str:
    address = value.strip() if isinstance(value, str) else "\x00"
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        valid = False
    else:
        valid = len(address) <= 254 and not _CONTROL.search(address)
    if not valid:
        raise DomainError(CredentialError.EMAIL, field="contact_email")
    return address


def partner_certificate_register(
    *, actor: User | None, source: str, pem: str | bytes, contact_email: str = "", now: datetime | None = None
) -> TrackedCredential:
    """Track a partner agency's certificate (``source``: the registry list the partner keeps)."""
    require_admin(actor)
    now = now or timezone.now()
    partner, email, certificate = _source(source), _email(contact_email), _certificate(pem)
    not_after = certificate.not_valid_after_utc
    if not_after < now:
        raise DomainError(CredentialError.EXPIRED, field="pem", date=shown_date(not_after))
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    kind = CredentialKind.PARTNER_CERTIFICATE
    subject = certificate.subject.rfc4514_string() or f"serial {certificate.serial_number:x}"
    try:
        with transaction.atomic():
            existing = TrackedCredential.objects.filter(kind=kind, fingerprint=fingerprint, gone_at__isnull=True)
            if (found := existing.first()) is not None:
                raise DomainError(CredentialError.DUPLICATE, field="pem", pk=found.pk)
            row = TrackedCredential.objects.create(
                kind=kind, partner_source=partner.value, label=_label(subject), fingerprint=fingerprint,
                not_after=not_after, contact_email=email, first_seen_at=now,
            )  # fmt: skip
            audit.record(
                TrustAction.CREDENTIAL_TRACKED,
                actor=actor,
                obj=row,
                after={"kind": kind.value, "source": partner.value, "fingerprint": fingerprint,
                       "not_after": not_after.isoformat()},
            )  # fmt: skip
    except IntegrityError:  # the same certificate registered at the same moment by someone else
        raise DomainError(CredentialError.DUPLICATE, field="pem", pk="-") from None
    return row


def partner_certificate_remove(*, actor: User | None, credential_id: int, now: datetime | None = None) -> None:
    """Stop tracking a partner certificate (replaced, or the partnership ended)."""
    require_admin(actor)
    now = now or timezone.now()
    pk = credential_id if isinstance(credential_id, int) and not isinstance(credential_id, bool) else -1
    with transaction.atomic():
        row = (
            TrackedCredential.objects.select_for_update()
            .filter(pk=pk, kind=CredentialKind.PARTNER_CERTIFICATE, gone_at__isnull=True)
            .first()
        )
        if row is None:
            raise DomainError(CredentialError.NOT_FOUND, field="id", pk=pk if pk >= 0 else "-")
        _untrack(row, now, actor)
