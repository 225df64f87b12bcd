"""The signed-in person's notifications page (``notifications.inbox``); both zones serve it."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from dinhdanh.notifications import inbox as inbox_service

if TYPE_CHECKING:
    from dinhdanh.people.models import User

MAX_IDS = 100


@login_required
@never_cache
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    user = cast("User", request.user)  # login_required: a signed-in account
    found, page = inbox_service.page_of(user, language=get_language() or "vi", number=request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"entries": found, "page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """All read, or one event's messages (``ids``); a malformed id changes nothing, and ids none of
    which are the person's own are not found (404), the same answer as a message that does not exist."""
    user = cast("User", request.user)  # login_required: a signed-in account
    raw = request.POST.getlist("ids")[:MAX_IDS]
    if raw:
        ids = [int(value) for value in raw if value.isascii() and value.isdigit() and len(value) < 19]
        if ids:
            mine = inbox_service.owned(user, ids)
            if not mine:
                raise Http404
            inbox_service.mark_read(user, mine)
    else:
        inbox_service.mark_read(user)
        messages.success(request, _("Đã đánh dấu tất cả thông báo là đã đọc."))
    return redirect("inbox:list")
