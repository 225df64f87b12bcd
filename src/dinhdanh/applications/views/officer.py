"""The reviewing officer's queue and the page of one request (read side).

The writes sit in ``officer_actions``; every read goes through ``applications.selectors``, which
applies role × jurisdiction once (an officer of another commune gets 403 and an audit event).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dinhdanh.applications import selectors
from dinhdanh.applications.forms_officer import (
    QUEUE_SORT_CHOICES,
    AssignForm,
    QueueFilterForm,
    RejectForm,
    SupplementForm,
    VerificationForm,
    approve_form,
)
from dinhdanh.applications.models import Application, Kind, Status, VerificationStatus
from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.applications.services.common import can_review
from dinhdanh.applications.services.duties import conflicted, four_eyes_reasons, valid_sign_offs
from dinhdanh.applications.services.review import FAILED
from dinhdanh.applications.views.officer_common import deadline, refusals_as_pages, valid_filters
from dinhdanh.applications.views.officer_review import (
    application_facts,
    available_actions,
    document_rows,
    lower_units,
    unit_officers,
    verification_target,
)
from dinhdanh.core.access import has_permission, require
from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.text import name_key
from dinhdanh.http.keyset import keyset_page
from dinhdanh.people.views.common import current_user

QUEUE_COLUMNS = (
    "number", "name", "code", "kind", "status", "due_at", "head_office__name", "assigned_to__full_name",
)  # fmt: skip


# The queue's orders besides the default (soonest due): each ends on the key, so pages never overlap.
QUEUE_ORDER: dict[str, tuple[str, ...]] = {
    "-due": ("-due_at", "-pk"),
    "number": ("number", "pk"),
    "name": ("name_key", "pk"),
}


def _queue_search(qs: Any, q: str) -> Any:
    text = q.strip()
    if not text:
        return qs
    condition = Q(number__iexact=text) | Q(code__startswith=text.replace(" ", "").upper())
    key = name_key(text)
    if key:
        condition |= Q(name_key__contains=key)
    return qs.filter(condition)


@login_required
@never_cache
@require_safe
@refusals_as_pages
def queue(request: HttpRequest) -> HttpResponse:
    officer = current_user(request)
    if not (
        has_permission(officer, ApplicationPermission.REVIEW_APPLICATION)
        or has_permission(officer, ApplicationPermission.INTAKE_APPLICATION)
    ):
        require(officer, ApplicationPermission.REVIEW_APPLICATION, any_unit=True)  # refuses, with the audit event
    form = QueueFilterForm(request.GET or None)
    filters = valid_filters(form)
    qs = selectors.officer_queue(
        officer, status=filters.get("status") or None, overdue=bool(filters.get("overdue"))
    )
    qs = _queue_search(qs, filters.get("q", ""))
    sort = filters.get("sort") or ""
    if sort in QUEUE_ORDER:
        qs = qs.order_by(*QUEUE_ORDER[sort])
    # Only what the table shows: the submitted data (JSON) and the wide user rows stay in the database.
    qs = qs.select_related("head_office", "assigned_to").only(*QUEUE_COLUMNS)
    page = keyset_page(qs, filters.get("page"), after=filters.get("after", ""), before=filters.get("before", ""))
    now, cal = timezone.now(), current_calendar()
    # Labels resolved once per page: get_FOO_display translates every choice on each call.
    kinds, statuses = {k: str(v) for k, v in Kind.choices}, {k: str(v) for k, v in Status.choices}
    rows = [
        {
            "app": app,
            "kind": kinds.get(app.kind, app.kind),
            "status": statuses.get(app.status, app.status),
            # A decided request (a status filter shows them) has no deadline left to watch.
            "deadline": deadline(app.due_at, now=now, cal=cal) if app.is_open else None,
        }
        for app in page.rows
    ]
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    return render(
        request,
        "applications/officer/queue.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "sorted_by": dict(QUEUE_SORT_CHOICES).get(sort, QUEUE_SORT_CHOICES[0][1]),
        },
    )


@login_required
@never_cache
@require_safe
@refusals_as_pages
def review(request: HttpRequest, pk: int) -> HttpResponse:
    officer = current_user(request)
    app: Application = selectors.application_for_officer(officer, pk)
    reviewer = can_review(officer, app)
    conflict = reviewer and conflicted(officer, app)
    verifications = list(app.verifications.select_related("unit", "asked_by", "answered_by"))
    checks = list(app.checks.all())
    context: dict[str, Any] = {
        "app": app,
        "facts": application_facts(app),
        "deadline": deadline(app.due_at) if app.is_open else None,  # a decided request has no deadline left
        "checks": checks,
        "failed_checks": [c for c in checks if c.outcome in FAILED],
        "history": list(app.history.select_related("actor")),
        "documents": document_rows(app),
        "verifications": [{"v": v, "target": verification_target(v)} for v in verifications],
        "open_verifications": [v for v in verifications if v.status == VerificationStatus.OPEN],
        "actions": available_actions(app) if reviewer and not conflict else frozenset(),
        "reviewer": reviewer,
        "conflicted": conflict,
        "four_eyes": four_eyes_reasons(app) if app.status == Status.CHECKING else [],
        "first_approvals": valid_sign_offs(app) if app.status == Status.CHECKING else [],
        "statuses": Status,
        "next_app": selectors.next_in_queue(officer, app) if reviewer else None,
    }
    if reviewer:
        # Several forms share field names ("reason"): distinct ids keep each label on its own field.
        context |= {
            "approve_form": approve_form(bool(context["failed_checks"])),
            "reject_form": RejectForm(auto_id="reject_%s"),
            "supplement_form": SupplementForm(auto_id="supplement_%s"),
            "verification_form": VerificationForm(units=lower_units(app), auto_id="verify_%s"),
            "assign_form": AssignForm(
                officers=unit_officers(app, exclude=app.assigned_to_id), auto_id="assign_%s"
            ),
        }
    return render(request, "applications/officer/review.html", context)
