"""Issued organizations as a police officer sees them: search in the jurisdiction, one organization's
record, and a lock or unlock on a competent authority's written request (LEGAL §4, Decree 69 Art. 15.3)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dinhdanh.applications import selectors as applications
from dinhdanh.applications.forms_officer import (
    OrganizationLockForm,
    OrganizationSearchForm,
    OrganizationUnlockForm,
)
from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.applications.views.officer_common import page_of, refusal, refusals_as_pages, valid_filters
from dinhdanh.core.access import has_permission, require
from dinhdanh.core.errors import DomainError
from dinhdanh.organizations import selectors, services
from dinhdanh.organizations.models import LockGround, LockProposal, Organization, OrganizationStatus
from dinhdanh.people.views.common import current_user, first_error, step_up_required


@login_required
@never_cache
@require_GET
@refusals_as_pages
def officer_organizations(request: HttpRequest) -> HttpResponse:
    officer = current_user(request)
    if not has_permission(officer, ApplicationPermission.REVIEW_APPLICATION):
        require(officer, ApplicationPermission.REVIEW_APPLICATION, any_unit=True)  # refuses, with the audit event
    form = OrganizationSearchForm(request.GET or None)
    filters = valid_filters(form)
    qs = selectors.organizations_for_officer(officer, filters.get("q", "")).select_related("head_office")
    page = page_of(qs, filters.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/officer/organizations.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@never_cache
@require_GET
@refusals_as_pages
def officer_organization(request: HttpRequest, eid: str) -> HttpResponse:
    organization = selectors.organization_for_officer(current_user(request), eid)
    lock = organization.locks.filter(unlocked_at__isnull=True).first()
    return render(
        request,
        "applications/officer/organization.html",
        {
            "org": organization,
            "lock": lock,
            "locks": list(organization.locks.select_related("locked_by", "unlocked_by")[:20]),
            "changes": list(organization.changes.select_related("actor")[:20]),
            "applications": list(applications.applications_of_organization(organization)[:20]),
            # What the API gives an officer in jurisdiction (organizations.policy): the same on the page.
            "members": list(selectors.members_of(organization)[:100]),
            "access": selectors.access_history(organization, limit=50),
            "lock_form": OrganizationLockForm(),
            "unlock_form": OrganizationUnlockForm(),
            "statuses": OrganizationStatus,
        },
    )


def _act(request: HttpRequest, eid: str, locking: bool) -> HttpResponse:
    officer = current_user(request)
    try:
        organization: Organization = selectors.organization_for_officer(officer, eid)
    except DomainError as exc:
        return refusal(request, exc)
    form = OrganizationLockForm(request.POST) if locking else OrganizationUnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("applications:officer_organization", eid=organization.eid)
    try:
        if locking:
            done = services.organization_lock(
                actor=officer, organization=organization, ground=LockGround.AUTHORITY_REQUEST, **form.cleaned_data
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
            services.organization_unlock(
                actor=officer, organization=organization, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Đã mở khóa tài khoản của tổ chức."))
    except DomainError as exc:
        if exc.status == 403:
            return refusal(request, exc)
        messages.error(request, exc.message())
    return redirect("applications:officer_organization", eid=organization.eid)


@login_required
@require_POST
@step_up_required
def organization_lock(request: HttpRequest, eid: str) -> HttpResponse:
    return _act(request, eid, locking=True)


@login_required
@require_POST
@step_up_required
def organization_unlock(request: HttpRequest, eid: str) -> HttpResponse:
    return _act(request, eid, locking=False)
