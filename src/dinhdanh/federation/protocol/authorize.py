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
from dataclasses import dataclass, replace
from datetime import timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from dinhdanh.core.keys import data_key
from dinhdanh.federation.clients import PERSON_SCOPES
from dinhdanh.federation.models import AuthorizationCode, Client, Consent, Profile, PushedRequest
from dinhdanh.federation.protocol.acr import ACR_VALUES
from dinhdanh.organizations.models import Organization
from dinhdanh.organizations.selectors import acting_choices
from dinhdanh.people.models import User

__all__ = [
    "CODE_LIFETIME",
    "REQUEST_URI_PREFIX",
    "AuthorizationRequest",
    "PageError",
    "RedirectError",
    "acting_for",
    "code_digest",
    "consume_pushed",
    "issue_code",
    "parse",
    "redirect_to",
]

CODE_LIFETIME = timedelta(seconds=60)
CODE_KEY = "authorization-code"
_PKCE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
MAX_PARAM = 2000
REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"


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
    prompt: frozenset[str] = frozenset()
    max_age: int | None = None
    acr_values: tuple[str, ...] = ()
    login_hint: str = ""
    request_uri: str = ""  # set when the request was pushed (RFC 9126): the page carries only this
    dpop_jkt: str = ""

    @property
    def wants_organization(self) -> bool:
        return "organization" in self.scopes and self.client.service is not None

    def as_params(self) -> dict[str, str]:
        """The request again, to carry through the consent form (re-checked when it comes back)."""
        if self.request_uri:  # RFC 9126 §4: only the pushed parameters count; carry the reference
            return {"client_id": self.client.client_id, "request_uri": self.request_uri}
        return {
            "client_id": self.client.client_id, "redirect_uri": self.redirect_uri, "response_type": "code",
            "scope": " ".join(self.scopes), "state": self.state, "nonce": self.nonce,
            "code_challenge": self.code_challenge, "code_challenge_method": "S256", "org_hint": self.org_hint,
            "prompt": " ".join(sorted(self.prompt - {"login"})), "acr_values": " ".join(self.acr_values),
            "login_hint": self.login_hint, **({"max_age": str(self.max_age)} if self.max_age is not None else {}),
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


def _pushed(params: QueryDict) -> tuple[QueryDict, PushedRequest]:
    """The parameters a client pushed (RFC 9126 §4): ``client_id`` must name the client that pushed
    them; the reference must be live and unused. Anything else in the URL is ignored."""
    uri, client_ids = params.getlist("request_uri"), params.getlist("client_id")
    if len(uri) != 1 or len(client_ids) != 1 or not uri[0].startswith(REQUEST_URI_PREFIX):
        raise PageError("request_uri and client_id must each be given once")
    pushed = (
        PushedRequest.objects.filter(
            reference=uri[0].removeprefix(REQUEST_URI_PREFIX)[:64], client__client_id=client_ids[0][:64]
        )
        .select_related("client")
        .first()
    )
    if pushed is None or pushed.used_at is not None or pushed.expires_at <= timezone.now():
        raise PageError("the pushed request is unknown, used or expired")
    stored = QueryDict(mutable=True)
    for name, value in pushed.params.items():
        stored[name] = value
    return stored, pushed


def parse(params: QueryDict, *, pushing: bool = False) -> tuple[Client, str, AuthorizationRequest | RedirectError]:
    """(client, redirect URI, the request — or the error to redirect with). Raises ``PageError``.
    ``pushing``: the PAR endpoint is checking what a client pushes (the same rules apply)."""
    pushed = None
    if params.get("request_uri") and not pushing:
        params, pushed = _pushed(params)
    client, redirect_uri = _trusted(params)
    try:
        parsed = _checked(client, redirect_uri, params, pushed=pushing or pushed is not None)
    except RedirectError as error:
        return client, redirect_uri, error
    if pushed is not None:
        parsed = replace(parsed, request_uri=REQUEST_URI_PREFIX + pushed.reference, dpop_jkt=pushed.dpop_jkt)
    return client, redirect_uri, parsed


def consume_pushed(parsed: AuthorizationRequest) -> bool:
    """Mark a pushed request used (single use, FAPI 2.0 §5.3.2.2); False if another answer won."""
    if not parsed.request_uri:
        return True
    reference = parsed.request_uri.removeprefix(REQUEST_URI_PREFIX)
    return bool(
        PushedRequest.objects.filter(reference=reference, used_at__isnull=True).update(used_at=timezone.now())
    )


def _checked(client: Client, redirect_uri: str, params: QueryDict, *, pushed: bool) -> AuthorizationRequest:
    state = _one(params, "state")
    if _one(params, "response_type") != "code":
        raise RedirectError("unsupported_response_type", "only response_type=code")
    if client.profile == Profile.FAPI2 and not pushed:
        raise RedirectError("invalid_request", "this client must push its authorization request (PAR)")
    if params.get("request") or params.get("request_uri"):
        raise RedirectError("request_not_supported", "request objects are not supported; push the request (PAR)")
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
    nonce = _one(params, "nonce")
    if len(nonce) > 255 or len(state) > 512:
        raise RedirectError("invalid_request", "state or nonce is too long")
    login_hint = _one(params, "login_hint")[:255]
    org_hint = _one(params, "org_hint")[:16] or (
        login_hint.removeprefix("org:") if login_hint.startswith("org:") else ""
    )
    return AuthorizationRequest(
        client=client, redirect_uri=redirect_uri, scopes=scopes, state=state, nonce=nonce,
        code_challenge=challenge, org_hint=org_hint, prompt=frozenset(prompts), max_age=_max_age(params),
        acr_values=tuple(v for v in _one(params, "acr_values").split() if v in ACR_VALUES),
        login_hint="" if login_hint.startswith("org:") else login_hint,
    )  # fmt: skip


def _max_age(params: QueryDict) -> int | None:
    raw = _one(params, "max_age")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise RedirectError("invalid_request", "max_age must be a non-negative integer of seconds")
    return int(raw)


def redirect_to(redirect_uri: str, params: dict[str, str]) -> str:
    """``redirect_uri`` with ``params`` added to its query, and ``iss`` (RFC 9207 §2)."""
    parts = urlsplit(redirect_uri)
    extra = urlencode({**{k: v for k, v in params.items() if v}, "iss": settings.FEDERATION_ISSUER})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def code_digest(code: str) -> str:
    return hmac.new(data_key(CODE_KEY), code.encode(), hashlib.sha256).hexdigest()


def acting_for(request: AuthorizationRequest, user: User, organization_eid: str) -> Organization | None:
    """The organization ``organization_eid`` names, which must be one ``acting_choices`` offers for this
    client's service (else ``RedirectError``); None for "as themselves"."""
    if not organization_eid:
        return None
    if not request.wants_organization or request.client.service is None:
        raise RedirectError("invalid_request", "this client does not take organizations")
    offered = {o.eid: o for o, _m in acting_choices(user, request.client.service.code)}
    organization = offered.get(organization_eid)
    if organization is None:
        raise RedirectError("access_denied", "the person may not act for that organization here")
    return organization


def issue_code(
    request: AuthorizationRequest, user: User, *, organization: Organization | None, consent: Consent, acr: str
) -> str:
    """A code for ``user`` acting for ``organization`` (already checked by ``acting_for``), under
    ``consent``, with the authentication context ``acr`` the session satisfied."""
    code = secrets.token_urlsafe(32)
    now = timezone.now()
    AuthorizationCode.objects.create(
        digest=code_digest(code), client=request.client, user=user, organization=organization,
        redirect_uri=request.redirect_uri, scope=" ".join(request.scopes), nonce=request.nonce,
        code_challenge=request.code_challenge, acr=acr, auth_time=user.last_login or now,
        expires_at=now + CODE_LIFETIME, dpop_jkt=request.dpop_jkt, consent=consent,
    )  # fmt: skip
    return code
