"""A passwordless sign-in with a passkey, recorded in one transaction (decision 0051).

The browser answers the challenge it was handed in a signed cookie (``people.challenges``). The answer is
checked first, writing nothing (``people.assertions``: the passkey and its owner, the user handle, the
signature, user verification, the counter). One transaction then records what it led to:

- the challenge spent, whatever the outcome: a second answer to it is refused (CHALLENGE_EXPIRED, with
  nothing written);
- a refused answer: the failure in the history, the audit log and the address's count (never the
  account's: whoever has seen a credential id must not be able to lock its owner out);
- a good answer: the passkey's counter moved (conditional on the value read: of two answers with one
  counter value, one wins and the other is refused), then, unless the account is locked, the sign-in
  itself (``authflow.establish``: the listed session, the history, the throttles lifted, the session
  under a new key, the audit event). A locked account learns so only from a good answer.

The address's throttle is checked before anything, as before a password; it is read with the passkey
and its owner, in one statement.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from dinhdanh.core.errors import DomainError
from dinhdanh.people import assertions, authflow, challenges, signin, throttle
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import SignInMethod, SignInOutcome, User

__all__ = ["count_passkey_failure", "passwordless_signin"]


def count_passkey_failure(request: HttpRequest, user: User | None, *, per_account: bool) -> None:
    """A refused passkey answer, in the history, the audit log and the throttles: the address's always,
    the account's only for a person identified beforehand (second factor, step-up)."""
    signin.count_failure(
        user=user,
        account=user.login_digest if user is not None and per_account else None,
        client=authflow.client_of(request),
        outcome=SignInOutcome.BAD_SECOND_FACTOR,
        login_label="passkey",
    )


def passwordless_signin(
    *, request: HttpRequest, challenge: challenges.Challenge, credential: dict[str, Any]
) -> User:
    """Sign in whoever holds the passkey that answered ``challenge``; raises THROTTLED,
    CHALLENGE_EXPIRED, PASSKEY_INVALID or ACCOUNT_LOCKED."""
    client, now = authflow.client_of(request), timezone.now()
    address = (throttle.Scope.ADDRESS.value, throttle.address_key(client.ip))
    found, blocked_until = assertions.find_with_block(credential, key=address, now=now)
    if found is None:  # nobody's passkey: the address's throttle, read on its own
        signin.refuse_if_throttled(account=None, client=client)
    else:
        signin.refuse_if_blocked_until(blocked_until, client=client, now=now)
    checked = assertions.check_found(
        request=request, challenge=challenge.value, credential=credential, user=None, passkey=found
    )
    with transaction.atomic():
        if not challenges.spend(challenge):
            raise DomainError(PeopleError.CHALLENGE_EXPIRED)  # answered before: nothing is written
        passkey = assertions.record_use(checked)
        if passkey is None:
            count_passkey_failure(request, checked.owner, per_account=False)
        elif passkey.user.is_locked or not passkey.user.is_active:
            pass  # the counter moved and the challenge is spent; refused below, after the commit
        else:
            authflow.establish(request, passkey.user, SignInMethod.PASSKEY)
    if passkey is None:
        raise DomainError(PeopleError.PASSKEY_INVALID)
    if not (passkey.user.is_active and not passkey.user.is_locked):
        raise DomainError(PeopleError.ACCOUNT_LOCKED)
    return passkey.user
