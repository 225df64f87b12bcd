"""The outbox for system administrators: what was sent, what is failing, and a button to try again."""

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
from dinhdanh.notifications import selectors, services
from dinhdanh.notifications.models import MessageStatus


@login_required
@require_safe
def outbox(request: HttpRequest) -> HttpResponse:
    try:
        require(request.user, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
    except DomainError as exc:
        return error_page(request, 403, exc.message())
    status = request.GET.get("status", "")
    if status not in MessageStatus.values:
        status = ""
    counts = selectors.status_counts()
    context = {
        "rows": selectors.outbox(status=status, limit=200),
        "counts": [(value, label, counts[value]) for value, label in MessageStatus.choices],
        "status": status,
    }
    return render(request, "notifications/outbox.html", context)


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not isinstance(user, get_user_model()):  # by name: accounts live in a higher layer
        return error_page(request, 403)
    try:
        services.retry(actor=user, message_id=pk)
    except DomainError as exc:
        if exc.status == 403:
            return error_page(request, 403, exc.message())
        messages.error(request, exc.message())
    else:
        messages.success(request, _("Đã xếp thông báo số %(pk)d vào hàng đợi để gửi lại.") % {"pk": pk})
    return redirect("notifications:outbox")
