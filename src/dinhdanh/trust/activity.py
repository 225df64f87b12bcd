"""Audit both ways (issue 13.6): every act done in an organization's name, for its managers; every
organization a person acted for and where, for that person.

An organization's acts come from four places, merged newest first: sign-ins at relying parties in its
name (``federation.signed_in_as`` events — codes and tokens themselves are pruned a day after they
expire, the events stay), consents given or revoked in its name (the audit events of its consents), its
own access history (issuance, changes, switches, grants: ``organizations.selectors.access_history``)
and the verification questions relying parties asked about it (``trust.Question``). A person's come
from the domain events they are the actor of: switching to an organization here, signing in at a
relying party as it, revoking a consent given in its name.

People are named by name and masked number (``User.audit_label``), never by their number. Pages are
bounded: each source is read at most ``MAX_PAGES * PAGE_SIZE`` rows deep, so a deep page costs what
the thousandth row costs; older acts stay in the audit log.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.db.models import CharField, Count, Max, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.core.events import registered
from dinhdanh.core.models import AuditEvent, DomainEvent
from dinhdanh.federation.audit_actions import FederationAction
from dinhdanh.federation.events import CONSENT_REVOKED, SIGNED_IN_AS
from dinhdanh.federation.models import AccessToken, Client, Consent
from dinhdanh.organizations import policy
from dinhdanh.organizations.events import ACTED_AS
from dinhdanh.organizations.models import Organization
from dinhdanh.organizations.selectors import access_history, membership_in_force
from dinhdanh.people.models import User
from dinhdanh.trust.models import Question

__all__ = [
    "MAX_PAGES",
    "PAGE_SIZE",
    "Act",
    "ActPage",
    "ActivityError",
    "Place",
    "organization_activity",
    "person_activity",
    "person_places",
]

PAGE_SIZE = 50
MAX_PAGES = 20

CONSENT_TYPE = Consent._meta.label_lower
CONSENT_ACTIONS = (FederationAction.CONSENT_GRANTED.value, FederationAction.CONSENT_REVOKED.value)
PERSON_KINDS = {ACTED_AS: "acted_as", SIGNED_IN_AS: "sign_in", CONSENT_REVOKED: "consent"}
PERSON_EVENTS = tuple(PERSON_KINDS)

QUESTION_KINDS: dict[str, StrOrPromise] = {
    "organization_active": _("Tổ chức có đang hoạt động không"),
    "representative": _("Một người có phải người đại diện theo pháp luật không"),
    "member": _("Một người có được thay mặt tổ chức trong dịch vụ không"),
}
ANSWERS: dict[str, StrOrPromise] = {"yes": _("Có"), "no": _("Không"), "unknown": _("Không rõ")}


class ActivityError(ErrorCode):
    NOT_MANAGER = (
        "trust.activity_not_manager",
        _("Chỉ người đại diện theo pháp luật và quản trị của tổ chức được xem các hoạt động nhân danh tổ chức."),
        403,
    )


@dataclass(frozen=True)
class Act:
    """One act, as a page shows it: when, what kind, by whom, where (a relying party or this portal),
    for which organization (a person's page) and what was said or answered."""

    at: datetime
    kind: str  # sign_in | consent | access | question | acted_as
    what: StrOrPromise
    who: str = ""
    where: str = ""
    organization: str = ""
    detail: StrOrPromise = ""


@dataclass(frozen=True)
class ActPage:
    acts: list[Act]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class Place:
    """Where a person acted for an organization: at a relying party (``client``) or on this portal
    (``client`` empty), how many times, last when, and how many access tokens are live there now."""

    organization: Organization
    client: Client | None
    times: int
    last: datetime
    live_tokens: int


def _page_number(number: int | None) -> int:
    return min(max(1, number or 1), MAX_PAGES)


def _paged(sources: Iterable[Iterable[Act]], number: int, size: int) -> ActPage:
    """Newest first across ``sources`` (each already newest first)."""
    start = (number - 1) * size
    merged = list(islice(heapq.merge(*sources, key=lambda act: act.at, reverse=True), start, start + size + 1))
    return ActPage(acts=merged[:size], number=number, has_next=len(merged) > size and number < MAX_PAGES)


def _clients(client_ids: Iterable[str]) -> dict[str, Client]:
    wanted = {c for c in client_ids if isinstance(c, str) and c}
    return {c.client_id: c for c in Client.objects.filter(client_id__in=wanted)} if wanted else {}


def _client_name(clients: dict[str, Client], client_id: object) -> str:
    client = clients.get(client_id) if isinstance(client_id, str) else None
    return client.name if client is not None else ""


def _label(user: User | None) -> str:
    return user.audit_label if user is not None else ""


def _event_label(type: str) -> StrOrPromise:
    known = registered().get(type)
    return known.label if known is not None else type


# --- an organization's acts ---------------------------------------------------------------------------


def _sign_ins(organization: Organization, depth: int) -> Iterator[Act]:
    rows = list(
        DomainEvent.objects.filter(type=SIGNED_IN_AS, organization_id=organization.pk)
        .select_related("actor")
        .order_by("-occurred_at", "-pk")[:depth]
    )
    clients = _clients(str(r.payload.get("client_id", "")) for r in rows if isinstance(r.payload, dict))
    for row in rows:
        payload = row.payload if isinstance(row.payload, dict) else {}
        yield Act(
            at=row.occurred_at, kind="sign_in", what=_event_label(row.type), who=_label(row.actor),
            where=_client_name(clients, payload.get("client_id")), detail=str(payload.get("acr", "")),
        )  # fmt: skip


def _consent_acts(organization: Organization, depth: int) -> Iterator[Act]:
    ids = (
        Consent.objects.filter(organization=organization)
        .annotate(key=Cast("pk", output_field=CharField()))
        .values("key")
    )
    rows = list(
        AuditEvent.objects.filter(
            object_type=CONSENT_TYPE, object_id__in=ids, action__in=CONSENT_ACTIONS
        ).order_by("-occurred_at", "-pk")[:depth]
    )
    consents = Consent.objects.filter(pk__in={int(r.object_id) for r in rows}).select_related("client", "user")
    by_key = {str(c.pk): c for c in consents}
    for row in rows:
        consent = by_key.get(row.object_id)
        after = row.after if isinstance(row.after, dict) else {}
        yield Act(
            at=row.occurred_at, kind="consent", what=row.get_action_display(), who=row.actor_label,
            where=consent.client.name if consent is not None else "",
            detail=str(after.get("scope", "")) if row.action == FederationAction.CONSENT_GRANTED.value else "",
        )  # fmt: skip


def _access(organization: Organization, depth: int) -> Iterator[Act]:
    for row in access_history(organization, limit=depth):
        yield Act(at=row.occurred_at, kind="access", what=row.get_action_display(), who=row.actor_label)


def _questions(organization: Organization, depth: int) -> Iterator[Act]:
    rows = Question.objects.filter(organization=organization).select_related("client").order_by("-asked_at", "-pk")
    for row in rows[:depth]:
        kind = QUESTION_KINDS.get(row.kind, row.kind)
        asked = f"{kind} ({row.service})" if row.service else kind
        yield Act(
            at=row.asked_at, kind="question", what=asked, where=row.client.name,
            detail=ANSWERS.get(row.answer, row.answer),
        )  # fmt: skip


def may_read_activity(actor: User, organization: Organization) -> bool:
    """The organization's managers (``organizations.policy``), in force now."""
    return policy.may_read_history(membership_in_force(actor, organization))


def organization_activity(
    actor: User, organization: Organization, *, number: int | None = 1, size: int = PAGE_SIZE
) -> ActPage:
    """Page ``number`` of the acts done in the organization's name, newest first; 403 unless ``actor``
    is its legal representative or an administrator in force."""
    if not may_read_activity(actor, organization):
        raise DomainError(ActivityError.NOT_MANAGER)
    page = _page_number(number)
    depth = page * size + 1
    sources = (
        _sign_ins(organization, depth),
        _consent_acts(organization, depth),
        _access(organization, depth),
        _questions(organization, depth),
    )
    return _paged(sources, page, size)


# --- a person's acts --------------------------------------------------------------------------------


def _person_events(user: User) -> QuerySet[DomainEvent]:
    return DomainEvent.objects.filter(actor=user, type__in=PERSON_EVENTS, organization_id__isnull=False)


def person_activity(user: User, *, number: int | None = 1, size: int = PAGE_SIZE) -> ActPage:
    """Page ``number`` of what ``user`` did as an organization, newest first: switching to it here,
    signing in at a relying party as it, revoking a consent given in its name. Only their own."""
    if not isinstance(user, User) or not user.is_authenticated:
        return ActPage(acts=[], number=1, has_next=False)
    page = _page_number(number)
    start = (page - 1) * size
    rows = list(_person_events(user).order_by("-occurred_at", "-pk")[start : start + size + 1])
    names = dict(Organization.objects.filter(pk__in={r.organization_id for r in rows}).values_list("pk", "name"))
    payloads = [r.payload if isinstance(r.payload, dict) else {} for r in rows]
    clients = _clients(str(p.get("client_id", "")) for p in payloads)
    acts = [
        Act(
            at=row.occurred_at,
            kind=PERSON_KINDS.get(row.type, "sign_in"),
            what=_event_label(row.type),
            where=_client_name(clients, payload.get("client_id")),
            organization=names.get(row.organization_id or 0, ""),
        )
        for row, payload in zip(rows, payloads, strict=True)
    ]
    return ActPage(acts=acts[:size], number=page, has_next=len(acts) > size and page < MAX_PAGES)


def person_places(user: User) -> list[Place]:
    """Every organization ``user`` acted for and where — this portal or each relying party — with how
    often, when last, and the access tokens live there now; most recent first."""
    if not isinstance(user, User) or not user.is_authenticated:
        return []
    grouped = (
        _person_events(user)
        .filter(type__in=(ACTED_AS, SIGNED_IN_AS))
        .values("organization_id", "type", "payload__client_id")
        .annotate(times=Count("pk"), last=Max("occurred_at"))
    )
    now = timezone.now()
    live = {
        (row["organization_id"], row["client_id"]): (row["n"], row["last"])
        for row in AccessToken.objects.filter(
            user=user, organization__isnull=False, revoked_at__isnull=True, expires_at__gt=now
        )
        .values("organization_id", "client_id")
        .annotate(n=Count("pk"), last=Max("issued_at"))
    }
    groups = list(grouped)
    organizations = Organization.objects.in_bulk(
        {g["organization_id"] for g in groups} | {org for org, _client in live}
    )
    clients = _clients(str(g["payload__client_id"]) for g in groups if g["type"] == SIGNED_IN_AS)
    by_pk = {c.pk: c for c in clients.values()}
    by_pk |= Client.objects.in_bulk({c for _org, c in live} - by_pk.keys())
    places: list[Place] = []
    for group in groups:
        organization = organizations.get(group["organization_id"])
        client = clients.get(str(group["payload__client_id"])) if group["type"] == SIGNED_IN_AS else None
        if organization is None or (group["type"] == SIGNED_IN_AS and client is None):
            continue
        tokens, _last = live.pop((organization.pk, client.pk), (0, None)) if client is not None else (0, None)
        places.append(Place(organization, client, group["times"], group["last"], tokens))
    # Tokens from sign-ins made before sign-ins were recorded as events: still a place they acted.
    for (organization_id, client_pk), (tokens, last) in live.items():
        organization, client = organizations.get(organization_id), by_pk.get(client_pk)
        if organization is not None and client is not None:
            places.append(Place(organization, client, 0, last, tokens))
    return sorted(places, key=lambda p: p.last, reverse=True)
