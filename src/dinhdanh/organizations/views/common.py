"""Helpers the organization pages share: the member's organization or a friendly refusal."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dinhdanh.core.errors import DomainError
from dinhdanh.http.pages import error_page
from dinhdanh.organizations import policy, selectors
from dinhdanh.organizations.models import MemberRole, Membership, Organization
from dinhdanh.organizations.views.acting import acting_context
from dinhdanh.people.views.common import current_user


class RefusalError(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__("refused")
        self.response = response


def refusal(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = exc.status if exc.status in (403, 404) else 403
    return error_page(request, status, exc.message())


def member_organization(request: HttpRequest, eid: str, part: str = "") -> tuple[Organization, Membership]:
    """The organization when the signed-in person is a member in force (and may read ``part`` of it,
    when given: ``selectors.membership_for_reading``); otherwise ``RefusalError``."""
    user = current_user(request)
    try:
        organization = selectors.organization_for_member(user, eid)
    except DomainError as exc:
        raise RefusalError(refusal(request, exc)) from exc
    membership = selectors.membership_in_force(user, organization)
    if membership is None:  # the selector let it through a moment ago: a grant that just ended
        raise RefusalError(error_page(request, 403))
    if part and selectors.membership_for_reading(user, organization, part) is None:
        raise RefusalError(error_page(request, 403))
    return organization, membership


def is_representative(membership: Membership) -> bool:
    return membership.role == MemberRole.REPRESENTATIVE


def render_org(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """Render with the "acting as" banner's context (see ``views.acting``)."""
    manager = policy.may_manage(context.get("membership"))  # the tabs a plain member may not open are hidden
    return render(request, template, {**acting_context(request), "manager": manager, **context}, status=status)
