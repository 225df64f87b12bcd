"""The authorization page (outer zone): a person signed in here tells a relying party who they are —
as themselves, or as an organization they act for — after seeing who asks and for what.

The protocol rules are ``protocol.authorize``'s; this page only asks. GET shows the request; POST
(with CSRF, the request carried in hidden fields and checked again) issues the code or the refusal,
and redirects to the client's registered URI only.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dinhdanh.federation.protocol.authorize import (
    AuthorizationRequest,
    PageError,
    RedirectError,
    issue_code,
    parse,
    redirect_to,
)
from dinhdanh.http.pages import error_page
from dinhdanh.organizations.selectors import acting_choices
from dinhdanh.people.models import User

SELF = "self"


def _refused(redirect_uri: str, state: str, error: RedirectError) -> HttpResponse:
    params = {"error": error.error, "error_description": error.description, "state": state}
    return HttpResponseRedirect(redirect_to(redirect_uri, params))


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    try:
        _client, redirect_uri, parsed = parse(params)
    except PageError as exc:
        return error_page(
            request, 400, _("Yêu cầu đăng nhập từ ứng dụng không hợp lệ: %(reason)s.") % {"reason": exc}
        )
    state = params.get("state", "")[:512]
    if isinstance(parsed, RedirectError):
        return _refused(redirect_uri, state, parsed)
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "GET":
        return _page(request, parsed, user)
    if request.POST.get("decision") != "allow":
        return _refused(redirect_uri, state, RedirectError("access_denied", "the person declined"))
    choice = request.POST.get("act_as", SELF)
    try:
        code = issue_code(parsed, user, "" if choice == SELF else choice[:16])
    except RedirectError as error:
        return _refused(redirect_uri, state, error)
    return HttpResponseRedirect(redirect_to(redirect_uri, {"code": code, "state": parsed.state}))


def _page(request: HttpRequest, parsed: AuthorizationRequest, user: User) -> HttpResponse:
    service = parsed.client.service
    choices = acting_choices(user, service.code) if parsed.wants_organization and service else []
    return render(
        request,
        "federation/authorize.html",
        {
            "client": parsed.client,
            "scopes": parsed.scopes,
            "choices": [org for org, _membership in choices],
            "preselected": parsed.org_hint if any(o.eid == parsed.org_hint for o, _m in choices) else SELF,
            "hidden": parsed.as_params(),
            "person": user,
        },
    )
