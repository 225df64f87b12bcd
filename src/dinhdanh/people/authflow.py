"""The glue between HTTP sessions and the sign-in services, shared by the web pages and the API.

The Django session carries: the pending sign-in between password and second factor
(``signin_pending``), the id of the ``AccountSession`` row (``account_session``), when the person last
proved a second factor (``stepped_up_at``, for step-up), and whether an officer must enrol one first.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest

from dinhdanh.core.errors import DomainError
from dinhdanh.people import assurance, rows, signin, throttle
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import AccountSession, SignInMethod, User

PENDING = "signin_pending"
ACCOUNT_SESSION = "account_session"
STEPPED_UP_AT = assurance.STEPPED_UP_AT
ENROL_REQUIRED = "enrol_required"
BACKEND = "dinhdanh.people.backends.LoginBackend"


def client_of(request: HttpRequest) -> signin.Client:
    # REMOTE_ADDR only: a reverse proxy in front must set it (docs/people.md); X-Forwarded-For is
    # client-controlled and would let anyone escape per-address throttling.
    return signin.Client(
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:200],
    )


def begin_pending(request: HttpRequest, user: User) -> None:
    request.session.cycle_key()
    request.session[PENDING] = {"uid": user.pk, "at": time.time()}


def pending_user(request: HttpRequest) -> User:
    pending = request.session.get(PENDING)
    try:  # whatever the session holds, a malformed value is an expired sign-in, never a 500
        uid, age = int(pending["uid"]), time.time() - float(pending["at"])  # type: ignore[index]
    except (TypeError, ValueError, KeyError, OverflowError):
        uid, age = 0, float("inf")
    if not 0 <= age <= settings.SIGNIN_PENDING_SECONDS:
        request.session.pop(PENDING, None)
        raise DomainError(PeopleError.SIGNIN_EXPIRED)
    user = User.objects.filter(pk=uid, is_active=True).first()
    if user is None:
        raise DomainError(PeopleError.SIGNIN_EXPIRED)
    return user


def establish(
    request: HttpRequest, user: User, method: SignInMethod, *, ticket: throttle.Ticket | None = None
) -> None:
    """Sign ``user`` in on this request: a new session key, a listed session row, step-up freshness.

    The session is written inside the sign-in's own transaction (``signin_complete``'s ``then``): the
    account session, the history, the audit event and the session row under its new key are one
    commit, and the save at the end of the request finds nothing left to write."""

    def sign_session_in(row: AccountSession) -> None:
        request.session.pop(PENDING, None)
        login(request, user, backend=BACKEND)  # cycles the session key: no fixation
        request.session[ACCOUNT_SESSION] = str(row.pk)
        if method in signin.SECOND_FACTOR_METHODS:
            request.session[STEPPED_UP_AT] = time.time()
        elif rows.holds_staff_role(user.pk):
            request.session[ENROL_REQUIRED] = True
        request.session.save()

    signin.signin_complete(
        user=user, method=method, client=client_of(request), then=sign_session_in, ticket=ticket
    )
    if method in signin.SECOND_FACTOR_METHODS:
        assurance.refresh(request)


def end(request: HttpRequest) -> None:
    user = request.user
    if isinstance(user, User):
        signin.signout(user=user, session_id=request.session.get(ACCOUNT_SESSION))
    logout(request)


def mark_stepped_up(request: HttpRequest) -> None:
    request.session[STEPPED_UP_AT] = time.time()
    request.session.pop(ENROL_REQUIRED, None)
    assurance.refresh(request)  # the action this request goes on to do sees the fresh factor


def step_up_age(request: HttpRequest) -> float | None:
    at = request.session.get(STEPPED_UP_AT)
    return None if at is None else time.time() - float(at)


def is_stepped_up(request: HttpRequest) -> bool:
    """For pages that ask for step-up before showing a form; services enforce it themselves."""
    return assurance.of_request(request).fresh()
