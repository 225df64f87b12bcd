"""How sure we are, right now, that the person acting is the account holder: the home of step-up.

Services that hand over power (review decisions, verification answers, grants, locks, level changes,
submitting a request) call ``require_fresh_factor()`` before anything else, so no face — page, API,
or the next one — can forget the fresh second factor (decision 0010).

The HTTP middleware binds each request's assurance from its session (``stepped_up_at``). Outside a
request — the ``dinhdanh`` command, the task worker, a test calling a service directly — the
process is the operator's own: whoever runs it already holds the server and its keys, so the
``console`` channel counts as fresh. An HTTP request without a session (a future bearer token, say)
binds ``http`` with no factor time, and is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from dinhdanh.core.errors import DomainError
from dinhdanh.people.errors import PeopleError

STEPPED_UP_AT: Final = "stepped_up_at"  # the session key, shared with people.authflow

Channel = Literal["http", "console"]


@dataclass(frozen=True, slots=True)
class Assurance:
    channel: Channel
    second_factor_at: float | None = None

    def fresh(self, now: float | None = None) -> bool:
        if self.channel == "console":
            return True
        if self.second_factor_at is None:
            return False
        age = (time.time() if now is None else now) - self.second_factor_at
        return 0 <= age <= settings.STEP_UP_SECONDS


CONSOLE: Final = Assurance("console")
_current: ContextVar[Assurance] = ContextVar("dinhdanh_assurance", default=CONSOLE)


def current() -> Assurance:
    return _current.get()


def require_fresh_factor() -> None:
    """Refuse unless the person proved a second factor within ``STEP_UP_SECONDS``."""
    if not _current.get().fresh():
        raise DomainError(PeopleError.STEP_UP_REQUIRED)


def of_request(request: HttpRequest) -> Assurance:
    session = getattr(request, "session", None)
    raw = session.get(STEPPED_UP_AT) if session is not None else None
    try:
        at = float(raw) if raw is not None else None
    except (TypeError, ValueError):
        at = None  # a malformed session value is no proof
    return Assurance("http", at)


def refresh(request: HttpRequest) -> None:
    """After a step-up inside a request, the rest of that request sees it (the session is already set)."""
    _current.set(of_request(request))


@contextmanager
def bound(assurance: Assurance) -> Iterator[None]:
    token = _current.set(assurance)
    try:
        yield
    finally:
        _current.reset(token)


class AssuranceMiddleware:
    """Binds the request's assurance for the services it calls; runs after the session middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with bound(of_request(request)):
            return self.get_response(request)
