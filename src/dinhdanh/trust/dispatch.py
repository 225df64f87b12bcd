"""From domain events to notices (decision 0037 §3): one ``Notice`` — one signed SET — per relying party,
domain event and SET event type, written in the reader's batch transaction. Notices are unique on
(client, event, type), and those already made are skipped before anything is signed, so the re-read
window of ``event_feed`` costs a query, not a signature.

| domain event | SET event type | subject |
|---|---|---|
| organizations.locked | RISC account-disabled | the organization |
| organizations.unlocked | RISC account-enabled | the organization |
| organizations.terminated | RISC account-purged | the organization |
| organizations.representative_changed | CAEP token-claims-change | the organization |
| organizations.member_revoked, member_expired | CAEP session-revoked | the member within it |
| federation.consent_revoked | CAEP session-revoked, to that client only | the person (within it) |

Organization events go to every client with a live subscription to it and an active receiver; a
revoked consent to the client it named, subscribed or not, if it has an active receiver. After a
termination, a member's end or a revoked consent, the subscriptions of clients that no longer serve the
organization lapse (``subscriptions.subscriptions_lapse``), once the notice of that change is made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation

from dinhdanh.core.models import DomainEvent
from dinhdanh.federation.events import CONSENT_REVOKED
from dinhdanh.federation.models import Client, Consent
from dinhdanh.organizations import events as org_events
from dinhdanh.organizations.models import LockGround, Membership, Organization
from dinhdanh.people.models import User
from dinhdanh.trust import event_feed, sets
from dinhdanh.trust.models import Notice, Receiver, Subscription
from dinhdanh.trust.subscriptions import subscriptions_lapse

__all__ = ["CONSENT_REVOKED", "READER", "TYPES", "dispatch"]

READER = "notices"
_LOCKED, _UNLOCKED, _TERMINATED = org_events.LOCKED, org_events.UNLOCKED, org_events.TERMINATED
_REPRESENTATIVE = org_events.REPRESENTATIVE_CHANGED
_REVOKED, _EXPIRED = org_events.MEMBER_REVOKED, org_events.MEMBER_EXPIRED
TYPES = frozenset({_LOCKED, _UNLOCKED, _TERMINATED, _REPRESENTATIVE, _REVOKED, _EXPIRED, CONSENT_REVOKED})
# After these, a subscriber may no longer serve the organization: its subscription lapses (audited).
_ENDS_A_REASON = frozenset({_TERMINATED, _REVOKED, _EXPIRED, CONSENT_REVOKED})

# (SET event type, subject, event-specific members) for one relying party, or None: nothing to say.
Content = tuple[str, dict[str, Any], dict[str, Any]] | None


def _reason(vi: str, en: str) -> dict[str, dict[str, str]]:
    """CAEP 1.0 §2 ``reason_admin``: the same words in both languages, for the relying party's logs."""
    return {"reason_admin": {"vi": vi, "en": en}}


def _ground(code: object) -> dict[str, dict[str, str]]:
    try:
        ground = LockGround(str(code))
    except ValueError:
        return {}
    labels = []
    for language in ("vi", "en"):
        with translation.override(language):
            labels.append(str(ground.label))
    return _reason(*labels)


def _key(value: object) -> int:
    """A row id from a payload (0, which no row has, for anything else)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _member(event: DomainEvent) -> User | None:
    membership = Membership.objects.filter(pk=_key(event.payload.get("membership"))).select_related("user").first()
    return (
        membership.user if membership is not None and membership.organization_id == event.organization_id else None
    )


def _person(event: DomainEvent) -> User | None:
    """Whose consent it was (the payload names the consent; its representative may have revoked it)."""
    consent = Consent.objects.filter(pk=_key(event.payload.get("consent_id"))).select_related("user").first()
    return consent.user if consent is not None else None


def _organization_content(event: DomainEvent, eid: str) -> Callable[[Client], Content]:
    """What each subscribed relying party is told about this organization event."""
    whole = sets.organization_subject(eid)
    if event.type == _LOCKED:
        # RISC's two reasons (hijacking, bulk-account) are not ours; the legal ground goes in reason_admin.
        return lambda _client: (sets.ACCOUNT_DISABLED, whole, _ground(event.payload.get("ground")))
    if event.type == _UNLOCKED:
        return lambda _client: (sets.ACCOUNT_ENABLED, whole, {})
    if event.type == _TERMINATED:
        return lambda _client: (sets.ACCOUNT_PURGED, whole, _ground(event.payload.get("ground")))
    if event.type == _REPRESENTATIVE:
        claims = {"org": {"id": eid, "representative_changed_at": int(event.occurred_at.timestamp())}}
        reason = _reason("Thay đổi người đại diện theo pháp luật", "The legal representative changed")
        return lambda _client: (sets.TOKEN_CLAIMS_CHANGE, whole, {"claims": claims, **reason})
    member = _member(event)
    if member is None:
        return lambda _client: None
    if event.type == _EXPIRED:
        detail = {
            "initiating_entity": "system",
            **_reason("Quyền thành viên hết hạn", "The member's grant expired"),
        }
    else:
        own = event.payload.get("own") is True
        detail = {
            "initiating_entity": "user" if own else "admin",
            **_reason("Quyền thành viên bị thu hồi", "The member's grant was revoked"),
        }
    return lambda client: (sets.SESSION_REVOKED, sets.member_subject(member, eid, client), detail)


def _receiving(clients: Q) -> list[Client]:
    active = Receiver.objects.filter(active=True).values("client_id")
    return list(Client.objects.filter(clients, active=True, pk__in=active).order_by("pk"))


def _recipients(event: DomainEvent) -> tuple[list[Client], Callable[[Client], Content]]:
    organization_id = event.organization_id or 0
    organization = Organization.objects.filter(pk=organization_id).only("eid").first()
    eid = organization.eid if organization is not None else ""
    if event.type == CONSENT_REVOKED:
        client_id = event.payload.get("client_id")
        person = _person(event)
        if not isinstance(client_id, str) or person is None:
            return [], lambda _client: None
        by_person = event.payload.get("by") != "organization"
        detail = {
            "initiating_entity": "user" if by_person else "admin",
            **_reason("Sự đồng ý với bên sử dụng đã bị rút lại", "The consent given to the client was revoked"),
        }

        def consent(client: Client) -> Content:
            subject = sets.member_subject(person, eid, client) if eid else sets.person_subject(person, client)
            return sets.SESSION_REVOKED, subject, detail

        return _receiving(Q(client_id=client_id[:64])), consent
    if not eid:
        return [], lambda _client: None
    live = Subscription.objects.filter(organization_id=organization_id, ended_at__isnull=True)
    return _receiving(Q(pk__in=live.values("client_id"))), _organization_content(event, eid)


def _handle(event: DomainEvent, now: datetime) -> int:
    clients, content = _recipients(event)
    made: list[Notice] = []
    done = set(Notice.objects.filter(domain_event_id=event.pk).values_list("client_id", "event_type"))
    for client in clients:
        said = content(client)
        if said is None:
            continue
        event_type, subject, detail = said
        if (client.pk, event_type) in done:
            continue  # the re-read window: made on an earlier run
        jti, token = sets.make(
            client=client,
            event_type=event_type,
            subject=subject,
            detail=detail,
            txn=event.request_id,
            occurred=event.occurred_at,
            now=now,
        )
        made.append(
            Notice(
                jti=jti,
                client=client,
                organization_id=event.organization_id,
                domain_event_id=event.pk,
                event_type=event_type,
                token=token,
                next_attempt_at=now,
                created_at=now,
            )
        )
    # Two dispatchers racing on one event: the unique (client, event, type) keeps the first.
    Notice.objects.bulk_create(made, ignore_conflicts=True)
    if event.type in _ENDS_A_REASON and event.organization_id is not None:
        subscriptions_lapse(organization_id=event.organization_id, now=now)
    return len(made)


def dispatch(*, now: datetime | None = None) -> dict[str, int]:
    """Read the domain events not yet dispatched and write their notices; counts for the task log."""
    now = now or timezone.now()
    made = 0

    def handle(event: DomainEvent) -> None:
        nonlocal made
        made += _handle(event, now)

    read = event_feed.read(READER, handle, types=TYPES, now=now)
    return {"events": read, "notices": made}
