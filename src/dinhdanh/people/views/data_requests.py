"""Requests about one's personal data: the person's page (file one, follow them) and the data protection
officer's queue (acknowledge, extend once, answer). The rules are the service's
(``services.data_requests``); these pages only read forms and show outcomes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dinhdanh.core.errors import DomainError
from dinhdanh.http.pages import error_page
from dinhdanh.people import selectors
from dinhdanh.people.models import DataRequestKind
from dinhdanh.people.services import data_requests
from dinhdanh.people.views.common import current_user, step_up_required


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"  # personal data on screen
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        try:
            row = data_requests.file_request(
                user=user,
                kind=request.POST.get("kind", ""),
                detail=request.POST.get("detail", ""),
                processor_involved=False,
            )
        except DomainError as exc:
            messages.error(request, exc.message())
        else:
            messages.success(
                request,
                _("Đã nhận yêu cầu DR-%(number)s. Hạn trả lời: %(due)s.")
                % {"number": row.pk, "due": date_format(localtime(row.due_at), "SHORT_DATETIME_FORMAT")},
            )
            return redirect("people:data_requests")
    rows = [{"row": r, "timers": selectors.timers(r)} for r in selectors.own_data_requests(user)[:50]]
    return _no_store(
        render(request, "people/data_requests.html", {"rows": rows, "kinds": DataRequestKind.choices})
    )


@login_required
@require_http_methods(["GET", "HEAD"])
@step_up_required
def copy(request: HttpRequest) -> HttpResponse:
    """The person's copy of their data as a JSON file (the right of access, at once)."""
    try:
        data = data_requests.copy_for(current_user(request))
    except DomainError as exc:
        return error_page(request, exc.error.status, exc.message())
    response = JsonResponse(
        data, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = 'attachment; filename="du-lieu-ca-nhan.json"'
    return _no_store(response)


@login_required
@require_http_methods(["GET", "HEAD"])
def queue(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    try:
        rows = selectors.data_request_queue(actor=current_user(request), open_only=not show_all)[:500]
    except DomainError as exc:
        return error_page(request, 403, exc.message())
    listed = [{"row": r, "timers": selectors.timers(r)} for r in rows]
    return _no_store(render(request, "people/data_request_queue.html", {"rows": listed, "show_all": show_all}))


@login_required
@require_POST
@step_up_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor, action = current_user(request), request.POST.get("action", "")
    try:
        if action == "acknowledge":
            data_requests.acknowledge(actor=actor, pk=pk)
        elif action == "extend":
            data_requests.extend(actor=actor, pk=pk, reason=request.POST.get("text", ""))
        elif action in ("done", "refuse"):
            data_requests.close(actor=actor, pk=pk, done=action == "done", outcome=request.POST.get("text", ""))
        else:
            messages.error(request, _("Hãy chọn một thao tác."))
            return redirect("people:data_request_queue")
    except DomainError as exc:
        if exc.error.status == 403:
            return error_page(request, 403, exc.message())
        messages.error(request, exc.message())
    else:
        messages.success(request, _("Đã ghi nhận."))
    return redirect("people:data_request_queue")
