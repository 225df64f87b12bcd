"""The relying-party registry (issue 12.4): system administrators register clients; the rules live here
so the command and (coming) page give the same answers.

What is checked, each with its own error code and nothing written on refusal:

* redirect URIs: 1–10, absolute, exact (no wildcard, no fragment — RFC 9700 §4.1.3, OAuth 2.1), HTTPS;
  plain HTTP only on the loopback interface (RFC 8252 §7.3: native apps and the demo);
* the profile decides the posture (ARCHITECTURE rule 5): ``fapi2`` needs ``private_key_jwt`` and public
  keys (FAPI 2.0 §5.3.1); ``none`` (a public client, PKCE only) is ``basic`` only;
* public keys: a JWK set of public keys only (a private member is refused: the client has leaked it),
  for the algorithms the provider accepts;
* scopes from the provider's list; a service of the registry when the client asks for
  ``organization`` (a member signs in as their organization only where their grant covers it);
* pairwise subjects need one sector: all redirect URIs on one host, or a sector named explicitly.

Secrets: 32 random bytes, shown once; only a keyed digest is kept (decision 0032).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from dinhdanh.core import audit
from dinhdanh.core.access import KernelPermission, require
from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.core.keys import data_key
from dinhdanh.core.text import clean_optional
from dinhdanh.federation.audit_actions import FederationAction
from dinhdanh.federation.keys import ALGORITHMS
from dinhdanh.federation.models import AuthMethod, Client, Profile, SigningAlg, SubjectType
from dinhdanh.organizations.models import Service
from dinhdanh.organizations.selectors import active_services
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.models import User

__all__ = [
    "PERSON_SCOPES",
    "SCOPES",
    "ClientError",
    "client_disable",
    "client_register",
    "client_secret_rotate",
    "secret_matches",
]

# Person scopes (a person signs in) and API scopes (a client acts for itself: client credentials).
SCOPES = (
    "openid", "profile", "email", "phone", "organization", "offline_access", "personal_id",
    "verify.organization", "verify.member", "campaigns.read",
)  # fmt: skip
# Scopes about a person (asked in an authorization); the rest are API scopes a client holds for itself.
PERSON_SCOPES = frozenset({"openid", "profile", "email", "phone", "organization", "offline_access", "personal_id"})
MAX_REDIRECT_URIS = 10
SECRET_KEY_NAME = "client-secret"  # noqa: S105  (the name of a key file, not a secret)
LOOPBACK_HOSTS = {"localhost"}


class ClientError(ErrorCode):
    REDIRECT_URIS = (
        "federation.redirect_uris",
        _(
            "Địa chỉ chuyển hướng không hợp lệ: {value}. Cần 1–10 địa chỉ đầy đủ, chính xác, dùng HTTPS (HTTP chỉ "
            "cho máy cục bộ), không có ký tự đại diện hay phần #."
        ),
        400,
    )
    PROFILE = (
        "federation.profile",
        _("Hồ sơ bảo mật {profile} không dùng được với cách xác thực {method}."),
        400,
    )
    KEYS_REQUIRED = (
        "federation.keys_required",
        _("Cách xác thực private_key_jwt cần khóa công khai (JWKS)."),
        400,
    )
    BAD_KEYS = (
        "federation.bad_keys",
        _("Bộ khóa công khai không hợp lệ: {reason}."),
        400,
    )
    SCOPES = ("federation.scopes", _("Phạm vi không được hỗ trợ: {value}. Các phạm vi có: {allowed}."), 400)
    SERVICE = (
        "federation.service",
        _("Bên sử dụng cần phạm vi organization phải gắn với một dịch vụ đang dùng."),
        400,
    )
    SECTOR = (
        "federation.sector",
        _("Định danh riêng theo lĩnh vực cần các địa chỉ chuyển hướng cùng một máy chủ, hoặc ghi rõ lĩnh vực."),
        400,
    )
    NAME = ("federation.client_name", _("Hãy nhập tên bên sử dụng (tối đa 200 ký tự)."), 400)
    LEGAL_BASIS = (
        "federation.legal_basis",
        _("Phạm vi personal_id (số định danh cá nhân) cần ghi rõ căn cứ pháp lý (tối đa 300 ký tự)."),
        400,
    )
    ID_TOKEN_ALG = ("federation.id_token_alg", _("Thuật toán ký ID token phải là một trong: {allowed}."), 400)
    UNKNOWN_CLIENT = ("federation.unknown_client", _("Không có bên sử dụng {client_id}."), 404)


def new_client_id() -> str:
    """128 random bits in hex: no leading '-' that a command line would read as an option (base64url's
    alphabet has one), and nothing to escape in a URL or a form."""
    return secrets.token_hex(16)


def _digest(secret: str) -> str:
    return hmac.new(data_key(SECRET_KEY_NAME), secret.encode(), hashlib.sha256).hexdigest()


_digest_keys: dict[str, bytes] = {}  # data dir -> the digest key: read once, not at every token request


def secret_matches(client: Client, secret: str) -> bool:
    """Constant-time: whether ``secret`` is ``client``'s. The key is ``_digest``'s, read once per data
    dir (the file is written once and never rotated: decision 0032), not from disk at every token
    request (decision 0034)."""
    if not client.secret_digest:
        return False
    key = _digest_keys.get(where := str(settings.DATA_DIR))
    if key is None:
        key = _digest_keys[where] = data_key(SECRET_KEY_NAME)
    digest = hmac.new(key, str(secret)[:200].encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(client.secret_digest, digest)


def _loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _redirect_uris(values: object) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Sequence) or not 1 <= len(values) <= MAX_REDIRECT_URIS:
        raise DomainError(ClientError.REDIRECT_URIS, field="redirect_uris", value="-")
    uris: list[str] = []
    for value in values:
        text = value if isinstance(value, str) else ""
        parts = urlsplit(text) if text and len(text) <= 512 and text.isprintable() and " " not in text else None
        host = (parts.hostname or "") if parts else ""
        secure = parts is not None and (parts.scheme == "https" or (parts.scheme == "http" and _loopback(host)))
        if not parts or not secure or not host or parts.fragment or "*" in text or parts.username:
            raise DomainError(ClientError.REDIRECT_URIS, field="redirect_uris", value=text[:80] or "-")
        if text not in uris:
            uris.append(text)
    return uris


def _keys(jwks: object) -> dict[str, Any] | None:
    if jwks is None:
        return None
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not 1 <= len(jwks["keys"]) <= 10:
        raise DomainError(ClientError.BAD_KEYS, field="jwks", reason="keys")
    for jwk in jwks["keys"]:
        if not isinstance(jwk, dict) or {"d", "p", "q", "dp", "dq", "qi", "k"} & set(jwk):
            raise DomainError(ClientError.BAD_KEYS, field="jwks", reason="private")
        if "alg" in jwk and jwk["alg"] not in ALGORITHMS:
            raise DomainError(ClientError.BAD_KEYS, field="jwks", reason=str(jwk["alg"])[:20])
    try:
        KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise DomainError(ClientError.BAD_KEYS, field="jwks", reason=type(exc).__name__) from exc
    return {"keys": [dict(k) for k in jwks["keys"]]}


def posture_of(profile: str, method: str, keys: dict[str, Any] | None, jwks_uri: str) -> None:
    try:
        Profile(profile), AuthMethod(method)
    except ValueError as exc:
        raise DomainError(
            ClientError.PROFILE, field="profile", profile=str(profile)[:20], method=str(method)[:30]
        ) from exc
    if (profile == Profile.FAPI2 and method != AuthMethod.PRIVATE_KEY_JWT) or (
        profile == Profile.FAPI2 and jwks_uri.startswith("http:")
    ):
        raise DomainError(ClientError.PROFILE, field="auth_method", profile=profile, method=method)
    if method == AuthMethod.PRIVATE_KEY_JWT and keys is None and not jwks_uri:
        raise DomainError(ClientError.KEYS_REQUIRED, field="jwks")


def _scopes(values: object) -> list[str]:
    given = list(values) if isinstance(values, list | tuple) else []
    items = [v for v in given if isinstance(v, str)]
    unknown = [v for v in items if v not in SCOPES]
    if unknown or not items or "openid" not in items or len(items) != len(given):
        shown = ", ".join(unknown)[:80] or "-"
        raise DomainError(ClientError.SCOPES, field="scopes", value=shown, allowed=", ".join(SCOPES))
    return [s for s in SCOPES if s in items]


def _service(code: str, scopes: list[str]) -> Service | None:
    if not code:
        if "organization" in scopes:
            raise DomainError(ClientError.SERVICE, field="service")
        return None
    found = active_services([code]).first()
    if found is None:
        raise DomainError(ClientError.SERVICE, field="service")
    return found


def _sector(subject_type: str, uris: list[str], sector: str) -> str:
    if subject_type not in SubjectType.values:
        raise DomainError(ClientError.SECTOR, field="subject_type")
    if subject_type == SubjectType.PUBLIC:
        return ""
    hosts = {urlsplit(u).hostname or "" for u in uris}
    named = sector.strip().lower()
    if named and " " not in named and len(named) <= 255:
        return named
    if len(hosts) != 1:
        raise DomainError(ClientError.SECTOR, field="sector")
    return hosts.pop()


def _require_admin(actor: User | None) -> None:
    if actor is not None:
        require(actor, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
        require_fresh_factor()


def client_register(
    *,
    actor: User | None,
    name: str,
    redirect_uris: Sequence[str],
    scopes: Sequence[str] = ("openid",),
    profile: str = Profile.BASIC,
    auth_method: str = AuthMethod.SECRET_BASIC,
    jwks: dict[str, Any] | None = None,
    jwks_uri: str = "",
    service: str = "",
    subject_type: str = SubjectType.PUBLIC,
    sector: str = "",
    name_en: str = "",
    logo_uri: str = "",
    post_logout_redirect_uris: Sequence[str] = (),
    id_token_alg: str = SigningAlg.ES256,
    legal_basis: str = "",
) -> tuple[Client, str | None]:
    """Register a client; returns it and its secret (None unless ``client_secret_basic``), shown once."""
    _require_admin(actor)
    title = clean_optional(name if isinstance(name, str) else "", field="name", max_length=200)
    if not title:
        raise DomainError(ClientError.NAME, field="name")
    uris = _redirect_uris(redirect_uris)
    logout_uris = _redirect_uris(post_logout_redirect_uris) if post_logout_redirect_uris else []
    keys = _keys(jwks)
    if jwks_uri:
        _redirect_uris([jwks_uri])  # the same rule: absolute, HTTPS (loopback for the demo)
    posture_of(profile, auth_method, keys, jwks_uri)
    allowed = _scopes(list(scopes))
    bound = _service(service, allowed)
    where = _sector(subject_type, uris, sector)
    basis = clean_optional(
        legal_basis if isinstance(legal_basis, str) else "", field="legal_basis", max_length=300
    )
    if "personal_id" in allowed and not basis:
        raise DomainError(ClientError.LEGAL_BASIS, field="legal_basis")
    if id_token_alg not in ALGORITHMS:
        raise DomainError(ClientError.ID_TOKEN_ALG, field="id_token_alg", allowed=", ".join(ALGORITHMS))
    secret = secrets.token_urlsafe(32) if auth_method == AuthMethod.SECRET_BASIC else None
    with transaction.atomic():
        client = Client.objects.create(
            client_id=new_client_id(), name=title, name_en=(name_en or "")[:200],
            logo_uri=(logo_uri or "")[:500], redirect_uris=uris, post_logout_redirect_uris=logout_uris,
            profile=profile, auth_method=auth_method, secret_digest=_digest(secret) if secret else "",
            jwks=keys, jwks_uri=jwks_uri, scopes=allowed, service=bound, subject_type=subject_type,
            sector=where, created_by=actor, id_token_alg=id_token_alg, legal_basis=basis,
        )  # fmt: skip
        audit.record(
            FederationAction.CLIENT_REGISTERED,
            actor=actor,
            obj=client,
            after={
                "client_id": client.client_id, "name": title, "profile": profile, "auth_method": auth_method,
                "redirect_uris": uris, "scopes": allowed, "service": service, "subject_type": subject_type,
                "id_token_alg": id_token_alg, "legal_basis": basis,
            },
        )  # fmt: skip
    return client, secret


def _client(client_id: str) -> Client:
    found = Client.objects.select_for_update().filter(client_id=str(client_id)[:64]).first()
    if found is None:
        raise DomainError(ClientError.UNKNOWN_CLIENT, field="client_id", client_id=str(client_id)[:64])
    return found


def client_disable(*, actor: User | None, client_id: str) -> Client:
    """Take a client out of service: every flow refuses it from now on."""
    _require_admin(actor)
    with transaction.atomic():
        client = _client(client_id)
        if client.active:
            client.active = False
            client.save(update_fields=["active"])
            audit.record(FederationAction.CLIENT_DISABLED, actor=actor, obj=client, after={"client_id": client_id})
    return client


def client_secret_rotate(*, actor: User | None, client_id: str) -> str:
    """A new secret for a ``client_secret_basic`` client; the old one stops working at once."""
    _require_admin(actor)
    with transaction.atomic():
        client = _client(client_id)
        if client.auth_method != AuthMethod.SECRET_BASIC:
            raise DomainError(
                ClientError.PROFILE, field="auth_method", profile=client.profile, method=client.auth_method
            )
        secret = secrets.token_urlsafe(32)
        client.secret_digest = _digest(secret)
        client.save(update_fields=["secret_digest"])
        audit.record(
            FederationAction.CLIENT_SECRET_ROTATED, actor=actor, obj=client, after={"client_id": client_id}
        )
    return secret
