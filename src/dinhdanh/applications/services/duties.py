"""Separation of duties on a request (issue 10.2, decision 0011).

- **No conflict of interest**: the applicant, the representative or a co-representative named in the
  request, and the representative or a live member of the organization it concerns never assign,
  verify or decide it — whatever their role and jurisdiction.
- **Four eyes**: when a check listed in ``FOUR_EYES_CHECKS`` found a mismatch with the registry, or
  the request's kind is in ``FOUR_EYES_KINDS``, approval takes two different officers. The first
  approval is a ``SignOff`` tied to the evidence it saw; the second officer's approval carries it out.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from django.conf import settings

from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.models import Application, CheckOutcome, SignOff
from dinhdanh.applications.services.common import deny
from dinhdanh.organizations.models import Membership
from dinhdanh.people.logins import digests_of

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["conflicted", "evidence_of", "four_eyes_reasons", "require_no_conflict", "valid_sign_offs"]


def _named_digests(application: Application) -> set[str]:
    data = application.data if isinstance(application.data, dict) else {}
    people = [data.get("representative") or {}, *(data.get("co_representatives") or [])]
    return {str(p.get("digest")) for p in people if isinstance(p, dict) and p.get("digest")}


def conflicted(user: User, application: Application) -> bool:
    if user.pk == application.applicant_id:
        return True
    mine = digests_of(user)  # every key version: a request named them before the index key rotated
    if set(mine) & _named_digests(application):
        return True
    if application.consents.filter(person_digest__in=mine).exists():
        return True
    organization = application.organization
    if organization is None:
        return False
    if organization.representative_id == user.pk or organization.representative_digest in mine:
        return True
    return Membership.objects.filter(organization=organization, user=user, revoked_at__isnull=True).exists()


def require_no_conflict(actor: User, application: Application) -> None:
    if conflicted(actor, application):
        deny(actor, application, ApplicationError.CONFLICT_OF_INTEREST)


# ``application.checks.all()`` below: one read per request, or none when the caller prefetched them
# (``application_approve`` does, for the acknowledgement, four eyes, the evidence and its answer).


def four_eyes_reasons(application: Application) -> list[str]:
    reasons = [f"kind:{application.kind}"] if application.kind in settings.FOUR_EYES_KINDS else []
    failed = [
        c.kind
        for c in application.checks.all()
        if c.kind in settings.FOUR_EYES_CHECKS and c.outcome == CheckOutcome.MISMATCH
    ]
    reasons += [f"check:{kind}" for kind in sorted(failed)]
    return reasons


def evidence_of(application: Application) -> str:
    checks = sorted(
        (c.kind, c.outcome, c.submitted_value, c.registry_value, c.registry_source)
        for c in application.checks.all()
    )
    blob = json.dumps([application.data, checks], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def valid_sign_offs(application: Application) -> list[SignOff]:
    """The first approvals that still stand (same evidence), oldest first."""
    return list(
        SignOff.objects.filter(application=application, evidence=evidence_of(application))
        .select_related("officer")
        .order_by("at", "pk")
    )
