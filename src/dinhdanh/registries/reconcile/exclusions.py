"""Leaving a registry organization out of the targets, with a recorded reason, and taking it back.

Who: holders of ``registries.exclude_record`` over the commune of the record: campaign managers, who
own the targets, and reviewing officers, who do the field checks that find an organization gone, unreachable or with a
foreign representative. Partner clerks see the registries but do
not decide targets.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.access import jurisdiction, require
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import clean_optional
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.people.models import User
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.models import Exclusion, ExclusionReason, Record
from dinhdanh.registries.permissions import RegistryPermission
from dinhdanh.registries.reconcile.errors import ReconcileError
from dinhdanh.registries.reconcile.scope import Scope

__all__ = [
    "EXCLUDING_PERMISSIONS",
    "exclusion_by_pk",
    "exclusion_lift",
    "exclusion_set",
    "exclusions",
    "parse_reason",
    "record_by_pk",
]

EXCLUDING_PERMISSIONS = (RegistryPermission.EXCLUDE_RECORD,)
NOTE_MAX = 500


def may_exclude(user: User, commune: AdministrativeUnit | None) -> bool:
    return any(jurisdiction(user, p).covers(commune) for p in EXCLUDING_PERMISSIONS)


def _require(actor: User, record: Record) -> None:
    if may_exclude(actor, record.commune):
        return
    # The audited refusal (403) names a permission the actor holds elsewhere, so that it reads "outside
    # your area" rather than "not allowed" when that is the reason.
    held = [p for p in EXCLUDING_PERMISSIONS if not jurisdiction(actor, p).empty]
    require(actor, held[0] if held else RegistryPermission.EXCLUDE_RECORD, unit=record.commune, obj=record)


def parse_reason(value: ExclusionReason | str) -> ExclusionReason:
    text = str(value).strip()
    if text not in ExclusionReason.values:
        raise DomainError(ReconcileError.UNKNOWN_REASON, field="reason", value=text[:40])
    return ExclusionReason(text)


def exclusion_set(*, actor: User, record: Record, reason: ExclusionReason | str, note: str = "") -> Exclusion:
    """Exclude ``record`` from target baselines; one exclusion in force per record."""
    _require(actor, record)
    why = parse_reason(reason)
    text = clean_optional(note, field="note", max_length=NOTE_MAX)
    if why == ExclusionReason.OTHER and not text:
        raise DomainError(ReconcileError.NOTE_REQUIRED, field="note")
    with transaction.atomic():
        locked = Record.objects.select_for_update().get(pk=record.pk)
        if locked.disappeared_in_id is not None:
            raise DomainError(ReconcileError.RECORD_GONE, field="record")
        live = Exclusion.objects.filter(record=locked, lifted_at__isnull=True).first()
        if live is not None:
            raise DomainError(
                ReconcileError.ALREADY_EXCLUDED, since=f"{timezone.localtime(live.excluded_at):%d/%m/%Y}"
            )
        try:
            with transaction.atomic():
                exclusion = Exclusion.objects.create(record=locked, reason=why, note=text, excluded_by=actor)
        except IntegrityError:  # a concurrent request won the race the lock above did not cover
            raise DomainError(ReconcileError.ALREADY_EXCLUDED, since=f"{timezone.localdate():%d/%m/%Y}") from None
        audit.record(
            RegistryAction.REGISTRY_EXCLUSION_SET,
            actor=actor,
            obj=exclusion,
            after={
                "record": locked.pk,
                "source": locked.source,
                "code": locked.code,
                "reason": why.value,
                "note": text,
            },
        )
    return exclusion


def exclusion_lift(*, actor: User, exclusion: Exclusion) -> Exclusion:
    """Put the organization back among the targets (the exclusion stays, as history)."""
    _require(actor, exclusion.record)
    with transaction.atomic():
        locked = Exclusion.objects.select_for_update().get(pk=exclusion.pk)
        if locked.lifted_at is not None:
            raise DomainError(ReconcileError.ALREADY_LIFTED, field="exclusion")
        locked.lifted_at, locked.lifted_by = timezone.now(), actor
        locked.save(update_fields=["lifted_at", "lifted_by"])
        audit.record(
            RegistryAction.REGISTRY_EXCLUSION_LIFTED,
            actor=actor,
            obj=locked,
            before={"reason": locked.reason, "note": locked.note},
            after={"record": locked.record_id},
        )
    return locked


def exclusions(scope: Scope, *, live: bool = True) -> QuerySet[Exclusion]:
    """Exclusions of records in the scope, newest first."""
    qs = Exclusion.objects.filter(scope.records("record__")).select_related(
        "record", "record__commune", "excluded_by"
    )
    if live:
        qs = qs.filter(lifted_at__isnull=True)
    return qs.order_by("-excluded_at", "-pk")


def record_by_pk(pk: int) -> Record | None:
    """A reference record by id with its commune; the exclusion services check who may act on it."""
    return Record.objects.select_related("commune").filter(pk=pk).first()


def exclusion_by_pk(pk: int) -> Exclusion | None:
    return Exclusion.objects.select_related("record", "record__commune").filter(pk=pk).first()
