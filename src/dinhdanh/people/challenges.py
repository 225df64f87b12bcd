"""Where a passkey ceremony's challenge waits for its answer, used once (W3C WebAuthn L3 §13.4.3).

**In the session**, for a person already known (second factor, step-up, adding a passkey): one key per
purpose, bound to the user it was issued for and to a deadline, popped before the answer is checked.

**In a signed cookie**, for a passwordless sign-in (decision 0051). Nobody is known yet, and keeping the
challenge in a session made every visitor who opened the sign-in page a session row, then a sign-in
that created the session again under a new key. The options answer hands the browser the challenge
in an HMAC-signed cookie (``HttpOnly``, ``SameSite=Strict``, ``Secure`` behind TLS, sent only to the
verify endpoint, gone after ``WEBAUTHN_CHALLENGE_SECONDS``); nothing is stored. The answer must come
back with that cookie: a challenge is bound to the browser it was issued to, as the session bound it.
Its first answer, right or wrong, stores the challenge's digest (``SpentChallenge``, in the same
transaction as the sign-in or the failure it leads to), and any later answer to it finds the digest
and is refused: one challenge, one attempt, even between two requests at once (the digest is the
row's primary key), which the session only approximated. The digests are pruned once their
challenges would be refused as too old anyway.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.core.rows import Statement
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import SpentChallenge, User
from dinhdanh.people.rows import SPEND_CHALLENGE

__all__ = [
    "COOKIE",
    "Challenge",
    "hand_over",
    "prune_spent",
    "spend",
    "store",
    "take",
    "taken_from_cookie",
]

COOKIE: Final = "dinhdanh_passkey"
_SALT: Final = "dinhdanh.people.challenges.signin"
_SESSION_PREFIX: Final = "webauthn_"
# A node whose clock runs behind may accept a cookie this much past its time: its digest stays longer.
_CLOCK_MARGIN = timedelta(minutes=5)
PRUNE_EVERY = 256  # spent challenges per process between two prunings of the expired ones
_spent_count = itertools.count(1)


def _lifetime() -> int:
    return int(settings.WEBAUTHN_CHALLENGE_SECONDS)


def _b64(data: bytes) -> str:
    from webauthn.helpers import bytes_to_base64url  # noqa: PLC0415  (lazy: people.passkeys says why)

    return bytes_to_base64url(data)


def _unb64(text: str) -> bytes:
    from webauthn.helpers import base64url_to_bytes  # noqa: PLC0415  (lazy: people.passkeys says why)

    return base64url_to_bytes(text)


# --- in the session ------------------------------------------------------------------------------------


def _session_key(purpose: str) -> str:
    return _SESSION_PREFIX + purpose


def store(request: HttpRequest, purpose: str, challenge: bytes, user: User | None) -> None:
    request.session[_session_key(purpose)] = {
        "challenge": _b64(challenge),
        "at": time.time(),
        "uid": user.pk if user else None,
    }


def take(request: HttpRequest, purpose: str, user: User | None) -> bytes:
    """The challenge issued for ``purpose`` and ``user``, removed from the session (single use).

    Two concurrent requests could both read it before either saves the session; the conditional
    counter update (``people.passkeys``) is what stops a cloned authenticator then.
    """
    state = request.session.pop(_session_key(purpose), None)
    if not isinstance(state, dict):
        raise DomainError(PeopleError.CHALLENGE_EXPIRED)
    try:
        age = time.time() - float(state["at"])
        challenge = _unb64(str(state["challenge"]))
    except (KeyError, TypeError, ValueError):
        raise DomainError(PeopleError.CHALLENGE_EXPIRED) from None
    expected_uid = user.pk if user is not None else None
    if not 0 <= age <= _lifetime() or state.get("uid") != expected_uid or not challenge:
        raise DomainError(PeopleError.CHALLENGE_EXPIRED)
    return challenge


# --- in a signed cookie (passwordless sign-in) -------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    value: bytes
    issued_at: float  # seconds since the epoch, as the issuing node saw it

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.value).hexdigest()


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT)


_PATHS: dict[tuple[str, object], str] = {}


def _cookie_path() -> str:
    """The verify endpoint's path, the only one the cookie is sent to (reversed once per URL
    configuration and script prefix)."""
    where = (get_script_prefix(), get_urlconf())
    path = _PATHS.get(where)
    if path is None:
        path = _PATHS[where] = reverse("api:passkey_signin_verify")
    return path


def hand_over(response: HttpResponse, challenge: bytes) -> None:
    """Give the browser the sign-in challenge it must answer, in a cookie signed with the site's key."""
    token = _signer().sign_object({"c": _b64(challenge), "at": time.time()})
    response.set_cookie(
        COOKIE,
        token,
        max_age=_lifetime(),
        path=_cookie_path(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def forget(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, path=_cookie_path(), samesite="Strict")


def taken_from_cookie(request: HttpRequest) -> Challenge:
    """The sign-in challenge this browser was handed, if its signature holds and it is not too old;
    CHALLENGE_EXPIRED otherwise. Whether it was answered before is for :func:`spend` to say."""
    token = request.COOKIES.get(COOKIE, "")
    try:
        state: Any = _signer().unsign_object(token) if 0 < len(token) <= 400 else None
        age = time.time() - float(state["at"])
        challenge = Challenge(_unb64(str(state["c"])), float(state["at"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise DomainError(PeopleError.CHALLENGE_EXPIRED) from None
    if not 0 <= age <= _lifetime() or not challenge.value:
        raise DomainError(PeopleError.CHALLENGE_EXPIRED)
    return challenge


def spend(challenge: Challenge) -> bool:
    """Record that ``challenge`` was answered; False when it already was (the answer is then refused).
    Call it in the transaction that records what the answer led to."""
    issued = datetime.fromtimestamp(challenge.issued_at, tz=UTC)
    first = SPEND_CHALLENGE.add(
        digest=challenge.digest, expires_at=issued + timedelta(seconds=_lifetime()) + _CLOCK_MARGIN
    )
    if first and next(_spent_count) % PRUNE_EVERY == 0:
        transaction.on_commit(prune_spent)
    return first


def _prune_sql(db: BaseDatabaseWrapper) -> str:
    quote = db.ops.quote_name
    return f"DELETE FROM {quote(SpentChallenge._meta.db_table)} WHERE {quote('expires_at')} < %s"  # noqa: S608


_PRUNE = Statement(_prune_sql)


def prune_spent(now: datetime | None = None) -> int:
    """Delete the digests of challenges too old to be accepted any more; how many went."""
    from django.db import connection  # noqa: PLC0415

    moment = connection.ops.adapt_datetimefield_value(now or timezone.now())
    return _PRUNE.run([moment])
