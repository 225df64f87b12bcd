"""Ends sessions that were revoked or whose account got locked, and keeps officers without a second
factor on the enrolment page until they have one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from dinhdanh.people.authflow import ACCOUNT_SESSION, ENROL_REQUIRED
from dinhdanh.people.models import AccountSession

_TOUCH_EVERY = timedelta(minutes=1)
# Pages an officer without a second factor may still open: enrolment itself, and the way out.
ENROL_ALLOWED = (
    "/me/security/",
    "/signout/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/api/v1/me",
    "/api/v1/auth/",  # sign-out, CSRF token
    "/api/v1/passkeys/register/",  # enrolling a passkey is the way out
)


class AccountSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            session_id = str(request.session.get(ACCOUNT_SESSION) or "")
            row = (
                AccountSession.objects.filter(pk=session_id, user_id=user.pk, revoked_at__isnull=True).first()
                if session_id
                else None
            )
            if row is None or getattr(user, "locked_at", None) is not None:
                logout(request)
            else:
                now = timezone.now()
                if now - row.last_seen_at > _TOUCH_EVERY:
                    AccountSession.objects.filter(pk=row.pk).update(last_seen_at=now)
                if request.session.get(ENROL_REQUIRED) and not request.path.startswith(ENROL_ALLOWED):
                    return redirect("people:security")
        return self.get_response(request)
