"""The page after step-up that finishes what the person had asked for (issue 15.2)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dinhdanh.people import pending_action
from dinhdanh.people.authflow import is_stepped_up
from dinhdanh.people.views.common import step_up_redirect


@login_required
@never_cache  # the page carries the held fields
@require_safe
def step_up_resume(request: HttpRequest, token: str) -> HttpResponse:
    pending = pending_action.find(request, token)
    if pending is None:
        messages.warning(
            request, _("Thao tác đang chờ đã hết hạn hoặc không còn; chưa có gì được thực hiện. Hãy làm lại.")
        )
        return redirect(reverse("people:me"))
    if not is_stepped_up(request):
        return step_up_redirect(request, request.get_full_path())
    # Files cannot wait in a session: the person goes back to attach them again.
    can_resume = not pending.dropped_files and not pending.dropped_secrets
    return render(
        request,
        "people/step_up_resume.html",
        {"pending": pending, "can_resume": can_resume, "resumed_field": pending_action.RESUMED_FIELD},
    )
