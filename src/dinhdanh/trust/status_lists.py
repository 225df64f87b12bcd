"""Status lists of attestations (draft-ietf-oauth-status-list, "Token Status List"; decision 0037).

* An attestation gets an entry at a random free index of a list of 65,536 two-bit entries, so that an
  index says nothing about when or for whom it was issued (the draft's "herd privacy"); a list is left
  for a new one once three quarters of it are handed out, so a random pick rarely misses.
* The published list is built from the attestations' rows each time it is asked for — the rows are
  the truth, and 16 KiB of zeros compress to a few dozen bytes — and served as a signed
  ``statuslist+jwt`` at ``/trust/status-lists/<id>``, cacheable for ``TTL`` seconds.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dinhdanh.federation import keys
from dinhdanh.trust.models import Attestation, StatusList, TokenStatus
from dinhdanh.trust.offline_verify import STATUS_LIST_TYP, encode_status_list

__all__ = ["FILL", "LIFETIME", "TTL", "allocate", "status_list_token", "status_list_uri"]

PURPOSE = "attestation"
SIZE = 1 << 16
BITS = 2
FILL = 3 / 4  # a list takes no more entries past this share
TTL = 300  # seconds a relying party may keep the list before asking again
LIFETIME = 24 * 3600  # the list token's exp: how stale an offline copy may be and still be believed
_RANDOM_TRIES = 32


def status_list_uri(status_list: StatusList) -> str:
    """The ``sub`` of the list token and the ``uri`` of each attestation's entry."""
    path = reverse("attestations:status_list", kwargs={"pk": status_list.pk})
    return f"{settings.FEDERATION_ISSUER}{path}"


def _open_list(now: datetime) -> StatusList:
    """The list new entries go to, under a row lock (one allocation at a time per list)."""
    limit = int(SIZE * FILL)
    found = (
        StatusList.objects.select_for_update()
        .filter(purpose=PURPOSE, bits=BITS, size=SIZE, used__lt=limit)
        .order_by("pk")
        .first()
    )
    return found or StatusList.objects.create(purpose=PURPOSE, bits=BITS, size=SIZE, created_at=now)


def _free_index(status_list: StatusList) -> int:
    taken = Attestation.objects.filter(status_list=status_list)
    for _try in range(_RANDOM_TRIES):
        index = secrets.randbelow(status_list.size)
        if not taken.filter(status_index=index).exists():
            return index
    # Unlucky (or a list filled by hand): pick among the free ones for certain.
    used = set(taken.values_list("status_index", flat=True))
    free = [i for i in range(status_list.size) if i not in used]
    return free[secrets.randbelow(len(free))]


def allocate(*, now: datetime | None = None) -> tuple[StatusList, int]:
    """A list and a free random index in it, counted as used. Call inside the transaction that
    creates the attestation: the list's row lock keeps two issuances off the same index."""
    now = now or timezone.now()
    with transaction.atomic():
        status_list = _open_list(now)
        index = _free_index(status_list)
        status_list.used += 1
        status_list.save(update_fields=["used"])
    return status_list, index


def status_list_token(status_list: StatusList, *, now: datetime | None = None) -> str:
    """The signed Status List Token (the draft's "Status List Token in JWT Format")."""
    now = now or timezone.now()
    entries = dict(
        Attestation.objects.filter(status_list=status_list)
        .exclude(status=TokenStatus.VALID)
        .values_list("status_index", "status")
    )
    issued = int(now.timestamp())
    claims = {
        "iss": settings.FEDERATION_ISSUER,
        "sub": status_list_uri(status_list),
        "iat": issued,
        "exp": issued + LIFETIME,
        "ttl": TTL,
        "status_list": {
            "bits": status_list.bits,
            "lst": encode_status_list(entries, size=status_list.size, bits=status_list.bits),
        },
    }
    return keys.sign(claims, typ=STATUS_LIST_TYP)
