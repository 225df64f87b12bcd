"""Issued organizations as a police officer sees them (inner zone): search in the jurisdiction, one
organization's record, a lock or unlock on a competent authority's written request (LEGAL §4, Decree 69
Art. 15.3), and the organizations nobody controls (issue 10.3), whose named representative's level-2
account is attached once it exists. The requests of an organization come from the apps that handle
them (``organizations.panels``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from dinhdanh.core.errors import DomainError
from dinhdanh.http.keyset import keyset_page
from dinhdanh.http.pages import refusal, refusals_as_pages, valid_filters
from dinhdanh.organizations import panels, selectors, services
from dinhdanh.organizations.forms import OrganizationLockForm, OrganizationSearchForm, OrganizationUnlockForm
from dinhdanh.organizations.models import LockGround, LockProposal, OrganizationStatus
from dinhdanh.people.views.common import current_user, first_error, step_up_required


@login_required
@never_cache
@require_safe
@refusals_as_pages
def organizations(request: HttpRequest) -> HttpResponse:
    officer = current_user(request)
    selectors.require_overseer(officer)
    form = OrganizationSearchForm(request.GET or None)
    filters = valid_filters(form)
    qs = selectors.organizations_for_officer(officer, filters.get("q", "")).select_related("head_office")
    page = keyset_page(qs, filters.get("page"), after=filters.get("after", ""), before=filters.get("before", ""))
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    return render(
        request,
        "organizations/officer/organizations.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@never_cache
@require_safe
@refusals_as_pages
def organization(request: HttpRequest, eid: str) -> HttpResponse:
    found = selectors.organization_for_officer(current_user(request), eid)
    return render(
        request,
        "organizations/officer/organization.html",
        {
            **panels.organization_context(found),
            "org": found,
            "lock": selectors.open_lock(found),
            "locks": selectors.locks_of(found),
            "changes": selectors.changes_of(found),
            # What the API gives an officer in jurisdiction (organizations.policy): the same on the page.
            "members": list(selectors.members_of(found)[:100]),
            "access": selectors.access_history(found, limit=50),
            "lock_form": OrganizationLockForm(),
            "unlock_form": OrganizationUnlockForm(),
            "statuses": OrganizationStatus,
        },
    )


def _act(request: HttpRequest, eid: str, *, locking: bool) -> HttpResponse:
    officer = current_user(request)
    try:
        found = selectors.organization_for_officer(officer, eid)
    except DomainError as exc:
        return refusal(request, exc)
    form = OrganizationLockForm(request.POST) if locking else OrganizationUnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("organizations_officer:organization", eid=found.eid)
    try:
        if locking:
            done = services.organization_lock(
                actor=officer, organization=found, ground=LockGround.AUTHORITY_REQUEST, **form.cleaned_data
            )
            if isinstance(done, LockProposal):
                messages.success(
                    request,
                    _(
                        "Đã ghi nhận đề nghị khóa của bạn; một cán bộ khác phải xác nhận khóa theo cùng văn bản "
                        "(nguyên tắc bốn mắt)."
                    ),
                )
            else:
                messages.success(request, _("Đã khóa tài khoản của tổ chức."))
        else:
            services.organization_unlock(actor=officer, organization=found, reason=form.cleaned_data["reason"])
            messages.success(request, _("Đã mở khóa tài khoản của tổ chức."))
    except DomainError as exc:
        if exc.status == 403:
            return refusal(request, exc)
        messages.error(request, exc.message())
    return redirect("organizations_officer:organization", eid=found.eid)


@login_required
@require_POST
@step_up_required
def lock(request: HttpRequest, eid: str) -> HttpResponse:
    return _act(request, eid, locking=True)


@login_required
@require_POST
@step_up_required
def unlock(request: HttpRequest, eid: str) -> HttpResponse:
    return _act(request, eid, locking=False)


@login_required
@never_cache
@require_safe
@refusals_as_pages
def orphaned(request: HttpRequest) -> HttpResponse:
    officer = current_user(request)
    selectors.require_overseer(officer)
    rows = [{"org": o, "ready": ready} for o, ready in selectors.orphaned_for_officer(officer)]
    return render(request, "organizations/officer/orphaned.html", {"rows": rows})


@login_required
@require_POST
@step_up_required
def attach(request: HttpRequest, eid: str) -> HttpResponse:
    officer = current_user(request)
    try:
        found = selectors.organization_by_eid(eid)
        services.organization_attach_representative(actor=officer, organization=found)
    except DomainError as exc:
        if exc.status == 403:
            return refusal(request, exc)
        messages.error(request, exc.message())
        return redirect("organizations_officer:orphaned")
    messages.success(
        request,
        _("Đã gắn tài khoản của người đại diện %(name)s với tổ chức.") % {"name": found.representative_name},
    )
    return redirect("organizations_officer:orphaned")
