"""The authorization request and its code (RFC 6749 §4.1; OpenID Connect Core §3.1.2; RFC 7636; RFC 9207).

Checked in this order, because where an error may be sent depends on it (RFC 6749 §4.1.2.1):

1. ``client_id`` and ``redirect_uri`` — an unknown or disabled client, or a redirect URI that is not
   exactly one registered, is shown on our own page and **never** redirected to;
2. everything else is answered by redirecting to that URI with ``error``, ``state`` and ``iss``:
   ``response_type=code`` only; ``scope`` with ``openid``, within the client's person scopes; PKCE with
   ``S256`` mandatory (``plain`` refused, RFC 7636 §4.2, FAPI 2.0 §5.3.2.2); FAPI 2.0 clients must push
   their request first (PAR, not built yet: refused); ``prompt=none`` cannot be honoured (consent is
   asked every time for now: ``consent_required``); a parameter given twice is ``invalid_request``.

A code is 256 random bits, stored as a keyed digest, valid 60 seconds, single use, bound to the PKCE
challenge, the redirect URI, the nonce and the organization chosen (re-checked when it is exchanged).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from dinhdanh.core.keys import data_key
from dinhdanh.federation.models import AuthorizationCode, Client, Profile
from dinhdanh.organizations.models import Organization
from dinhdanh.organizations.selectors import acting_choices
from dinhdanh.people.models import AccountLevel, User

__all__ = [
    "CODE_LIFETIME",
    "PERSON_SCOPES",
    "AuthorizationRequest",
    "PageError",
    "RedirectError",
    "acr_of",
    "code_digest",
    "issue_code",
    "parse",
    "redirect_to",
]

CODE_LIFETIME = timedelta(seconds=60)
PERSON_SCOPES = frozenset({"openid", "profile", "email", "phone", "organization"})
CODE_KEY = "authorization-code"
_PKCE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
ACR_LEVEL1 = "urn:dinhdanh:loa:1"
ACR_LEVEL2 = "urn:dinhdanh:loa:2"
MAX_PARAM = 2000


class PageError(Exception):
    """Shown on our page: the client or its redirect URI cannot be trusted with the answer."""


class RedirectError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(error)
        self.error, self.description = error, description


@dataclass(frozen=True)
class AuthorizationRequest:
    client: Client
    redirect_uri: str
    scopes: list[str]
    state: str
    nonce: str
    code_challenge: str
    org_hint: str

    @property
    def wants_organization(self) -> bool:
        return "organization" in self.scopes and self.client.service is not None

    def as_params(self) -> dict[str, str]:
        """The request again, to carry through the consent form (re-checked when it comes back)."""
        return {
            "client_id": self.client.client_id, "redirect_uri": self.redirect_uri, "response_type": "code",
            "scope": " ".join(self.scopes), "state": self.state, "nonce": self.nonce,
            "code_challenge": self.code_challenge, "code_challenge_method": "S256", "org_hint": self.org_hint,
        }  # fmt: skip


def _one(params: QueryDict, name: str) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise RedirectError("invalid_request", f"{name} given more than once")
    value = values[0] if values else ""
    if len(value) > MAX_PARAM:
        raise RedirectError("invalid_request", f"{name} is too long")
    return value


def _trusted(params: QueryDict) -> tuple[Client, str]:
    client_ids, uris = params.getlist("client_id"), params.getlist("redirect_uri")
    if len(client_ids) != 1 or len(uris) != 1:
        raise PageError("client_id and redirect_uri must each be given once")
    client = Client.objects.filter(client_id=client_ids[0][:64], active=True).select_related("service").first()
    if client is None:
        raise PageError("unknown or disabled client")
    if uris[0] not in client.redirect_uris:  # exact string match (RFC 9700 §4.1.3)
        raise PageError("redirect_uri is not registered for this client")
    return client, uris[0]


def parse(params: QueryDict) -> tuple[Client, str, AuthorizationRequest | RedirectError]:
    """(client, redirect URI, the request — or the error to redirect with). Raises ``PageError``."""
    client, redirect_uri = _trusted(params)
    try:
        return client, redirect_uri, _checked(client, redirect_uri, params)
    except RedirectError as error:
        return client, redirect_uri, error


def _checked(client: Client, redirect_uri: str, params: QueryDict) -> AuthorizationRequest:
    state = _one(params, "state")
    if _one(params, "response_type") != "code":
        raise RedirectError("unsupported_response_type", "only response_type=code")
    if client.profile == Profile.FAPI2 and not params.get("request_uri"):
        raise RedirectError("invalid_request", "this client must push its authorization request (PAR)")
    if client.profile == Profile.FAPI2:
        raise RedirectError("invalid_request", "pushed authorization requests are not available yet")
    scopes = [s for s in _one(params, "scope").split(" ") if s]
    if "openid" not in scopes or len(set(scopes)) != len(scopes):
        raise RedirectError("invalid_scope", "scope must contain openid once")
    if any(s not in client.scopes or s not in PERSON_SCOPES for s in scopes):
        raise RedirectError("invalid_scope", "a requested scope is not allowed for this client")
    method, challenge = _one(params, "code_challenge_method"), _one(params, "code_challenge")
    if method != "S256" or not _PKCE.fullmatch(challenge):
        raise RedirectError("invalid_request", "PKCE with code_challenge_method=S256 is required")
    prompts = set(_one(params, "prompt").split())
    if not prompts <= {"none", "login", "consent", "select_account"} or ("none" in prompts and len(prompts) > 1):
        raise RedirectError("invalid_request", "unsupported prompt value")
    if "none" in prompts:
        raise RedirectError("consent_required", "the person must consent in this provider's page")
    nonce = _one(params, "nonce")
    if len(nonce) > 255 or len(state) > 512:
        raise RedirectError("invalid_request", "state or nonce is too long")
    return AuthorizationRequest(
        client=client, redirect_uri=redirect_uri, scopes=scopes, state=state, nonce=nonce,
        code_challenge=challenge, org_hint=_one(params, "org_hint")[:16],
    )  # fmt: skip


def redirect_to(redirect_uri: str, params: dict[str, str]) -> str:
    """``redirect_uri`` with ``params`` added to its query, and ``iss`` (RFC 9207 §2)."""
    parts = urlsplit(redirect_uri)
    extra = urlencode({**{k: v for k, v in params.items() if v}, "iss": settings.FEDERATION_ISSUER})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def acr_of(user: User) -> str:
    return ACR_LEVEL2 if user.level >= AccountLevel.LEVEL_2 else ACR_LEVEL1


def code_digest(code: str) -> str:
    return hmac.new(data_key(CODE_KEY), code.encode(), hashlib.sha256).hexdigest()


def issue_code(request: AuthorizationRequest, user: User, organization_eid: str = "") -> str:
    """A code for ``user``, acting for the organization ``organization_eid`` when given — which must be
    one ``acting_choices`` offers for this client's service (else ``RedirectError``)."""
    organization: Organization | None = None
    if organization_eid:
        if not request.wants_organization or request.client.service is None:
            raise RedirectError("invalid_request", "this client does not take organizations")
        offered = {o.eid: o for o, _m in acting_choices(user, request.client.service.code)}
        organization = offered.get(organization_eid)
        if organization is None:
            raise RedirectError("access_denied", "the person may not act for that organization here")
    code = secrets.token_urlsafe(32)
    now = timezone.now()
    AuthorizationCode.objects.create(
        digest=code_digest(code), client=request.client, user=user, organization=organization,
        redirect_uri=request.redirect_uri, scope=" ".join(request.scopes), nonce=request.nonce,
        code_challenge=request.code_challenge, acr=acr_of(user), auth_time=user.last_login or now,
        expires_at=now + CODE_LIFETIME,
    )  # fmt: skip
    return code
