"""The HTTP side of a guarded sign-in (``signin.Guarded``), shared by the web pages and the API.

It lives in the session under its own key, apart from ``authflow.PENDING``: the passkey second-factor
endpoints read only the latter, so they answer a guarded sign-in the same whether its password was
right or not (they refuse both).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from dinhdanh.core.errors import DomainError
from dinhdanh.people import authflow, signin
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import SignInMethod, User

GUARDED = "signin_guarded"


@dataclass(frozen=True)
class Pending:
    user: User | None
    account: str | None


def begin(request: HttpRequest, outcome: signin.Guarded) -> None:
    request.session.cycle_key()
    request.session.pop(authflow.PENDING, None)
    request.session[GUARDED] = {
        "uid": outcome.user.pk if outcome.user is not None else 0,
        "account": outcome.account or "",
        "at": time.time(),
    }


def clear(request: HttpRequest) -> None:
    """A newer sign-in, guarded or not, replaces an unfinished guarded one."""
    request.session.pop(GUARDED, None)


def pending(request: HttpRequest) -> Pending | None:
    """The guarded sign-in under way, None if there is none; SIGNIN_EXPIRED once it is too old."""
    raw = request.session.get(GUARDED)
    if raw is None:
        return None
    try:  # whatever the session holds, a malformed value is an expired sign-in, never a 500
        uid, account, age = int(raw["uid"]), str(raw["account"]), time.time() - float(raw["at"])
    except (TypeError, ValueError, KeyError, OverflowError):
        uid, account, age = 0, "", float("inf")
    if not 0 <= age <= settings.SIGNIN_PENDING_SECONDS:
        request.session.pop(GUARDED, None)
        raise DomainError(PeopleError.SIGNIN_EXPIRED)
    user = User.objects.filter(pk=uid, is_active=True).first() if uid else None
    return Pending(user=user, account=account or None)


def second_factor(request: HttpRequest, attempt: Pending, code: str) -> tuple[User, SignInMethod]:
    method = signin.second_factor_check(
        user=attempt.user, account=attempt.account, code=code, client=authflow.client_of(request), guarded=True
    )
    if attempt.user is None:  # second_factor_check never succeeds without an account
        raise DomainError(PeopleError.SECOND_FACTOR_INVALID, field="code")
    request.session.pop(GUARDED, None)
    return attempt.user, method
