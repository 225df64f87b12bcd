"""Typed domain events: what happened, for campaigns to count and relying-party notices to send.

The audit log says *who did what* (accountability, hash-chained); a domain event says *what changed in
the world*, with the organization, unit, province and category as they were at that moment, so that a
count for last quarter does not move when a head office moves today (decision 0020). A service calls
:func:`emit` in its own transaction, next to ``audit.record``: the event and the change land together
or not at all.

The kernel knows no domain: each app registers its own event types, namespaced by the app
(``applications.submitted``), with :func:`register` in its ``events`` module, which its AppConfig
imports in ``ready()`` so that the registry is complete once Django is set up.

A category may be refined at the event by an app above (:func:`refine_category`): an organization of
category ``tax_agency`` whose tax code is on the police's list of its units is counted as ``police``
(decision 0043). The event keeps what was known at the time, so a list that arrives later changes no
past event and the counts rebuilt from the events stay what they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dinhdanh.core import audit, tail
from dinhdanh.core.context import current_request_id
from dinhdanh.core.models import DomainEvent
from dinhdanh.core.rows import Insert

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from django.db.models import Model, QuerySet
    from django_stubs_ext import StrOrPromise

    from dinhdanh.people.models import User

# "<app label>.<what happened>": lower case, the app first so that two apps never collide.
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class EventType:
    name: str
    label: StrOrPromise


_REGISTRY: dict[str, EventType] = {}
type Listener = Callable[[DomainEvent], None]
_LISTENERS: list[Listener] = []
# (organization or None, its tax code, the category so far) -> the category the event keeps.
type Refiner = Callable[[Model | None, str, str], str]
_REFINERS: dict[str, list[Refiner]] = {}


def register(name: str, label: StrOrPromise) -> str:
    """Declare an event type (at import of the app's ``events`` module); returns the name to emit."""
    if not _NAME.match(name) or len(name) > 64:
        raise ValueError(f"event type {name!r} is not '<app>.<event>'")
    known = _REGISTRY.get(name)
    if known is not None and str(known.label) != str(label):
        raise ValueError(f"event type {name!r} registered twice with different meanings")
    _REGISTRY[name] = EventType(name, label)
    return name


def registered() -> dict[str, EventType]:
    return dict(_REGISTRY)


def listen(listener: Listener) -> None:
    """Call ``listener`` with every event, in the transaction that writes it (an app's ``ready()``
    registers it): what it writes lands with the event or not at all, and what it raises undoes both.
    Campaigns keep their daily counts so (issue 14.4). Registering the same function again is a no-op."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def refine_category(category: str, refiner: Refiner) -> None:
    """Let ``refiner`` decide the category of every event whose category is ``category`` (an app's
    ``ready()`` registers it; the kernel imports nothing higher). Keyed by the category, so that the
    events of every other category do not even call it. Registering the same function again is a no-op."""
    refiners = _REFINERS.setdefault(category, [])
    if refiner not in refiners:
        refiners.append(refiner)


def _refined(category: str, organization: Model | None, tax_code: str | None) -> str:
    for refiner in _REFINERS.get(category, ()):
        code = tax_code if tax_code is not None else str(getattr(organization, "code", "") or "")
        category = refiner(organization, code, category)
    return category


def _organization_facts(organization: Model | None) -> tuple[int | None, Any, str]:
    """Id, head office and category of an organization-like object (duck typed: no app import)."""
    if organization is None:
        return None, None, ""
    pk = organization.pk if isinstance(organization.pk, int) else None
    return pk, getattr(organization, "head_office", None), str(getattr(organization, "category", "") or "")


def emit(
    type: str,
    *,
    actor: User | None,
    organization: Model | None = None,
    unit: Any = None,
    category: str = "",
    tax_code: str | None = None,
    payload: dict[str, Any] | None = None,
) -> DomainEvent:
    """Write one event of a registered ``type``. Unit and category default to the organization's
    head office and category *now*, which is "as they were at the time" because the event is written
    in the transaction that changes them; the category then goes through its refiners with
    ``tax_code`` (None: the organization's ``code``). Payload values under sensitive keys are redacted.
    Inside ``core.tail.hot_rows_last`` the event and its listeners' writes happen when that block ends."""
    if type not in _REGISTRY:
        raise ValueError(f"unregistered event type {type!r}")  # a programming error, not a refusal
    organization_id, head_office, organization_category = _organization_facts(organization)
    unit = unit if unit is not None else head_office
    kept = _refined(category or organization_category, organization, tax_code)
    event = DomainEvent(
        type=type,
        occurred_at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        organization_id=organization_id,
        unit_id=getattr(unit, "pk", None) if isinstance(getattr(unit, "pk", None), int) else None,
        unit_code=str(getattr(unit, "code", "") or "")[:8],
        province_code=str(getattr(unit, "province_code", "") or "")[:3],
        category=kept[:32],
        payload=audit.storable(payload or {}),
        request_id=current_request_id()[:64],
    )
    batch = tail.held_batch("events", _write)
    if batch is None:
        _write([event])
    else:  # a listener's count locks a row every writer shares: written when the block ends
        batch.append(event)
    return event


# One statement built once (decision 0039): an event is written by every decision.
_INSERT = Insert(DomainEvent)


def _write(written: list[DomainEvent]) -> None:
    """Write the events in order, each then given to the listeners."""
    with transaction.atomic(savepoint=False):
        for event in written:
            _INSERT.save(event)
            for listener in _LISTENERS:
                listener(event)


def events_between(
    start: datetime,
    end: datetime,
    *,
    types: Iterable[str] | None = None,
    province_code: str | None = None,
    organization_id: int | None = None,
) -> QuerySet[DomainEvent]:
    """Events with ``start <= occurred_at < end`` (half open, so consecutive periods never count an
    event twice), oldest first, optionally of some types, in one province or about one organization."""
    qs = DomainEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    if types is not None:
        qs = qs.filter(type__in=list(types))
    if province_code is not None:
        qs = qs.filter(province_code=province_code)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    return qs.order_by("occurred_at", "pk")


def happened(type: str, *, actor: User, organization_id: int | None = None) -> bool:
    """Whether ``actor`` has an event of ``type`` already (about that organization, when given)."""
    qs = DomainEvent.objects.filter(type=type, actor=actor)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    return qs.exists()
