"""Pages of Power-of-Representation attestations: a member issues and revokes their own, anyone checks
one, and relying parties fetch the status lists (``application/statuslist+jwt``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dinhdanh.core.errors import DomainError
from dinhdanh.http.pages import error_page
from dinhdanh.organizations.models import Organization
from dinhdanh.organizations.selectors import membership_in_force, organization_for_member
from dinhdanh.people.views.common import current_user, step_up_required
from dinhdanh.trust import attestations
from dinhdanh.trust.attestations import MAX_TOKEN, attestation_check, attestations_of
from dinhdanh.trust.models import Attestation, StatusList
from dinhdanh.trust.status_lists import TTL, status_list_token

JWT = "application/jwt"
STATUS_LIST = "application/statuslist+jwt"


def _organization(request: HttpRequest, eid: str) -> Organization | HttpResponse:
    try:
        return organization_for_member(current_user(request), eid)
    except DomainError as exc:
        return error_page(request, exc.status if exc.status in (403, 404) else 403, exc.message())


def _page(request: HttpRequest, organization: Organization, *, token: str = "", status: int = 200) -> HttpResponse:
    user = current_user(request)
    context = {
        "organization": organization,
        "membership": membership_in_force(user, organization),
        "attestations": attestations_of(user, organization),
        "token": token,
    }
    return render(request, "trust/attestations/member.html", context, status=status)


@login_required
@never_cache
@require_safe
def member(request: HttpRequest, eid: str) -> HttpResponse:
    found = _organization(request, eid)
    return found if isinstance(found, HttpResponse) else _page(request, found)


@login_required
@never_cache
@require_POST
@step_up_required
def issue(request: HttpRequest, eid: str) -> HttpResponse:
    found = _organization(request, eid)
    if isinstance(found, HttpResponse):
        return found
    user = current_user(request)
    try:
        issued = attestations.attestation_issue(actor=user, organization=found, user=user)
    except DomainError as exc:
        messages.error(request, exc.message())
        return _page(request, found, status=exc.status if exc.status in (403, 404, 409) else 400)
    if request.POST.get("as") == "file":
        response = HttpResponse(issued.token, content_type=JWT)
        response["Content-Disposition"] = f'attachment; filename="por-{found.eid}-{issued.attestation.pk}.jwt"'
        return response
    messages.success(request, _("Đã cấp chứng thư quyền đại diện."))
    return _page(request, found, token=issued.token)


@login_required
@require_POST
@step_up_required
def revoke(request: HttpRequest, eid: str, pk: str) -> HttpResponse:
    found = _organization(request, eid)
    if isinstance(found, HttpResponse):
        return found
    row = Attestation.objects.filter(pk=pk, organization=found, user=current_user(request)).first()
    if row is None:
        raise Http404
    try:
        attestations.attestation_revoke(actor=current_user(request), attestation=row)
    except DomainError as exc:
        messages.error(request, exc.message())
    else:
        messages.success(request, _("Đã thu hồi chứng thư quyền đại diện."))
    return redirect("attestations:member", eid=found.eid)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    """Anyone pastes a token and learns whether we signed it, what it says and its status now."""
    context: dict[str, object] = {"max_token": MAX_TOKEN}
    status = 200
    if request.method == "POST":
        token = request.POST.get("token", "")
        result = attestation_check(token)
        context.update(result=result, token=token if len(token) <= MAX_TOKEN else "")
        status = 200 if result.genuine else 400
    return render(request, "trust/attestations/check.html", context, status=status)


@require_safe
def status_list(request: HttpRequest, pk: int) -> HttpResponse:
    found = StatusList.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    response = HttpResponse(status_list_token(found), content_type=STATUS_LIST)
    response["Cache-Control"] = f"public, max-age={TTL}"
    response["Access-Control-Allow-Origin"] = "*"  # a public document, read by wallets in browsers too
    return response
