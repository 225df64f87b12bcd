"""Machine readers (issue 14.9): a ministry's or a province's system pulls campaign figures with its own
client-credentials token (scope ``campaigns.read``) over the territory an operator granted it.

The rule is the people's rule with a client in place of a person: a grant over a unit covers that unit
and everything inside it, and a unit that no longer exists is covered when every unit it became is
(``plan_services.holds_over``). A refusal answers as a person's does (403, nothing shown) and is
audited, naming the client, never its token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.audit_actions import ReaderAction
from dinhdanh.campaigns.models import Reader
from dinhdanh.campaigns.plan_access import scope_covers
from dinhdanh.core import audit
from dinhdanh.core.access import Jurisdiction, KernelPermission, require
from dinhdanh.core.errors import CoreError, DomainError, ErrorCode
from dinhdanh.federation.models import Client

if TYPE_CHECKING:
    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User

__all__ = [
    "SCOPE",
    "MachineReader",
    "ReaderAction",
    "ReaderError",
    "covers",
    "machine_reader",
    "reader_grant",
    "reader_revoke",
    "readers_list",
    "require_read",
]

SCOPE = "campaigns.read"


class ReaderError(ErrorCode):
    NO_CLIENT = ("campaigns.reader.no_client", _("Không có client đang hoạt động với mã {client_id}."), 404)
    NO_SCOPE = (
        "campaigns.reader.no_scope",
        _("Client {client_id} chưa được đăng ký phạm vi campaigns.read; hãy thêm phạm vi đó trước."),
        400,
    )
    ALREADY = ("campaigns.reader.already", _("Client {client_id} đã được đọc số liệu của địa bàn này."), 409)
    NOT_GRANTED = ("campaigns.reader.not_granted", _("Client {client_id} không có quyền đọc địa bàn này."), 404)


@dataclass(frozen=True)
class MachineReader:
    """A client holding ``campaigns.read``, and the territory its grants cover (empty: none)."""

    client: Client
    scope: Jurisdiction


def machine_reader(client: Client) -> MachineReader:
    rows = list(Reader.objects.filter(client=client).select_related("unit"))
    nationwide = any(r.unit is None for r in rows)
    paths = tuple(sorted(r.unit.path for r in rows if r.unit is not None))
    return MachineReader(client, Jurisdiction(nationwide=nationwide, paths=paths))


def covers(reader: MachineReader, unit: AdministrativeUnit) -> bool:
    return scope_covers(reader.scope, unit)


def require_read(reader: MachineReader, unit: AdministrativeUnit) -> None:
    """Raise ``PERMISSION_DENIED`` (audited) unless the client's grants cover ``unit``."""
    if covers(reader, unit):
        return
    audit.record(
        ReaderAction.READER_REFUSED,
        actor=None,
        obj=reader.client,
        unit=unit,
        after={"client_id": reader.client.client_id, "unit": unit.path},
    )
    raise DomainError(CoreError.PERMISSION_DENIED)


def _client(client_id: str) -> Client:
    client = Client.objects.filter(client_id=client_id.strip()[:64], active=True).first()
    if client is None:
        raise DomainError(ReaderError.NO_CLIENT, field="client_id", client_id=client_id.strip()[:64])
    return client


def _require_admin(actor: User | None) -> None:
    if actor is not None:  # None: the operator at the console
        require(actor, KernelPermission.ADMINISTER_SYSTEM, any_unit=True)


def reader_grant(*, actor: User | None, client_id: str, unit: AdministrativeUnit | None) -> Reader:
    """Let ``client_id`` read ``unit``'s territory (``None``: the whole country)."""
    _require_admin(actor)
    client = _client(client_id)
    if SCOPE not in (client.scopes or []):
        raise DomainError(ReaderError.NO_SCOPE, field="client_id", client_id=client.client_id)
    if Reader.objects.filter(client=client, unit=unit).exists():
        raise DomainError(ReaderError.ALREADY, field="unit", client_id=client.client_id)
    try:
        with transaction.atomic():
            row = Reader.objects.create(client=client, unit=unit, granted_by=actor, granted_at=timezone.now())
            audit.record(
                ReaderAction.READER_GRANTED,
                actor=actor,
                obj=row,
                unit=unit,
                after={"client_id": client.client_id, "unit": unit.path if unit else "*"},
            )
    except IntegrityError as exc:  # the same grant racing this one
        raise DomainError(ReaderError.ALREADY, field="unit", client_id=client.client_id) from exc
    return row


def reader_revoke(*, actor: User | None, client_id: str, unit: AdministrativeUnit | None) -> None:
    _require_admin(actor)
    key = client_id.strip()[:64]
    with transaction.atomic():
        row = Reader.objects.select_for_update().filter(client__client_id=key, unit=unit).first()
        if row is None:
            raise DomainError(ReaderError.NOT_GRANTED, field="unit", client_id=key)
        audit.record(
            ReaderAction.READER_REVOKED,
            actor=actor,
            obj=row,
            unit=unit,
            before={"client_id": key, "unit": unit.path if unit else "*"},
        )
        row.delete()


def readers_list() -> list[Reader]:
    return list(Reader.objects.select_related("client", "unit").order_by("client__client_id", "unit__code"))
