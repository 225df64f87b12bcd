"""One request, and the rows it names, read by primary key as precompiled statements (``core.rows``,
decision 0039): the request's own row, then its head office, routed unit, organization and applicant,
each by its key, or taken from instances the caller already holds.

The ORM's ``select_related`` of the same four rows cost, per read, about 1.5 ms of Python (compiling a
join of five tables and a hundred columns) and 1 ms of PostgreSQL planning it; a decision read the
request twice (its selector, then the service's lock), a submission too (issue 17.4, decision 0052).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import ForeignKey, Model

from dinhdanh.applications.models import Application, Consent, Document, StatusChange, VerificationRequest
from dinhdanh.core.rows import SelectAll, SelectOne, Statement
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.models import Organization
from dinhdanh.people.models import User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

__all__ = ["attach_related", "attachments_present", "history_of", "locked_request", "request_by_pk"]

_REQUEST = SelectOne(Application, "{id} = %s", ["id"])
_LOCKED = SelectOne(Application, "{id} = %s", ["id"], for_update=True)  # FOR UPDATE of this row only
_UNIT = SelectOne(AdministrativeUnit, "{id} = %s", ["id"])
_ORGANIZATION = SelectOne(Organization, "{id} = %s", ["id"])
_USER = SelectOne(User, "{id} = %s", ["id"])

# What the services, the checks, the audit and the API read of a request's neighbours.
_RELATED: tuple[tuple[str, SelectOne[Any]], ...] = (
    ("head_office", _UNIT),
    ("unit", _UNIT),
    ("organization", _ORGANIZATION),
    ("applicant", _USER),
)


def _foreign_key(name: str) -> ForeignKey[Any, Any]:
    field = Application._meta.get_field(name)
    if not isinstance(field, ForeignKey):
        raise TypeError(name)
    return field


_KEY_RANGE = range(-(2**63), 2**63)  # a big integer column's: beyond it no row, as the ORM answers


def request_by_pk(pk: int) -> Application | None:
    """The request's own row (its neighbours are read when first used, as the ORM would)."""
    return _REQUEST.first(pk) if pk in _KEY_RANGE else None


def locked_request(pk: int) -> Application | None:
    """The request's row under SELECT … FOR UPDATE (call inside a transaction)."""
    return _LOCKED.first(pk) if pk in _KEY_RANGE else None


def _held(instances: Iterable[Model | User | AnonymousUser | None]) -> dict[tuple[str, Any], Any]:
    """The instances by (model label, primary key)."""
    held: dict[tuple[str, Any], Any] = {}
    for instance in instances:
        if isinstance(instance, Model) and instance.pk is not None:
            held[(instance._meta.label_lower, instance.pk)] = instance
    return held


def attach_related(
    application: Application,
    *,
    like: Application | None = None,
    known: Iterable[Model | User | AnonymousUser | None] = (),
) -> Application:
    """Give ``application`` its head office, unit, organization and applicant: the instance ``like``
    (another copy of the request) already holds, or one of ``known`` with that key, else one read each
    (a unit that is both head office and routed unit is read once). Only rows that are read, never
    written, through the request are shared so."""
    held = _held(known)
    if like is not None:
        for name, _statement in _RELATED:
            field = _foreign_key(name)
            if field.is_cached(like):
                held.update(_held([field.get_cached_value(like)]))
    for name, statement in _RELATED:
        field = _foreign_key(name)
        pk = getattr(application, field.attname)
        if pk is None or field.is_cached(application):
            continue
        key = (statement.model._meta.label_lower, pk)
        related = held.get(key)
        if related is None:
            related = held[key] = statement.first(pk)
            if related is None:  # gone meanwhile: left to the ORM, which raises as it always did
                continue
        field.set_cached_value(application, related)
    return application


_HISTORY = SelectAll(StatusChange, "{application} = %s", ["application"], order="{at}, {id}")  # Meta.ordering


def history_of(application: Application) -> list[StatusChange]:
    """The request's status changes, oldest first, each with its actor: the accounts the request
    already holds (applicant, decider, assignee), else read by key."""
    people = [
        field.get_cached_value(application)
        for field in (_foreign_key("applicant"), _foreign_key("decided_by"), _foreign_key("assigned_to"))
        if field.is_cached(application)
    ]
    held = _held(people)
    changes = _HISTORY.all(application.pk)
    actor = StatusChange._meta.get_field("actor")
    assert isinstance(actor, ForeignKey)  # noqa: S101  # the model says so
    for change in changes:
        if change.actor_id is None:
            continue
        key = (User._meta.label_lower, change.actor_id)
        found = held.get(key)
        if found is None:
            found = held[key] = _USER.first(change.actor_id)
        if found is not None:
            actor.set_cached_value(change, found)
    return changes


def _present_sql(connection: BaseDatabaseWrapper) -> str:
    quote = connection.ops.quote_name
    tests = []
    for model in (Document, Consent, VerificationRequest):
        table, column = model._meta.db_table, model._meta.get_field("application").column
        tests.append(f"EXISTS (SELECT 1 FROM {quote(table)} WHERE {quote(column)} = %s)")  # noqa: S608  (model's names)
    return "SELECT " + ", ".join(tests)


_PRESENT = Statement(_present_sql)


def attachments_present(application: Application) -> tuple[bool, bool, bool]:
    """Whether the request has (documents, consents, verification requests), in one statement: most
    have none of them, and a list read by the ORM costs half a millisecond even when it is empty."""
    row = _PRESENT.fetch_one([application.pk] * 3)
    if row is None:  # a SELECT without FROM always gives its row
        return True, True, True
    documents, consents, verifications = (bool(value) for value in row)
    return documents, consents, verifications
