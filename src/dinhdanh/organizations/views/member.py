"""The organization as its members see it: profile (Art. 6 fields), members, requests, access history.

Any member in force reads; only the legal representative grants and revokes (the service decides),
and both need a fresh second factor.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from dinhdanh.core.errors import DomainError
from dinhdanh.organizations import panels, selectors, services
from dinhdanh.organizations.forms import GrantForm, RevokeForm
from dinhdanh.organizations.views.common import RefusalError, is_representative, member_organization, render_org
from dinhdanh.people import authflow
from dinhdanh.people.forms import attach
from dinhdanh.people.views.common import current_user, first_error, step_up_required

HISTORY_LIMIT = 100


@login_required
@require_safe
def profile(request: HttpRequest, eid: str) -> HttpResponse:
    try:
        organization, membership = member_organization(request, eid)
    except RefusalError as refused:
        return refused.response
    return render_org(
        request,
        "organizations/profile.html",
        {
            "organization": organization,
            "membership": membership,
            "is_representative": is_representative(membership),
            "changes": organization.changes.all()[:20],
            "locks": organization.locks.all()[:5],
        },
    )


def _grant_form(form: GrantForm | None = None) -> GrantForm:
    form = form or GrantForm()
    field = form.fields["services"]
    assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101  (GrantForm's ServicesField)
    field.choices = [(s.code, f"{s.name} ({s.code})") for s in selectors.active_services()]
    return form


def _members_page(
    request: HttpRequest, eid: str, grant_form: GrantForm | None = None, *, status: int = 200
) -> HttpResponse:
    try:
        organization, membership = member_organization(request, eid, "members")
    except RefusalError as refused:
        return refused.response
    return render_org(
        request,
        "organizations/members.html",
        {
            "organization": organization,
            "membership": membership,
            "is_representative": is_representative(membership),
            "members": selectors.members_of(organization).select_related("user", "granted_by"),
            "grant_form": _grant_form(grant_form),
            "revoke_form": RevokeForm(),
            "stepped_up": authflow.is_stepped_up(request),
        },
        status=status,
    )


@login_required
@require_safe
def members(request: HttpRequest, eid: str) -> HttpResponse:
    return _members_page(request, eid)


@sensitive_post_parameters("personal_id")
@never_cache  # the answer names a person
@login_required
@require_POST
@step_up_required
def member_grant(request: HttpRequest, eid: str) -> HttpResponse:
    """Step one: the person is looked up and shown (name, masked number) with what they would be
    granted; nothing is written until "Xác nhận" (``member_grant_confirm``)."""
    try:
        organization, membership = member_organization(request, eid)
    except RefusalError as refused:
        return refused.response
    form = GrantForm(request.POST)
    if form.is_valid():
        try:
            plan, token = services.member_grant_preview(
                actor=current_user(request),
                organization=organization,
                personal_id=form.cleaned_data["personal_id"],
                role=form.cleaned_data["role"],
                services=form.cleaned_data["services"],
                full_powers=form.cleaned_data["full_powers"],
                valid_until=form.cleaned_data["valid_until"],
            )
        except DomainError as exc:
            if exc.field is None and exc.status in (403, 429):
                messages.error(request, exc.message())
                return redirect("organizations:members", eid=organization.eid)
            attach(form, exc)
        else:
            return render_org(
                request,
                "organizations/grant_confirm.html",
                {
                    "organization": organization,
                    "membership": membership,
                    "is_representative": True,
                    "plan": plan,
                    "token": token,
                },
            )
    return _members_page(request, eid, form, status=400)


@login_required
@require_POST
@step_up_required
def member_grant_confirm(request: HttpRequest, eid: str) -> HttpResponse:
    """Step two: write the grant the token names (the person shown in step one), or refuse it whole."""
    try:
        organization, _membership = member_organization(request, eid)
    except RefusalError as refused:
        return refused.response
    try:
        granted = services.member_grant_confirm(
            actor=current_user(request), organization=organization, token=request.POST.get("token", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message())
    else:
        messages.success(request, _("Đã phân quyền cho %(name)s.") % {"name": granted.user.full_name})
    return redirect("organizations:members", eid=organization.eid)


@login_required
@require_POST
@step_up_required
def member_revoke(request: HttpRequest, eid: str, pk: str) -> HttpResponse:
    try:
        organization, _membership = member_organization(request, eid)
    except RefusalError as refused:
        return refused.response
    target = selectors.membership_of(organization, int(pk))
    if target is None:
        raise Http404
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("organizations:members", eid=organization.eid)
    try:
        services.member_revoke(actor=current_user(request), membership=target, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message())
    else:
        messages.success(request, _("Đã thu hồi quyền của %(name)s.") % {"name": target.user.full_name})
    return redirect("organizations:members", eid=organization.eid)


@login_required
@require_safe
def org_requests(request: HttpRequest, eid: str) -> HttpResponse:
    try:
        organization, membership = member_organization(request, eid)
    except RefusalError as refused:
        return refused.response
    return render_org(
        request,
        "organizations/requests.html",
        {
            "organization": organization,
            "membership": membership,
            "is_representative": is_representative(membership),
            **panels.organization_context(organization),  # its requests, from applications
        },
    )


@login_required
@require_safe
def history(request: HttpRequest, eid: str) -> HttpResponse:
    try:
        organization, membership = member_organization(request, eid, "history")
    except RefusalError as refused:
        return refused.response
    return render_org(
        request,
        "organizations/history.html",
        {
            "organization": organization,
            "membership": membership,
            "events": selectors.access_history(organization, limit=HISTORY_LIMIT),
        },
    )
