"""'Định danh tổ chức': the person's organizations, requests and consents, and 'Đổi tài khoản'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dinhdanh.core.errors import DomainError
from dinhdanh.organizations import panels, selectors, services
from dinhdanh.organizations.views.common import render_org
from dinhdanh.people.models import AccountLevel
from dinhdanh.people.views.common import current_user, step_up_required


@login_required
@require_safe
def hub(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    rows = []
    for organization in selectors.organizations_of(user):
        membership = selectors.membership_in_force(user, organization)
        rows.append({"organization": organization, "membership": membership})
    return render_org(
        request,
        "organizations/hub.html",
        {
            "rows": rows,
            **panels.hub_context(user),  # requests and consents, from applications
            "level2": user.level >= AccountLevel.LEVEL_2 and not user.is_locked,
            "claimable": list(selectors.claimable_by(user)),
        },
    )


@login_required
@require_POST
@step_up_required
def claim(request: HttpRequest, eid: str) -> HttpResponse:
    """The representative the organization's record names takes control of it (issue 10.3)."""
    user = current_user(request)
    try:
        organization = selectors.organization_by_eid(eid)
        services.organization_claim_control(actor=user, organization=organization)
    except DomainError as exc:
        messages.error(request, exc.message())
        return redirect("organizations:hub")
    messages.success(
        request, _("Bạn đã nhận quyền quản lý tài khoản của tổ chức %(name)s.") % {"name": organization.name}
    )
    return redirect("organizations:profile", eid=organization.eid)


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """'Đổi tài khoản': act as one of my organizations, or (empty eid) as myself again."""
    user = current_user(request)
    eid = str(request.POST.get("eid", ""))[:32].strip()
    try:
        if not eid:
            services.organization_switch(actor=user, request=request, organization=None)
            messages.success(request, _("Đã trở về tài khoản cá nhân."))
            return redirect("organizations:hub")
        organization = selectors.organization_for_member(user, eid)
        services.organization_switch(actor=user, request=request, organization=organization)
    except DomainError as exc:
        messages.error(request, exc.message())
        return redirect("organizations:hub")
    messages.success(request, _("Đang thao tác với tư cách tổ chức %(name)s.") % {"name": organization.name})
    return redirect("organizations:profile", eid=organization.eid)
