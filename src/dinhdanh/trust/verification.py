"""Answers to relying parties' questions about organizations and the people who act for them (issue 13.1).

* **organization**: is it active? ``yes`` (active), ``no`` (locked or terminated), ``unknown`` (no such
  organization here), with its status and since when;
* **representative**: is this person its legal representative on day D? Compared through the login
  blind index under every live key version (``people.logins.login_digests``), never by number;
* **member**: may this person act for it in service S on day D? Full powers (the representative, the
  administrators, a member granted them) or a live grant for that service in use.

A day other than today is answered for the whole of it (``yes`` when the authorization was in force
from its first to its last instant), today for the instant of the call — the conservative reading
for evidence; the facts (periods, status since) are returned so a party can judge the rest. A lock or
termination in force on the day answers ``no`` with that status as the reason.

Every call is audited against the client (``trust.verification_asked``, counts only) and each answered
question kept as a ``Question`` (organization, kind, service, answer) — never the personal number. The
signed answer does not carry the number either: ``person_digest`` binds it instead, an HMAC under a
key of ours derived for that client, so the party (or a court) can have us confirm which person an
answer was about, while the token alone reveals nothing and links nobody across parties.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from dinhdanh.core import audit
from dinhdanh.core.context import current_request_id
from dinhdanh.core.keys import data_key
from dinhdanh.federation import keys
from dinhdanh.federation.models import Client
from dinhdanh.organizations import policy
from dinhdanh.organizations.models import (
    MemberRole,
    Membership,
    Organization,
    OrganizationStatus,
)
from dinhdanh.trust import ratelimit
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.verify_rows import Lookups, QuestionRow, add_questions, service_codes
from dinhdanh.trust.verify_schemas import OrganizationQuestion, PersonQuestion, Refusal

__all__ = ["TYP", "Outcome", "checked", "person_digest", "verification_ask", "verification_counted"]

TYP = "verification+jwt"
BINDING_KEY = "trust-verification-binding"
LOCAL = ZoneInfo(settings.TIME_ZONE)
PUBLIC_STATUS = {
    OrganizationStatus.ACTIVE: "active",
    OrganizationStatus.LOCKED: "locked",
    OrganizationStatus.REVOKED: "terminated",
}
Answer = Literal["yes", "no", "unknown"]
Parsed = OrganizationQuestion | PersonQuestion


def person_digest(client_id: str, number: str) -> str:
    """The number's HMAC-SHA-256 under our key derived for ``client_id`` (hex): stable for one party,
    different for each, recomputable only by us."""
    per_client = hmac.new(data_key(BINDING_KEY), client_id.encode(), hashlib.sha256).digest()
    return hmac.new(per_client, number.encode(), hashlib.sha256).hexdigest()


def _when(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if moment else None


def _earliest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def checked(questions: Sequence[Parsed | Refusal]) -> list[Parsed | Refusal]:
    """``questions`` with those naming a service we do not know turned into refusals (before the call
    is counted: a question that cannot be answered costs nothing)."""
    known = service_codes({q.service for q in questions if isinstance(q, PersonQuestion) and q.service})
    refusal = Refusal("service", "service is not a service code of this platform")
    return [
        refusal if isinstance(q, PersonQuestion) and q.question == "member" and q.service not in known else q
        for q in questions
    ]


def _period(question: PersonQuestion, now: datetime) -> tuple[datetime, datetime]:
    """The instants a ``yes`` must hold between: now for today, else the whole day (Asia/Ho_Chi_Minh)."""
    if question.on == now.astimezone(LOCAL).date():
        return now, now
    start = datetime.combine(question.on, time.min, tzinfo=LOCAL)
    return start, datetime.combine(question.on + timedelta(days=1), time.min, tzinfo=LOCAL) - timedelta(
        microseconds=1
    )


def _covers(start: datetime, end: datetime, valid_from: datetime, until: datetime | None) -> bool:
    return valid_from <= start and (until is None or until > end)


def _organization_facts(organization: Organization, lookups: Lookups) -> dict[str, Any]:
    return {
        "eid": organization.eid,
        "code": organization.code or None,
        "name": organization.name,
        "status": PUBLIC_STATUS.get(OrganizationStatus(organization.status), organization.status),
        "status_since": _when(lookups.status_since(organization)),
    }


def _blocked(organization: Organization, start: datetime, end: datetime) -> str:
    """``organization_locked`` / ``organization_terminated`` when a lock was in force in the period."""
    if start == end:  # now: the status says it
        if organization.status == OrganizationStatus.ACTIVE:
            return ""
        return (
            "organization_terminated"
            if organization.status == OrganizationStatus.REVOKED
            else "organization_locked"
        )
    lock = (
        organization.locks.filter(Q(unlocked_at__isnull=True) | Q(unlocked_at__gt=start), locked_at__lte=end)
        .order_by("-permanent", "-locked_at")
        .first()
    )
    if lock is None:
        return ""
    return "organization_terminated" if lock.permanent else "organization_locked"


def _representative(
    question: PersonQuestion, organization: Organization, lookups: Lookups, start: datetime, end: datetime
) -> tuple[Answer, dict[str, Any]]:
    current = bool(organization.representative_digest) and (
        organization.representative_digest in lookups.digests_of(question.number)
    )
    since = lookups.last_representative_change(organization)
    if since <= start:
        if current:
            return "yes", {"representative_since": _when(since)}
        return "no", {"reason": "not_representative"}
    # Before the present representative's term: only a representative membership of the person's
    # account says who it was (a representative without an account left no trace we can match).
    account = lookups.account(question.number)
    if account is not None:
        for held in Membership.objects.filter(
            organization=organization, user_id=account, role=MemberRole.REPRESENTATIVE
        ):
            until = _earliest(held.valid_until, held.revoked_at)
            if _covers(start, end, held.valid_from, until):
                return "yes", {
                    "representative_since": _when(held.valid_from),
                    "representative_until": _when(until),
                }
    return "unknown", {"reason": "representative_history_unknown"}


def _member(
    question: PersonQuestion, organization: Organization, lookups: Lookups, start: datetime, end: datetime
) -> tuple[Answer, dict[str, Any]]:
    service = lookups.service(question.service)
    account = lookups.account(question.number)
    held = lookups.held(organization, account, service) if account is not None else []
    if not held:
        return "no", {"reason": "not_a_member"}
    out_of_use: dict[str, Any] | None = None
    out_of_period: dict[str, Any] | None = None
    for found in held:
        membership = found.membership
        # As organizations.selectors.membership_covers: full powers cover every service, in use or
        # not; a named grant covers its service while that service is in use.
        full = policy.has_full_powers(membership)
        until = _earliest(membership.valid_until, membership.revoked_at)
        periods = [(membership.valid_from, until)]
        if not full:  # the grants read are those for the service asked about
            periods = [
                (max(membership.valid_from, valid_from), _earliest(until, valid_until, revoked_at))
                for valid_from, valid_until, revoked_at in found.grants
            ]
        for begin, finish in periods:
            facts = {
                "role": membership.role,
                "full_powers": full,
                "valid_from": _when(begin),
                "valid_until": _when(finish),
            }
            if not _covers(start, end, begin, finish):
                out_of_period = out_of_period or facts
            elif full or (service is not None and service.active):
                return "yes", facts
            else:
                out_of_use = out_of_use or facts
    if out_of_use is not None:
        return "no", {"reason": "service_not_in_use", **out_of_use}
    if out_of_period is not None:
        return "no", {"reason": "not_in_force_on_date", **out_of_period}
    return "no", {"reason": "no_grant_for_service"}


def _answer(
    question: Parsed, client: Client, lookups: Lookups, now: datetime
) -> tuple[dict[str, Any], str, int | None]:
    """The answer's members, the ``Question.kind`` and the organization's pk (None when unknown)."""
    organization = lookups.organization(question.via, question.organization)
    asked: dict[str, Any] = {"kind": question.kind, "organization": question.organization}
    kind: str
    if isinstance(question, PersonQuestion):
        kind = question.question
        asked |= {"question": question.question, "on": question.on.isoformat()}
        if question.service:
            asked["service"] = question.service
        asked["person_digest"] = person_digest(client.client_id, question.number)
    else:
        kind = "organization_active"
    if organization is None:
        return {**asked, "answer": "unknown", "reason": "organization_unknown"}, kind, None
    facts = _organization_facts(organization, lookups)
    if isinstance(question, OrganizationQuestion):
        answer: Answer = "yes" if organization.status == OrganizationStatus.ACTIVE else "no"
        return {**asked, "answer": answer, **facts}, kind, organization.pk
    start, end = _period(question, now)
    if reason := _blocked(organization, start, end):
        return {**asked, "answer": "no", "reason": reason, **facts}, kind, organization.pk
    decide = _representative if question.question == "representative" else _member
    answer, found = decide(question, organization, lookups, start, end)
    return {**asked, "answer": answer, **found, **facts}, kind, organization.pk


@dataclass(frozen=True, slots=True)
class Outcome:
    items: list[dict[str, Any]]  # one a question, in order: an answer, or a refusal's error members
    token: str  # the compact JWS (typ verification+jwt) over them


def _answers(
    client: Client, questions: Sequence[Parsed | Refusal], now: datetime, batch: bool
) -> tuple[list[dict[str, Any]], list[QuestionRow], Counter[str]]:
    lookups = Lookups()
    items: list[dict[str, Any]] = []
    rows: list[QuestionRow] = []
    counts: Counter[str] = Counter()
    for index, question in enumerate(questions):
        if isinstance(question, Refusal):
            items.append({"index": index, **question.as_item()} if batch else question.as_item())
            counts["refused"] += 1
            continue
        item, kind, organization_id = _answer(question, client, lookups, now)
        items.append({"index": index, **item} if batch else item)
        counts[f"{kind}.{item['answer']}"] += 1
        service = question.service if isinstance(question, PersonQuestion) else ""
        rows.append(
            QuestionRow(organization_id=organization_id, kind=kind, service=service, answer=item["answer"])
        )
    return items, rows, counts


def _kept(
    client: Client, questions: Sequence[Parsed | Refusal], now: datetime, batch: bool
) -> list[dict[str, Any]]:
    """Answers the questions and keeps them with the call's audit event, in the caller's transaction.
    The event goes to a reads chain: a relying party's question is a look at an organization's data,
    and must not queue behind every nationwide decision on the ``central`` head (decision 0039)."""
    items, rows, counts = _answers(client, questions, now, batch)
    add_questions(client_id=client.pk, rows=rows, asked_at=now, request_id=current_request_id()[:64])
    audit.record(
        TrustAction.VERIFICATION_ASKED,
        actor=None,
        obj=client,
        after={"questions": len(questions), "batch": batch, "counts": dict(sorted(counts.items()))},
        read=True,
    )
    return items


def _signed(client: Client, items: list[dict[str, Any]], now: datetime, batch: bool) -> Outcome:
    claims: dict[str, Any] = {
        "iss": settings.FEDERATION_ISSUER,
        "aud": client.client_id,
        "iat": int(now.timestamp()),
        "jti": secrets.token_urlsafe(18),
    }
    claims |= {"answers": items} if batch else items[0]
    return Outcome(items=items, token=keys.sign(claims, typ=TYP))


def verification_ask(
    *, client: Client, questions: Sequence[Parsed | Refusal], now: datetime, batch: bool
) -> Outcome:
    """Answer ``questions`` for ``client`` (already authenticated and counted), keep them, audit the
    call and sign the answers: one JWS over the answer (single) or over all of them (batch)."""
    with transaction.atomic(savepoint=False):
        items = _kept(client, questions, now, batch)
    return _signed(client, items, now, batch)


def verification_counted(
    *, client: Client, questions: Sequence[Parsed | Refusal], now: datetime, batch: bool
) -> Outcome | ratelimit.Allowance:
    """``verification_ask`` for a client not yet counted: its minute's count, the answers, the kept
    questions and the audit event in one transaction (one commit a call, decision 0039). Over the limit,
    the refusal (nothing read, nothing written); the signature is made after the commit."""
    with transaction.atomic():
        allowance = ratelimit.count(client=client, questions=len(questions), now=now)
        if not allowance.allowed:
            transaction.set_rollback(True)
            return allowance
        items = _kept(client, questions, now, batch)
    return _signed(client, items, now, batch)
