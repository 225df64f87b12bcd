"""Alerts before keys and certificates expire (issue 13.5), and the administrators' view of them: the
30/7/1-day thresholds and the one "expired" alert (``credentials.due_alert``), sent through the outbox;
what is tracked, and how, is ``credentials``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import KernelPermission, roles_with
from dinhdanh.core.selectors import staff_assignments
from dinhdanh.federation.models import Client
from dinhdanh.notifications.models import Channel
from dinhdanh.notifications.services import notify
from dinhdanh.registries.sources import Source
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.credentials import EXPIRED, TEMPLATE, THRESHOLDS, due_alert, require_admin, shown_date
from dinhdanh.trust.models import TrackedCredential

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["Overview", "Row", "alerts_due", "credentials_overview"]


# --- alerts -------------------------------------------------------------------------------------------


def _owner(row: TrackedCredential) -> str:
    if row.client is not None:
        return row.client.name
    return str(Source(row.partner_source).label) if row.partner_source in Source.values else row.partner_source


def _administrators() -> list[User]:
    held = roles_with(KernelPermission.ADMINISTER_SYSTEM)
    people: dict[int, User] = {}
    for assignment in staff_assignments().filter(role__in=held, user__is_active=True):
        people.setdefault(assignment.user.pk, assignment.user)
    return list(people.values())


def _send(row: TrackedCredential, days: int, admins: list[User]) -> int:
    params: dict[str, str | int] = {
        "kind": "expired" if days == EXPIRED else "expiring",
        "organization": _owner(row),
        "number": row.label,
        "due": shown_date(row.not_after),
    }
    sent, addressed = 0, set()
    targets: list[tuple[str, User | None]] = [(row.contact_email, None)] if row.contact_email else []
    targets += [(admin.email, admin) for admin in admins if admin.email]
    for address, user in targets:
        if address.lower() in addressed:
            continue
        addressed.add(address.lower())
        language = (user.preferred_language if user is not None else "") or "vi"
        message = notify(
            channel=Channel.EMAIL, to=address, template=TEMPLATE, params=params, language=language, user=user
        )
        sent += message is not None
    return sent


def alerts_due(*, now: datetime | None = None) -> dict[str, int]:
    """Send the alerts due at ``now``; each credential in its own transaction, so one bad row does not
    hold back the others, and a row whose alert was sent is marked in the same transaction."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(THRESHOLDS))
    candidates = list(
        TrackedCredential.objects.filter(gone_at__isnull=True, not_after__lte=horizon)
        .order_by("not_after", "pk")
        .values_list("pk", flat=True)
    )
    admins = _administrators()
    counts = {"alerted": 0, "messages": 0}
    for pk in candidates:
        with transaction.atomic():
            row = (
                # "self": client is a nullable join (partners have none), which PostgreSQL will not lock.
                TrackedCredential.objects.select_for_update(of=("self",))
                .select_related("client")
                .filter(pk=pk, gone_at__isnull=True)
                .first()
            )
            days = due_alert(row.not_after, list(row.alerts_sent), now) if row is not None else None
            if row is None or days is None:
                continue
            messages = _send(row, days, admins)
            row.alerts_sent = [*row.alerts_sent, days]
            row.save(update_fields=["alerts_sent"])
            audit.record(
                TrustAction.CREDENTIAL_ALERTED, actor=None, obj=row, after={"days": days, "messages": messages}
            )
            counts["alerted"] += 1
            counts["messages"] += messages
    return counts


# --- the administrators' view --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    credential: TrackedCredential
    owner: str
    days_left: int  # whole days, negative once expired
    level: str  # "expired" | "1" | "7" | "30" | ""


@dataclass(frozen=True)
class Overview:
    rows: list[Row]
    by_address: list[Client]  # active clients with keys at a jwks_uri and nothing tracked: not watched


def _level(not_after: datetime, now: datetime) -> str:
    if now > not_after:
        return "expired"
    return next((str(d) for d in sorted(THRESHOLDS) if not_after - now <= timedelta(days=d)), "")


def credentials_overview(*, actor: User | None, now: datetime | None = None) -> Overview:
    """Live credentials, soonest expiry first; the same rule as every write here: administrators only."""
    require_admin(actor, fresh=False)
    now = now or timezone.now()
    live = (
        TrackedCredential.objects.filter(gone_at__isnull=True).select_related("client").order_by("not_after", "pk")
    )
    rows = [Row(c, _owner(c), (c.not_after - now) // timedelta(days=1), _level(c.not_after, now)) for c in live]
    watched = TrackedCredential.objects.filter(gone_at__isnull=True, client__isnull=False).values("client_id")
    by_address = list(
        Client.objects.filter(active=True, jwks__isnull=True)
        .exclude(jwks_uri="")
        .exclude(pk__in=watched)
        .order_by("name")
    )
    return Overview(rows, by_address)
