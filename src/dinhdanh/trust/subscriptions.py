"""Relying parties' receivers and subscriptions, and the administrators' requeue of a dead notice —
every write of the notices' part goes through here (the API and the back-office pages only call).

A client subscribes only to an organization it *serves*: a member grant in force names the client's
service, or a person gave the client a consent, not revoked, while acting for that organization. An
unknown organization gets the same refusal as one not served, so subscribing tells nothing about which
identification numbers exist. The receiver's ``Authorization`` value is sealed at rest (``core.sealed``)
and never shown again, logged or audited — only whether one is set.
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit
from dinhdanh.core.access import KernelPermission, require
from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.core.sealed import seal_text
from dinhdanh.federation.models import Client, Consent
from dinhdanh.organizations.models import MemberGrant, Organization, OrganizationStatus
from dinhdanh.organizations.selectors import in_force, organization_if_any
from dinhdanh.people.models import User
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.delivery import AUTHORIZATION_PURPOSE, endpoint_problem
from dinhdanh.trust.models import DeliveryMethod, Notice, NoticeState, Receiver, Subscription

__all__ = [
    "NoticeError",
    "client_summaries",
    "dead_letters",
    "notice_requeue",
    "notices_of",
    "receiver_of",
    "receiver_set",
    "serves",
    "subscribe",
    "subscriptions_of",
    "unsubscribe",
]

MAX_AUTHORIZATION = 1000


class NoticeError(ErrorCode):
    METHOD = ("trust.receiver_method", _("Cách nhận thông báo phải là push hoặc poll."), 400)
    ENDPOINT = (
        "trust.receiver_endpoint",
        _("Địa chỉ nhận thông báo không dùng được: {reason}. Cần địa chỉ HTTPS đầy đủ (HTTP chỉ cho máy cục bộ)."),
        400,
    )
    ENDPOINT_FOR_POLL = (
        "trust.receiver_endpoint_for_poll",
        _("Cách nhận poll không dùng địa chỉ nhận hay giá trị Authorization; hãy bỏ trống hai trường đó."),
        400,
    )
    AUTHORIZATION = (
        "trust.receiver_authorization",
        _("Giá trị Authorization phải là chuỗi ký tự ASCII in được, một dòng, tối đa 1000 ký tự."),
        400,
    )
    NOT_SERVED = (
        "trust.not_served",
        _(
            "Bên sử dụng chỉ đăng ký nhận thông báo về tổ chức mình phục vụ: có thành viên được ủy quyền cho dịch "
            "vụ của mình, hoặc có người đã đồng ý cho mình khi thao tác thay tổ chức đó."
        ),
        403,
    )
    NOT_SUBSCRIBED = ("trust.not_subscribed", _("Bên sử dụng chưa đăng ký nhận thông báo về tổ chức này."), 404)
    NOTICE_NOT_FOUND = ("trust.notice_not_found", _("Không có thông báo thay đổi này."), 404)
    NOT_DEAD = (
        "trust.notice_not_dead",
        _("Chỉ gửi lại được thông báo đã bị đưa vào danh sách không gửi được."),
        409,
    )


def _authorization(value: object) -> str:
    text = value if isinstance(value, str) else "" if value is None else None
    if text is None or len(text) > MAX_AUTHORIZATION or not all(" " <= c <= "~" for c in text):
        raise DomainError(NoticeError.AUTHORIZATION, field="authorization")
    return text.strip()


def _shown(url: str) -> str:
    """The endpoint as audited: without its query, which may carry a secret of the relying party's."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def receiver_set(
    *, actor: User | None, client: Client, method: str, endpoint_url: str = "", authorization: str | None = None
) -> Receiver:
    """How ``client`` receives its notices, replacing what was set (``authorization`` empty: none).
    ``actor`` is None when the client sets it itself through the API, else an administrator."""
    if actor is not None:
        require(actor, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
    if method not in DeliveryMethod.values:
        raise DomainError(NoticeError.METHOD, field="method")
    secret = _authorization(authorization)
    url = endpoint_url if isinstance(endpoint_url, str) else None
    if method == DeliveryMethod.POLL and (url or secret):
        raise DomainError(NoticeError.ENDPOINT_FOR_POLL, field="endpoint_url")
    if method == DeliveryMethod.PUSH and (problem := endpoint_problem(url)) is not None:
        raise DomainError(NoticeError.ENDPOINT, field="endpoint_url", reason=problem)
    now = timezone.now()
    with transaction.atomic():
        receiver, _created = Receiver.objects.select_for_update().get_or_create(client=client)
        before = {"method": receiver.method, "endpoint": _shown(receiver.endpoint_url)} if not _created else {}
        receiver.method, receiver.endpoint_url = method, url or ""
        receiver.authorization_sealed = seal_text(secret, purpose=AUTHORIZATION_PURPOSE) if secret else b""
        receiver.active, receiver.updated_at = True, now
        receiver.save(update_fields=["method", "endpoint_url", "authorization_sealed", "active", "updated_at"])
        audit.record(
            TrustAction.RECEIVER_SET,
            actor=actor,
            obj=client,
            before=before,
            after={
                "client_id": client.client_id,
                "method": method,
                "endpoint": _shown(receiver.endpoint_url),
                "authorization": bool(secret),
            },
        )
    return receiver


def serves(client: Client, organization: Organization, *, now: datetime | None = None) -> bool:
    """A member grant in force for the client's service, or a live consent given as the organization."""
    now = now or timezone.now()
    if client.service_id is not None:
        grants = MemberGrant.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=now),
            in_force(now, prefix="membership__"),
            service_id=client.service_id,
            service__active=True,
            revoked_at__isnull=True,
            valid_from__lte=now,
            membership__organization=organization,
        )
        if grants.exists():
            return True
    return Consent.objects.filter(client=client, organization=organization, revoked_at__isnull=True).exists()


def _served(client: Client, eid: object) -> Organization:
    organization = organization_if_any(eid) if isinstance(eid, str) and len(eid) <= 32 else None
    if organization is None or not serves(client, organization):
        raise DomainError(NoticeError.NOT_SERVED, field="organization")
    return organization


def subscribe(*, client: Client, eid: str) -> tuple[Subscription, bool]:
    """The client's live subscription to the organization numbered ``eid``, made if there is none
    (so a repeated call is harmless); and whether it was made now."""
    organization = _served(client, eid)
    live = Subscription.objects.filter(client=client, organization=organization, ended_at__isnull=True)
    if (existing := live.first()) is not None:
        return existing, False
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(client=client, organization=organization)
            audit.record(
                TrustAction.SUBSCRIPTION_STARTED,
                actor=None,
                obj=organization,
                after={"client_id": client.client_id, "subscription": subscription.pk},
            )
    except IntegrityError:  # a concurrent call made it first
        return live.get(), False
    return subscription, True


def unsubscribe(*, client: Client, eid: str) -> Subscription:
    organization = organization_if_any(eid) if isinstance(eid, str) and len(eid) <= 32 else None
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update()
            .filter(client=client, organization=organization, ended_at__isnull=True)
            .first()
            if organization is not None
            else None
        )
        if subscription is None:
            raise DomainError(NoticeError.NOT_SUBSCRIBED, field="organization")
        subscription.ended_at = timezone.now()
        subscription.save(update_fields=["ended_at"])
        audit.record(
            TrustAction.SUBSCRIPTION_ENDED,
            actor=None,
            obj=organization,
            after={"client_id": client.client_id, "subscription": subscription.pk},
        )
    return subscription


def subscriptions_lapse(*, organization_id: int, now: datetime | None = None) -> int:
    """End the live subscriptions to the organization of clients that no longer serve it (their
    service's last grant ended, the consent was revoked, the organization was terminated): a relying
    party hears of an organization only while it has a reason to. Called by the dispatcher after it has
    made the notice of the change that ended the reason, so that notice still goes out. Audited."""
    now = now or timezone.now()
    ended = 0
    live = Subscription.objects.select_related("client", "organization").filter(
        organization_id=organization_id, ended_at__isnull=True
    )
    for subscription in live:
        organization = subscription.organization
        if organization.status != OrganizationStatus.REVOKED and serves(
            subscription.client, organization, now=now
        ):
            continue
        with transaction.atomic():
            subscription.ended_at = now
            subscription.save(update_fields=["ended_at"])
            audit.record(
                TrustAction.SUBSCRIPTION_ENDED,
                actor=None,
                obj=organization,
                after={
                    "client_id": subscription.client.client_id,
                    "subscription": subscription.pk,
                    "lapsed": True,
                },
            )
        ended += 1
    return ended


def notice_requeue(*, actor: User, notice_id: int) -> Notice:
    """An administrator sends a dead notice again, with a fresh set of attempts."""
    require(actor, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(pk=notice_id).select_related("client").first()
        if notice is None:
            raise DomainError(NoticeError.NOTICE_NOT_FOUND)
        if notice.state != NoticeState.DEAD:
            raise DomainError(NoticeError.NOT_DEAD)
        before = {"state": notice.state, "attempts": notice.attempts, "last_error": notice.last_error}
        notice.state, notice.attempts, notice.next_attempt_at = NoticeState.PENDING, 0, timezone.now()
        notice.save(update_fields=["state", "attempts", "next_attempt_at"])
        audit.record(
            TrustAction.NOTICE_REQUEUED,
            actor=actor,
            obj=notice,
            before=before,
            after={"state": notice.state, "client_id": notice.client.client_id, "jti": notice.jti},
        )
    return notice


# --- reads ------------------------------------------------------------------------------------------


def receiver_of(client: Client) -> Receiver | None:
    return Receiver.objects.filter(client=client).first()


def subscriptions_of(client: Client) -> list[Subscription]:
    live = Subscription.objects.filter(client=client, ended_at__isnull=True)
    return list(live.select_related("organization").order_by("organization__eid"))


def dead_letters(client: Client, *, limit: int = 100) -> list[Notice]:
    dead = Notice.objects.filter(client=client, state=NoticeState.DEAD).select_related("organization")
    return list(dead.order_by("-pk")[:limit])


def client_summaries() -> list[dict[str, Any]]:
    """Per client with notices: how many wait, were delivered, are dead (administrators' page)."""
    counts = (
        Notice.objects.values("client_id", "client__name", "client__client_id")
        .annotate(
            pending=Count("pk", filter=Q(state=NoticeState.PENDING)),
            delivered=Count("pk", filter=Q(state=NoticeState.DELIVERED)),
            dead=Count("pk", filter=Q(state=NoticeState.DEAD)),
        )
        .order_by("client__name", "client_id")
    )
    return [dict(row) for row in counts]


def notices_of(client_id: str, *, state: str = "", limit: int = 200) -> tuple[Client | None, list[Notice]]:
    client = Client.objects.filter(client_id=client_id[:64]).first()
    if client is None:
        return None, []
    rows = Notice.objects.filter(client=client).select_related("organization")
    if state in NoticeState.values:
        rows = rows.filter(state=state)
    return client, list(rows.order_by("-pk")[:limit])
