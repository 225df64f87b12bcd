"""The back office's view of Security Event notices (system administrators, as the outbox): per relying
party what waits, was delivered or is dead, and a button that sends a dead notice again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dinhdanh.core.access import KernelPermission, require
from dinhdanh.core.errors import DomainError
from dinhdanh.http.pages import error_page
from dinhdanh.trust import subscriptions
from dinhdanh.trust.models import NoticeState


def _refused(request: HttpRequest) -> HttpResponse | None:
    try:
        require(request.user, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
    except DomainError as exc:
        return error_page(request, 403, exc.message())
    return None


@login_required
@require_safe
def clients(request: HttpRequest) -> HttpResponse:
    if (refused := _refused(request)) is not None:
        return refused
    return render(request, "trust/notices/clients.html", {"rows": subscriptions.client_summaries()})


@login_required
@require_safe
def client_notices(request: HttpRequest, client_id: str) -> HttpResponse:
    if (refused := _refused(request)) is not None:
        return refused
    state = request.GET.get("state", "")
    state = state if state in NoticeState.values else ""
    client, rows = subscriptions.notices_of(client_id, state=state)
    if client is None:
        return error_page(request, 404)
    context = {"client": client, "rows": rows, "state": state, "states": NoticeState.choices}
    return render(request, "trust/notices/client.html", context)


@login_required
@require_POST
def requeue(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not isinstance(user, get_user_model()):  # by name: accounts live in a lower layer's model
        return error_page(request, 403)
    client_id = request.POST.get("client_id", "")[:64]
    try:
        notice = subscriptions.notice_requeue(actor=user, notice_id=pk)
    except DomainError as exc:
        if exc.status == 403:
            return error_page(request, 403, exc.message())
        messages.error(request, exc.message())
    else:
        client_id = notice.client.client_id
        messages.success(request, _("Đã xếp thông báo %(jti)s vào hàng đợi để gửi lại.") % {"jti": notice.jti})
    if client_id:
        return redirect("notices_admin:client", client_id=client_id)
    return redirect("notices_admin:clients")
