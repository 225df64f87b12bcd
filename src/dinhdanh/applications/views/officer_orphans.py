"""Organizations nobody controls (issue 10.3), as an officer sees and resolves them: the named
representative's level-2 account is attached once it exists; until then the list says so."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.applications.views.officer_common import refusal, refusals_as_pages
from dinhdanh.core.access import require
from dinhdanh.core.errors import DomainError
from dinhdanh.organizations import selectors, services
from dinhdanh.people.views.common import current_user, step_up_required


@login_required
@never_cache
@require_GET
@refusals_as_pages
def orphaned(request: HttpRequest) -> HttpResponse:
    officer = current_user(request)
    require(officer, ApplicationPermission.REVIEW_APPLICATION, any_unit=True)
    rows = [{"org": o, "ready": ready} for o, ready in selectors.orphaned_for_officer(officer)]
    return render(request, "applications/officer/orphaned.html", {"rows": rows})


@login_required
@require_POST
@step_up_required
def attach(request: HttpRequest, eid: str) -> HttpResponse:
    officer = current_user(request)
    try:
        organization = selectors.organization_by_eid(eid)
        services.organization_attach_representative(actor=officer, organization=organization)
    except DomainError as exc:
        if exc.status == 403:
            return refusal(request, exc)
        messages.error(request, exc.message())
        return redirect("applications:officer_orphaned")
    messages.success(
        request,
        _("Đã gắn tài khoản của người đại diện %(name)s với tổ chức.")
        % {"name": organization.representative_name},
    )
    return redirect("applications:officer_orphaned")
