"""Ends sessions that were revoked, idle too long, past their absolute lifetime, or whose account got
locked; keeps officers without a second factor on the enrolment page until they have one; and marks
every answer that may hold personal data ``no-store``. Web pages and the API alike (one cookie session).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from dinhdanh.core.access import roles_of, staff_roles
from dinhdanh.people.authflow import ACCOUNT_SESSION, ENROL_REQUIRED
from dinhdanh.people.models import AccountSession, User

IDLE_LIMIT = "idle_seconds"  # the session's idle limit, worked out once from the account's roles

_TOUCH_EVERY = timedelta(minutes=1)
# Pages an officer without a second factor may still open: enrolment itself, and the way out.
ENROL_ALLOWED = (
    "/me/security/",
    "/signout/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/readyz",
    "/api/v1/me",
    "/api/v1/auth/",  # sign-out, CSRF token
    "/api/v1/passkeys/register/",  # enrolling a passkey is the way out
)


def _idle_limit(request: HttpRequest, user: User) -> timedelta:
    """Officers and clerks hold other people's data: their sessions end sooner when left alone."""
    seconds = request.session.get(IDLE_LIMIT)
    if not isinstance(seconds, int):
        staff = bool(roles_of(user) & staff_roles())
        seconds = int(settings.SESSION_IDLE_STAFF_SECONDS if staff else settings.SESSION_IDLE_SECONDS)
        request.session[IDLE_LIMIT] = seconds
    return timedelta(seconds=seconds)


def _expiry(row: AccountSession, request: HttpRequest, user: User) -> str:
    """Why the session is over ("" while it is not): idle too long, or older than its lifetime.

    Django's own expiry restarts whenever the session changes, so the absolute limit is kept here."""
    now = timezone.now()
    if now - row.created_at > timedelta(seconds=int(settings.SESSION_COOKIE_AGE)):
        return "expired"
    if now - row.last_seen_at > _idle_limit(request, user):
        return "idle"
    return ""


class AccountSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and user.is_authenticated:
            session_id = str(request.session.get(ACCOUNT_SESSION) or "")
            row = (
                AccountSession.objects.filter(pk=session_id, user_id=user.pk, revoked_at__isnull=True).first()
                if session_id
                else None
            )
            ended = _expiry(row, request, user) if row is not None else ""
            if ended and row is not None:
                # Listed as ended on the holder's security page, like a session they ended themselves.
                AccountSession.objects.filter(pk=row.pk, revoked_at__isnull=True).update(
                    revoked_at=timezone.now(), revoked_reason=ended
                )
            if row is None or ended or user.locked_at is not None:
                logout(request)
            else:
                now = timezone.now()
                if now - row.last_seen_at > _TOUCH_EVERY:
                    AccountSession.objects.filter(pk=row.pk).update(last_seen_at=now)
                if request.session.get(ENROL_REQUIRED) and not request.path.startswith(ENROL_ALLOWED):
                    return redirect("people:security")
        return self.get_response(request)


def _public(request: HttpRequest) -> bool:
    """Reference data anyone may cache: the administrative units, read anonymously."""
    return request.method in ("GET", "HEAD") and request.path.startswith("/api/v1/units")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every answer to a signed-in person and on every API answer: they may
    hold personal data, which no browser or proxy cache may keep (issue 10). Anonymous pages and the
    public units stay cacheable; static files never reach this (whitenoise answers them first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated  # before the view: signing out answers a signed-in request
        response = self.get_response(request)
        signed_in = signed_in or request.user.is_authenticated
        if signed_in or (request.path.startswith("/api/") and not _public(request)):
            add_never_cache_headers(response)
        return response
