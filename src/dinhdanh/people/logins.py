"""The login name is the personal identification number; it is looked up through a blind index whose
key can rotate (decision 0036).

* ``login_digest``: the digest to **store**, under the current version of the key;
* ``login_digests``: every digest of a number under the live versions, current first — what a
  **lookup by number** tries, so nobody is lost while a re-indexing runs;
* ``digests_of(user)``: every digest of an account's own number — what a **comparison** of a stored
  digest (an organization's representative, a person named in a request) with an account uses, so a
  digest stored before the rotation still recognises its person. Computed from the sealed number; an
  account whose number was never kept has only its stored digest until its next sign-in.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from dinhdanh.core.codes import mask_personal_id, parse_personal_id
from dinhdanh.core.keys import blind_indexes, current_key, index_with
from dinhdanh.people.identifiers import seal_number, sealed_number
from dinhdanh.people.models import KeptNumber, User
from dinhdanh.people.rows import USER_BY_DIGEST

__all__ = [
    "LOGIN_KEY",
    "account_by_digests",
    "account_by_number",
    "digests_of",
    "kept_digest",
    "login_digest",
    "login_digests",
    "masked",
    "normalized",
]

LOGIN_KEY = "login-index"


def normalized(personal_id: str) -> str:
    """Any 12-digit number: a foreigner signs in on the same form as a citizen, so sign-in checks only
    digits and length; registration checks the layout (``parse_personal_id``)."""
    return parse_personal_id(personal_id, foreigner=True).value


def login_digest(personal_id: str) -> str:
    """The digest to store for a number, under the current key."""
    _kid, key = current_key(LOGIN_KEY)
    return index_with(key, normalized(personal_id))


def kept_digest(personal_id: str) -> str:
    """The digest to store for a number that may belong to no account (a representative, a person a
    request names), keeping the number sealed beside it so the digest can be recomputed when the key
    rotates (``people.reindex``)."""
    number = normalized(personal_id)
    digest = login_digest(number)
    if not KeptNumber.objects.filter(digest=digest).exists():
        try:
            with transaction.atomic():
                KeptNumber.objects.create(digest=digest, sealed=seal_number(number))
        except IntegrityError:
            pass  # kept meanwhile by a concurrent request: the same number, the same digest
    return digest


def login_digests(personal_id: str) -> list[str]:
    """Every live digest of a number, the current one first: for lookups."""
    return blind_indexes(LOGIN_KEY, normalized(personal_id))


def account_by_number(personal_id: str) -> User | None:
    """The account of a number, whichever live key version its stored digest is under (raises
    ``DomainError`` for a malformed number, before any lookup). One digest a statement, the current
    one first: a digest names one account at most, and outside a re-indexing there is only one."""
    return account_by_digests(login_digests(personal_id))


def account_by_digests(digests: list[str]) -> User | None:
    """The account of the first of ``digests`` (a number's, current first) that names one."""
    for digest in digests:
        if (user := USER_BY_DIGEST.first(digest)) is not None:
            return user
    return None


def digests_of(user: User) -> list[str]:
    """Every digest that names ``user``: the stored one, and those of the sealed number under each live
    key version."""
    found = [user.login_digest] if user.login_digest else []
    number = sealed_number(user)
    if number is not None:
        found += [d for d in blind_indexes(LOGIN_KEY, number) if d not in found]
    return found


def masked(personal_id: str) -> str:
    return mask_personal_id(parse_personal_id(personal_id, foreigner=True).value)
