"""The authorization page (outer zone): a person signed in here tells a relying party who they are —
as themselves, or as an organization they act for — after seeing who asks and for what.

The protocol rules are ``protocol.authorize`` and ``protocol.acr``; consent is ``federation.consent``.
This page orchestrates them with the session:

1. the request is parsed (pushed or not); an untrustworthy client or redirect URI is shown here;
2. a person not signed in is sent to sign in (``prompt=none``: ``login_required``);
3. ``prompt=login``, a ``max_age`` exceeded, or a ``login_hint`` naming someone else sign the person
   out and in again; an ``acr_values`` needing a second factor sends them to step up; a level their
   account lacks is ``unmet_authentication_requirements``;
4. ``prompt=none`` issues a code only under a consent already given (else ``consent_required``), for
   the organization hinted or the person's default;
5. otherwise GET shows the request, POST (CSRF-checked, the request re-parsed) records the consent and
   issues the code or the refusal, redirecting to the client's registered URI only.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from dinhdanh.federation.consent import (
    acting_default,
    acting_default_set,
    acting_signed_in,
    consent_covering,
    consent_record,
)
from dinhdanh.federation.protocol import acr
from dinhdanh.federation.protocol.authorize import (
    AuthorizationRequest,
    PageError,
    RedirectError,
    acting_for,
    consume_pushed,
    issue_code,
    parse,
    redirect_to,
)
from dinhdanh.http.pages import error_page
from dinhdanh.organizations.selectors import acting_choices
from dinhdanh.people import assurance, authflow, signin
from dinhdanh.people.models import User
from dinhdanh.people.subjects import subject_for

SELF = "self"
REAUTH_AT = "federation_reauth_at"  # when this session was asked to sign in again for a relying party
REAUTH_WINDOW = 600  # seconds: a sign-in asked for longer ago than this counts for no later request


def allow_form_redirect(response: HttpResponse, uri: str) -> HttpResponse:
    """CSP ``form-action`` also governs where a form's answer redirects (CSP 3; Chromium enforces it):
    a page whose POST is answered with a redirect to a relying party must name that origin, or the
    browser stays on the page."""
    if uri:
        parts = urlsplit(uri)
        config = dict(settings.SECURE_CSP)
        allowed = config.get("form-action")
        sources = list(allowed) if isinstance(allowed, list | tuple) else [CSP.SELF]
        config["form-action"] = [*sources, f"{parts.scheme}://{parts.netloc}"]
        response._csp_config = config  # type: ignore[attr-defined]  # read by Django's CSP middleware
    return response


def _refused(redirect_uri: str, state: str, error: RedirectError) -> HttpResponse:
    params = {"error": error.error, "error_description": error.description, "state": state}
    return HttpResponseRedirect(redirect_to(redirect_uri, params))


def _session(request: HttpRequest, user: User) -> acr.SessionContext:
    return acr.SessionContext(
        level=int(user.level), second_factor=assurance.of_request(request).second_factor_at is not None,
        has_second_factor=bool(signin.second_factors(user)), auth_time=user.last_login,
    )  # fmt: skip


def _reauthenticated(request: HttpRequest, user: User) -> bool:
    asked = request.session.get(REAUTH_AT)
    if not isinstance(asked, float) or user.last_login is None or time.time() - asked > REAUTH_WINDOW:
        return False  # no sign-in was asked for here, or too long ago to be this request's
    return user.last_login.timestamp() >= asked


def _here(params: QueryDict) -> str:
    """This request as a GET address: where sign-in and step-up come back to (a request POSTed by
    the client's page, OIDC Core §3.1.2.1, is carried on as its parameters)."""
    return reverse("federation:authorize") + "?" + params.urlencode()


def _sign_in_again(request: HttpRequest, next_url: str) -> HttpResponse:
    authflow.end(request)
    request.session[REAUTH_AT] = time.time()
    return redirect_to_login(next_url)


def _hint_is_other(parsed: AuthorizationRequest, user: User) -> bool:
    """``login_hint`` names a subject (as this client knows it) that is not the signed-in person."""
    return bool(parsed.login_hint) and parsed.login_hint != subject_for(user, sector=parsed.client.sector or None)


def _gate(
    request: HttpRequest, parsed: AuthorizationRequest, user: User, here: str
) -> HttpResponse | RedirectError | str:
    """The acr to issue with, or what must happen first: a response (sign in again, step up) or a refusal."""
    silent = "none" in parsed.prompt
    session = _session(request, user)
    again = _reauthenticated(request, user)
    outcome = acr.needs(
        session, asked=parsed.acr_values, prompt=parsed.prompt, max_age=parsed.max_age, now=timezone.now(),
        reauthenticated=again,
    )  # fmt: skip
    if outcome == "ok" and _hint_is_other(parsed, user) and not again:
        outcome = "login"
    if outcome == "login":
        return (
            RedirectError("login_required", "the person must sign in again")
            if silent
            else _sign_in_again(request, here)
        )
    if outcome == "step_up":
        if silent:
            return RedirectError("interaction_required", "the person must prove a second factor")
        return HttpResponseRedirect(reverse("people:step_up") + "?" + urlencode({"next": here}))
    if outcome == "unmet":
        return RedirectError("unmet_authentication_requirements", "the account cannot reach the acr asked for")
    return acr.acr_for(session, parsed.acr_values)


def _preselected(parsed: AuthorizationRequest, user: User, offered: set[str]) -> str:
    for candidate in (parsed.org_hint, acting_default(user)):
        if candidate in offered:
            return candidate
    return SELF


def _issue(
    request: HttpRequest, parsed: AuthorizationRequest, user: User, eid: str, level: str, *, deciding: bool
) -> HttpResponse:
    try:
        organization = acting_for(parsed, user, eid)
    except RedirectError as error:
        return _refused(parsed.redirect_uri, parsed.state, error)
    silent = "none" in parsed.prompt
    scopes = set(parsed.scopes)
    consent = consent_covering(user, parsed.client, organization, scopes)
    if consent is None and silent:
        return _refused(parsed.redirect_uri, parsed.state, RedirectError("consent_required", "no consent yet"))
    if not consume_pushed(parsed):
        return error_page(request, 400, _("Yêu cầu đăng nhập này đã được xử lý."))
    if consent is None or not silent:
        consent = consent_record(user, parsed.client, organization, scopes)
    if deciding and request.POST.get("make_default") and parsed.wants_organization:
        acting_default_set(user, organization)
    request.session.pop(REAUTH_AT, None)
    code = issue_code(parsed, user, organization=organization, consent=consent, acr=level)
    acting_signed_in(user=user, client=parsed.client, organization=organization, acr=level)
    return HttpResponseRedirect(redirect_to(parsed.redirect_uri, {"code": code, "state": parsed.state}))


@csrf_exempt  # a client's page may POST the request (OIDC Core §3.1.2.1); the person's answer is CSRF-checked
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "decision" in request.POST:
        return _decide(request)
    return _handle(request, request.POST if request.method == "POST" else request.GET, deciding=False)


@csrf_protect
def _decide(request: HttpRequest) -> HttpResponse:
    """The person's answer on our consent page: the only state-changing POST, so the only CSRF-checked one."""
    return _handle(request, request.POST, deciding=True)


def _handle(request: HttpRequest, params: QueryDict, *, deciding: bool) -> HttpResponse:
    try:
        _client, redirect_uri, parsed = parse(params)
    except PageError as exc:
        return error_page(
            request, 400, _("Yêu cầu đăng nhập từ ứng dụng không hợp lệ: %(reason)s.") % {"reason": exc}
        )
    if isinstance(parsed, RedirectError):
        return _refused(redirect_uri, params.get("state", "")[:512], parsed)
    here = _here(params)
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        if "none" in parsed.prompt:
            return _refused(redirect_uri, parsed.state, RedirectError("login_required", "nobody is signed in"))
        # The sign-in about to happen is the fresh one prompt=login, max_age or login_hint would ask for.
        request.session[REAUTH_AT] = time.time()
        return redirect_to_login(here)
    gate = _gate(request, parsed, user, here)
    if isinstance(gate, RedirectError):
        return _refused(redirect_uri, parsed.state, gate)
    if isinstance(gate, HttpResponse):
        return gate
    service = parsed.client.service
    offered = (
        {o.eid for o, _m in acting_choices(user, service.code)} if parsed.wants_organization and service else set()
    )
    if "none" in parsed.prompt:
        choice = _preselected(parsed, user, offered)
        return _issue(request, parsed, user, "" if choice == SELF else choice, gate, deciding=False)
    if not deciding:
        return _page(request, parsed, user, offered)
    if request.POST.get("decision") != "allow":
        consume_pushed(parsed)
        return _refused(redirect_uri, parsed.state, RedirectError("access_denied", "the person declined"))
    choice = request.POST.get("act_as", SELF)
    return _issue(request, parsed, user, "" if choice == SELF else choice[:16], gate, deciding=True)


def _page(request: HttpRequest, parsed: AuthorizationRequest, user: User, offered: set[str]) -> HttpResponse:
    service = parsed.client.service
    choices = acting_choices(user, service.code) if offered and service else []
    page = render(
        request,
        "federation/authorize.html",
        {
            "client": parsed.client,
            "scopes": parsed.scopes,
            "choices": [org for org, _membership in choices],
            "preselected": _preselected(parsed, user, offered),
            "hidden": parsed.as_params(),
            "person": user,
            "consents_url": reverse("federation:consents"),
        },
    )
    return allow_form_redirect(page, parsed.redirect_uri)
