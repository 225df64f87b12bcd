"""Pages of audit both ways and organization-aware consent (issue 13.4, 13.6), outer zone.

The organization's pages ask the services first (``federation.consent`` and ``trust.activity``): who
may list, revoke and read is decided there, the same for any other face. An unknown or malformed
number is 404, a person who is not the organization's representative or administrator in force 403
whatever consent they name, a consent not given in the organization's name 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from dinhdanh.core.errors import DomainError
from dinhdanh.federation.consent import consent_revoke_for_organization, organization_consents
from dinhdanh.http.pages import refusal
from dinhdanh.organizations import policy
from dinhdanh.organizations.models import Organization
from dinhdanh.organizations.selectors import membership_in_force, organization_by_eid
from dinhdanh.organizations.views.acting import acting_context
from dinhdanh.people.views.common import current_user
from dinhdanh.trust import activity


def _number(request: HttpRequest) -> int:
    """The page asked for; anything that is not a small positive number is the first page."""
    raw = request.GET.get("page", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else 1


def _render(
    request: HttpRequest, template: str, organization: Organization, context: dict[str, Any]
) -> HttpResponse:
    # The organization's tabs and the "acting as" banner, as on its other pages.
    membership = membership_in_force(current_user(request), organization)
    return render(
        request,
        template,
        {
            **acting_context(request),
            "organization": organization,
            "membership": membership,
            "manager": policy.may_manage(membership),
            **context,
        },
    )


@login_required
@never_cache
@require_safe
def connected_apps(request: HttpRequest, eid: str) -> HttpResponse:
    try:
        organization = organization_by_eid(eid)
        consents = organization_consents(current_user(request), organization)
    except DomainError as exc:
        return refusal(request, exc)
    return _render(request, "trust/organization/connected_apps.html", organization, {"consents": consents})


@login_required
@require_POST
def connected_app_revoke(request: HttpRequest, eid: str, pk: str) -> HttpResponse:
    try:
        organization = organization_by_eid(eid)
        done = consent_revoke_for_organization(
            actor=current_user(request), organization=organization, consent_id=int(pk)
        )
    except DomainError as exc:
        return refusal(request, exc)
    name = {"name": done.consent.client.name}
    if done.already:
        messages.info(request, _("Sự đồng ý với %(name)s đã được rút lại trước đó; không có gì thay đổi.") % name)
    else:
        messages.success(
            request,
            _("Đã rút lại sự đồng ý với %(name)s; mọi mã truy cập ứng dụng đang giữ đã bị thu hồi.") % name,
        )
    return redirect("organization_trust:connected_apps", eid=organization.eid)


@login_required
@never_cache
@require_safe
def organization_activity(request: HttpRequest, eid: str) -> HttpResponse:
    try:
        organization = organization_by_eid(eid)
        page = activity.organization_activity(current_user(request), organization, number=_number(request))
    except DomainError as exc:
        return refusal(request, exc)
    return _render(request, "trust/organization/activity.html", organization, {"page": page})


@login_required
@never_cache
@require_safe
def my_activity(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    context = {
        "places": activity.person_places(user),
        "page": activity.person_activity(user, number=_number(request)),
    }
    return render(request, "trust/organization/my_activity.html", context)
