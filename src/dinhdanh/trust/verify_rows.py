"""What a verification call reads and writes, as SQL built once (decision 0038).

The ORM compiles a query again at every call (≈ 0.5 ms each on the machines we measure on), more than
an organization question's own work. The rows an answer needs are read with ``core.rows``'
``SelectOne`` (built once per model and database from the model's fields, run inside Django's
connection handling, converted with the fields' own converters), and the ``Question`` rows of a call
are written with one prepared ``INSERT`` run for every row (``executemany``). Only the fields an
answer reads are loaded; the rarer reads (a day in the past, a membership's grants) stay with the ORM.

What a call has read is kept for that call only (``Lookups``): a batch that names one organization a
hundred times reads it once, and nothing outlives the call — a lock or a new representative is seen
by the next call, in every process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from dinhdanh.core.rows import SelectOne
from dinhdanh.organizations.models import (
    MemberGrant,
    Membership,
    Organization,
    OrganizationChange,
    OrganizationLock,
    OrganizationStatus,
    Service,
)
from dinhdanh.people.logins import login_digests
from dinhdanh.people.models import User
from dinhdanh.trust.models import Question

__all__ = ["Held", "Lookups", "QuestionRow", "add_questions", "service_codes"]

# What the answers read of an organization (the others stay deferred: reading one costs a query).
_ANSWERED = ["eid", "code", "name", "status", "issued_at", "updated_at", "representative_digest"]
_BY_EID = SelectOne(Organization, "{eid} = %s", ["eid"], only=_ANSWERED)
_BY_CODE = SelectOne(Organization, "{code} = %s", ["code"], only=_ANSWERED)
# The latest lock (``id`` breaks a tie of ``locked_at``, which the ORM's ordering left open).
_LAST_LOCK = SelectOne(
    OrganizationLock,
    "{organization} = %s",
    ["organization"],
    order="{locked_at} DESC, {id} DESC",
    only=["locked_at", "unlocked_at"],
)
_SERVICE = SelectOne(Service, "{code} = %s", ["code"], only=["code", "active"])
_ACCOUNT = SelectOne(User, "{login_digest} = %s", ["login_digest"], only=["id"])
# The last change of representative: ``changes`` holds the key. The JSON test is each database's own
# (as the ORM's ``has_key`` writes it); another database reads it through the ORM.
_REPRESENTATIVE_CHANGED = {
    "sqlite": "JSON_TYPE({changes}, '$.\"representative_account\"') IS NOT NULL",
    "postgresql": "{changes} ? 'representative_account'",
}
_LAST_REPRESENTATIVE_CHANGE = {
    vendor: SelectOne(
        OrganizationChange,
        f"{{organization}} = %s AND {test}",
        ["organization"],
        order="{changed_at} DESC, {id} DESC",
        only=["changed_at"],
    )
    for vendor, test in _REPRESENTATIVE_CHANGED.items()
}


def service_codes(codes: set[str]) -> set[str]:
    """Which of ``codes`` name a service of this platform."""
    if len(codes) == 1:  # a single question's: one prepared row
        (code,) = codes
        return codes if _SERVICE.found(code) else set()
    return set(Service.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()


type _Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]
# In the model's order of fields, as ``Model.from_db`` reads a partial row.
_MEMBERSHIP = [
    f.attname
    for f in Membership._meta.concrete_fields
    if f.attname in {"id", "role", "full_powers", "valid_from", "valid_until", "revoked_at"}
]
_MEMBERSHIP_PK = _MEMBERSHIP.index("id")
_GRANT = ["valid_from", "valid_until", "revoked_at"]


@dataclass(frozen=True, slots=True)
class Held:
    """A membership of the person in the organization, with its grants for the service asked about
    (``valid_from``, ``valid_until``, ``revoked_at`` each)."""

    membership: Membership
    grants: list[tuple[datetime, datetime | None, datetime | None]]


class _HeldQuery:
    """A person's memberships in an organization, newest first, each with its grants for one service:
    one joined query built once per database (the ORM's was two, compiled at every question)."""

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[str, list[tuple[int, Any, list[_Converter]]]]] = {}

    def _compile(self, connection: BaseDatabaseWrapper) -> tuple[str, list[tuple[int, Any, list[_Converter]]]]:
        key = f"{connection.alias}:{connection.vendor}"
        if key not in self._compiled:
            quote = connection.ops.quote_name

            def column(model: type[Membership] | type[MemberGrant], name: str) -> str:
                return quote(str(model._meta.get_field(name).column))  # type: ignore[union-attr]

            columns = [(Membership, "m", name) for name in _MEMBERSHIP] + [
                (MemberGrant, "g", name) for name in _GRANT
            ]
            selected = ", ".join(f"{alias}.{column(model, name)}" for model, alias, name in columns)
            sql = (
                f"SELECT {selected} FROM {quote(Membership._meta.db_table)} m "  # noqa: S608 - the models' names
                f"LEFT JOIN {quote(MemberGrant._meta.db_table)} g ON g.{column(MemberGrant, 'membership')} = m.id "
                f"AND g.{column(MemberGrant, 'service')} = %s "
                f"WHERE m.{column(Membership, 'organization')} = %s AND m.{column(Membership, 'user')} = %s "
                f"ORDER BY m.{column(Membership, 'valid_from')} DESC, m.id DESC, g.id"
            )
            converters = []
            for i, (model, _alias, name) in enumerate(columns):
                found = model._meta.get_field(name)
                expression = found.get_col(model._meta.db_table)  # type: ignore[union-attr]
                chain = connection.ops.get_db_converters(expression) + found.get_db_converters(connection)  # type: ignore[union-attr]
                if chain:
                    converters.append((i, expression, chain))
            self._compiled[key] = (sql.replace("%s", "?") if connection.vendor == "sqlite" else sql, converters)
        return self._compiled[key]

    def __call__(
        self, organization: int, user: int, service: int | None, using: str = DEFAULT_DB_ALIAS
    ) -> list[Held]:
        connection = connections[using]
        sql, converters = self._compile(connection)
        with _cursor(connection) as cursor:
            cursor.execute(sql, [service, organization, user])
            rows = cursor.fetchall()
        held: dict[int, Held] = {}
        for raw in rows:
            row = list(raw)
            for i, expression, chain in converters:
                for convert in chain:
                    row[i] = convert(row[i], expression, connection)
            pk = row[_MEMBERSHIP_PK]
            if pk not in held:
                held[pk] = Held(Membership.from_db(using, _MEMBERSHIP, row[: len(_MEMBERSHIP)]), [])
            valid_from, valid_until, revoked_at = row[len(_MEMBERSHIP) :]
            if valid_from is not None:  # a grant for the service (its valid_from is never null)
                held[pk].grants.append((valid_from, valid_until, revoked_at))
        return list(held.values())


_HELD = _HeldQuery()


@contextmanager
def _cursor(connection: BaseDatabaseWrapper) -> Iterator[Any]:
    """The connection's DB-API cursor inside Django's connection handling, as ``core.rows`` runs
    its statements: health and broken-transaction checks, Django's exception classes."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


@dataclass
class Lookups:
    """What one call has read, so that a batch asking the same thing twice reads it once."""

    organizations: dict[tuple[str, str], Organization | None] = field(default_factory=dict)
    since: dict[int, datetime] = field(default_factory=dict)
    accounts: dict[str, int | None] = field(default_factory=dict)
    digests: dict[str, list[str]] = field(default_factory=dict)
    services: dict[str, Service | None] = field(default_factory=dict)
    representative_since: dict[int, datetime] = field(default_factory=dict)

    def organization(self, via: str, identifier: str) -> Organization | None:
        key = (via, identifier)
        if key not in self.organizations:
            self.organizations[key] = (_BY_EID if via == "eid" else _BY_CODE).first(identifier)
        return self.organizations[key]

    def status_since(self, organization: Organization) -> datetime:
        """When the organization came to its present status: its open lock, or the end of its last one."""
        if organization.pk not in self.since:
            last = _LAST_LOCK.first(organization.pk)
            if organization.status == OrganizationStatus.ACTIVE:
                since = last.unlocked_at if last is not None and last.unlocked_at else organization.issued_at
            else:
                since = last.locked_at if last is not None else organization.updated_at
            self.since[organization.pk] = since
        return self.since[organization.pk]

    def digests_of(self, number: str) -> list[str]:
        if number not in self.digests:
            self.digests[number] = login_digests(number)
        return self.digests[number]

    def account(self, number: str) -> int | None:
        """The primary key of the number's account, under whichever live key version its digest is."""
        if number not in self.accounts:
            found = (_ACCOUNT.first(digest) for digest in self.digests_of(number))
            self.accounts[number] = next((user.pk for user in found if user is not None), None)
        return self.accounts[number]

    def held(self, organization: Organization, account: int, service: Service | None) -> list[Held]:
        """The person's memberships in the organization, newest first, with their grants for ``service``."""
        return _HELD(organization.pk, account, service.pk if service is not None else None)

    def service(self, code: str) -> Service | None:
        if code not in self.services:
            self.services[code] = _SERVICE.first(code)
        return self.services[code]

    def last_representative_change(self, organization: Organization) -> datetime:
        """When the present representative took office: the last change of representative, else the
        organization's issue."""
        if organization.pk not in self.representative_since:
            prepared = _LAST_REPRESENTATIVE_CHANGE.get(connections[DEFAULT_DB_ALIAS].vendor)
            if prepared is not None:
                change = prepared.first(organization.pk)
                changed = change.changed_at if change is not None else None
            else:
                changed = (
                    OrganizationChange.objects.filter(
                        organization=organization, changes__has_key="representative_account"
                    )
                    .order_by("-changed_at", "-id")
                    .values_list("changed_at", flat=True)
                    .first()
                )
            self.representative_since[organization.pk] = changed or organization.issued_at
        return self.representative_since[organization.pk]


@dataclass(frozen=True, slots=True)
class QuestionRow:
    organization_id: int | None
    kind: str
    service: str
    answer: str


_INSERTED = ("client", "organization", "kind", "service", "answer", "asked_at", "request_id")
_insert_sql: dict[str, str] = {}


def _sql(connection: BaseDatabaseWrapper) -> str:
    key = f"{connection.alias}:{connection.vendor}"
    if key not in _insert_sql:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(str(Question._meta.get_field(name).column)) for name in _INSERTED)  # type: ignore[union-attr]
        marks = ", ".join(["?" if connection.vendor == "sqlite" else "%s"] * len(_INSERTED))
        _insert_sql[key] = f"INSERT INTO {quote(Question._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - the model's names
    return _insert_sql[key]


def add_questions(
    *,
    client_id: int,
    rows: Sequence[QuestionRow],
    asked_at: datetime,
    request_id: str,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Write ``rows`` as ``Question``s of one call: one statement prepared once, run for each row, on
    the connection's DB-API cursor inside Django's connection handling (as ``core.rows``)."""
    if not rows:
        return
    connection = connections[using]
    asked: Any = Question._meta.get_field("asked_at").get_db_prep_save(asked_at, connection)
    values = [(client_id, r.organization_id, r.kind, r.service, r.answer, asked, request_id) for r in rows]
    with _cursor(connection) as cursor:
        cursor.executemany(_sql(connection), values)
