"""Authentication context classes (OpenID Connect Core §2 ``acr``, §3.1.2.1 ``acr_values``) and when
an authorization needs the person to authenticate again (``prompt=login``, ``max_age``, §3.1.2.1).

The documented values (docs/federation.md), each a level of the account and whether a second factor
was proven in this sign-in session:

==========================  =====================================================================
``urn:dinhdanh:loa:1``      an account at personal level 1 (self-registered)
``urn:dinhdanh:loa:1:mfa``  level 1, with a second factor (TOTP, passkey, recovery code)
``urn:dinhdanh:loa:2``      an account at level 2 (identity checked against the national registry)
``urn:dinhdanh:loa:2:mfa``  level 2, with a second factor
==========================  =====================================================================

A session satisfies a value when its level is at least the value's and it has a second factor if the
value asks for one. Asked for values the session does not satisfy, the provider never answers with a
lower one: a missing second factor is asked for (step-up) when the person has one; a level the account
does not have cannot be reached in a sign-in, and is ``unmet_authentication_requirements`` (OpenID
Connect Core 1.0 incorporating errata, §3.1.2.6). Unknown values are ignored, as §3.1.2.1 allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = ["ACR_VALUES", "Outcome", "SessionContext", "acr_for", "needs"]

ACR_VALUES = ("urn:dinhdanh:loa:1", "urn:dinhdanh:loa:1:mfa", "urn:dinhdanh:loa:2", "urn:dinhdanh:loa:2:mfa")

Outcome = Literal["ok", "login", "step_up", "unmet"]


@dataclass(frozen=True, slots=True)
class SessionContext:
    level: int  # the account's personal level, 1 or 2
    second_factor: bool  # proven in this session
    has_second_factor: bool  # the person has one to prove
    auth_time: datetime | None  # when they last signed in (None: never)

    @property
    def acr(self) -> str:
        return f"urn:dinhdanh:loa:{min(max(self.level, 1), 2)}" + (":mfa" if self.second_factor else "")


def _parts(value: str) -> tuple[int, bool]:
    _urn, _ns, _loa, level, *rest = value.split(":")
    return int(level), rest == ["mfa"]


def _satisfies(session: SessionContext, value: str) -> bool:
    level, mfa = _parts(value)
    return session.level >= level and (session.second_factor or not mfa)


def acr_for(session: SessionContext, asked: tuple[str, ...]) -> str:
    """The value to put in the tokens: the first asked one satisfied, else what the session has."""
    return next((v for v in asked if _satisfies(session, v)), session.acr)


def needs(
    session: SessionContext, *, asked: tuple[str, ...], prompt: frozenset[str], max_age: int | None,
    now: datetime, reauthenticated: bool,
) -> Outcome:  # fmt: skip
    """What the session lacks for this authorization: nothing, a new sign-in, a second factor, or
    something no sign-in can give. ``reauthenticated``: the person signed in again for this request."""
    too_old = max_age is not None and (
        session.auth_time is None or now - session.auth_time > timedelta(seconds=max_age)
    )
    if ("login" in prompt or too_old) and not reauthenticated:
        return "login"
    if not asked or any(_satisfies(session, v) for v in asked):
        return "ok"
    if session.has_second_factor and any(session.level >= _parts(v)[0] for v in asked):
        return "step_up"
    return "unmet"
