"""The legal representative asks for a change of the organization's data, or locks its account (the
pages are applications' since a change is a request: issue 11.1).

A change is a request (an application of kind UPDATE) that the police review like a registration. A
lock on the organization's own request is immediate, as on the API (the holder may fear the account
is in someone else's hands; like a person's TK03 lock, LEGAL §4); unlocking is an officer's decision.
Both need a fresh second factor, which the services check.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dinhdanh.applications import services as app_services
from dinhdanh.applications.forms import attach
from dinhdanh.applications.models import ApplicationChannel, Capacity, Kind, Status
from dinhdanh.core.errors import DomainError
from dinhdanh.organizations import services
from dinhdanh.organizations.forms import ChangeRequestForm, LockRequestForm
from dinhdanh.organizations.models import LockGround, Organization
from dinhdanh.organizations.views.common import RefusalError, is_representative, member_organization, render_org
from dinhdanh.people import authflow, pending_action
from dinhdanh.people.views.common import current_user, step_up_for_post


def _send(
    request: HttpRequest, organization: Organization, kind: Kind, data: Mapping[str, object], form: forms.Form
) -> HttpResponse | None:
    """Start and submit the request; on a refusal the form carries the message and None is returned."""
    user = current_user(request)
    try:
        application = app_services.application_start(
            actor=user,
            kind=kind,
            channel=ApplicationChannel.ONLINE,
            capacity=Capacity.REPRESENTATIVE,
            category=organization.category,
            data=data,
            organization=organization,
        )
    except DomainError as exc:
        attach(form, exc)
        return None
    try:
        application = app_services.application_submit(actor=user, application=application)
    except DomainError as exc:
        # The draft is kept: the person finds it among their requests and can send or withdraw it.
        messages.error(request, exc.message())
    else:
        if application.status != Status.DRAFT:
            messages.success(request, _("Đã gửi yêu cầu, số hồ sơ %(number)s.") % {"number": application.number})
    return redirect("applications:detail", pk=application.pk)


def _lock_now(request: HttpRequest, organization: Organization, form: LockRequestForm) -> HttpResponse | None:
    try:
        services.organization_lock(
            actor=current_user(request),
            organization=organization,
            ground=LockGround.ORGANIZATION_REQUEST,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        attach(form, exc)
        return None
    messages.success(
        request,
        _("Đã khóa tài khoản của tổ chức. Để mở khóa, hãy đến cơ quan Công an hoặc gửi yêu cầu mở khóa."),
    )
    return redirect("organizations:profile", eid=organization.eid)


def _change_page(request: HttpRequest, eid: str, kind: Kind) -> HttpResponse:
    try:
        organization, membership = member_organization(request, eid)
    except RefusalError as refused:
        return refused.response
    form: forms.Form
    if kind == Kind.UPDATE:
        form = ChangeRequestForm(request.POST if request.method == "POST" else None)
        template = "applications/organization/update_request.html"
    else:
        form = LockRequestForm(request.POST if request.method == "POST" else None)
        template = "applications/organization/lock_request.html"
    allowed = is_representative(membership)
    if request.method == "POST" and allowed:
        if not authflow.is_stepped_up(request):
            return step_up_for_post(request)
        pending_action.forget_resumed(request)
        if form.is_valid() and isinstance(form, LockRequestForm):
            locked = _lock_now(request, organization, form)
            if locked is not None:
                return locked
        elif form.is_valid():
            data = (
                form.changes() if isinstance(form, ChangeRequestForm) else {"reason": form.cleaned_data["reason"]}
            )
            sent = _send(request, organization, kind, data, form)
            if sent is not None:
                return sent
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and not allowed:
        status = 403
    return render_org(
        request,
        template,
        {
            "organization": organization,
            "form": form,
            "allowed": allowed,
            "stepped_up": authflow.is_stepped_up(request),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def update_request(request: HttpRequest, eid: str) -> HttpResponse:
    return _change_page(request, eid, Kind.UPDATE)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def lock_request(request: HttpRequest, eid: str) -> HttpResponse:
    return _change_page(request, eid, Kind.LOCK)
