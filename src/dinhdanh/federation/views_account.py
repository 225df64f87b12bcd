"""The person's side of federation (outer zone): the relying parties they consented to, with a way to
revoke each (``federation.consent``), and the end of a session a relying party asks for
(RP-initiated logout, ``protocol.logout``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dinhdanh.core.errors import DomainError
from dinhdanh.federation.consent import acting_default_set, consent_revoke, consents_of
from dinhdanh.federation.models import ActingDefault
from dinhdanh.federation.protocol.authorize import PageError, redirect_to
from dinhdanh.federation.protocol.logout import parse_logout
from dinhdanh.federation.views_authorize import allow_form_redirect
from dinhdanh.http.pages import error_page
from dinhdanh.people import authflow
from dinhdanh.people.models import User


def _person(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # login_required ran first; a staff-less anonymous never gets here
        raise PermissionDenied
    return request.user


@login_required
@never_cache
def consents(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    default = ActingDefault.objects.filter(user=user).select_related("organization").first()
    return render(
        request,
        "federation/consents.html",
        {"consents": consents_of(user), "default": default.organization if default else None},
    )


@login_required
@require_POST
def consent_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        consent = consent_revoke(actor=_person(request), consent_id=pk)
    except DomainError as exc:
        return error_page(request, exc.status, str(exc))
    messages.success(request, _("Đã rút lại sự đồng ý với %(name)s.") % {"name": consent.client.name})
    return redirect("federation:consents")


@login_required
@require_POST
def default_clear(request: HttpRequest) -> HttpResponse:
    acting_default_set(_person(request), None)
    messages.success(request, _("Từ nay bạn đăng nhập vào ứng dụng với tư cách cá nhân, trừ khi chọn khác."))
    return redirect("federation:consents")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    try:
        asked = parse_logout(params)
    except PageError as exc:
        return error_page(request, 400, _("Yêu cầu đăng xuất không hợp lệ: %(reason)s.") % {"reason": exc})
    signed_in = isinstance(request.user, User) and request.user.is_authenticated
    if signed_in and request.method == "GET":
        page = render(request, "federation/logout.html", {"client": asked.client, "hidden": asked.as_params()})
        return allow_form_redirect(page, asked.redirect_uri)
    if signed_in and request.POST.get("decision") == "logout":
        authflow.end(request)
    if asked.redirect_uri:
        return HttpResponseRedirect(redirect_to(asked.redirect_uri, {"state": asked.state}))
    return redirect(reverse("people:signin"))
