"""The sign-in path's statements, built once (decision 0051, after decisions 0034 and 0039).

A sign-in made twenty-odd ORM queries, and the ORM compiles each one again at every call: on the
machines we measure on that was most of what a passkey sign-in cost beyond the two bare requests.
These run the same SQL through ``core.rows`` (built once per model and database, on the connection's
own cursor, inside Django's connection and transaction handling), and a few statements of our own
that return several rows run on Django's cursor. What they read and write is what the ORM did; only
``CaptureQueriesContext`` no longer counts the ``core.rows`` ones.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils import timezone

from dinhdanh.core.access import staff_roles
from dinhdanh.core.models import RoleAssignment
from dinhdanh.core.rows import Insert, SelectOne, Update
from dinhdanh.people.models import (
    AccountSession,
    Passkey,
    SignInEvent,
    SpentChallenge,
    Throttle,
    TotpDevice,
    User,
)

__all__ = [
    "ACCOUNT_SESSION",
    "LAST_LOGIN",
    "MOVE_COUNTER",
    "PASSKEY_OWNER_BLOCK",
    "PASSKEY_WITH_OWNER",
    "SIGNIN_EVENT",
    "SPEND_CHALLENGE",
    "THROTTLE_BLOCKED",
    "USER_BY_DIGEST",
    "KeyedInsert",
    "Many",
    "has_factors",
    "holds_staff_role",
]


class KeyedInsert[M: Model](Insert[M]):
    """``core.rows.Insert`` that writes the primary key too: for rows whose key the caller chooses
    (a UUID, a digest, a session key) rather than the database."""

    def __init__(self, model: type[M], *, ignore_conflicts: bool = False) -> None:
        super().__init__(model, ignore_conflicts=ignore_conflicts)
        self.fields = list(model._meta.concrete_fields)
        self.by_name = {f.name: f for f in self.fields} | {f.attname: f for f in self.fields}


class Many:
    """A statement of ours that gives back several rows (``RETURNING``, a ``SELECT``): built once per
    database and ``shape`` by ``build(connection, shape)`` with ``%s`` placeholders (``shape``: how many
    items of each kind a statement of varying length names), run on Django's cursor (which adapts the
    placeholders and logs the query like the ORM's)."""

    def __init__(self, build: Callable[[BaseDatabaseWrapper, Any], str]) -> None:
        self.build = build
        self._sql: dict[tuple[str, Hashable], str] = {}

    def fetch_all(
        self, params: Sequence[Any], *, shape: Hashable = 1, using: str = DEFAULT_DB_ALIAS
    ) -> list[tuple[Any, ...]]:
        connection = connections[using]
        key = (f"{connection.alias}:{connection.vendor}", shape)
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = self.build(connection, shape)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())


USER_BY_DIGEST = SelectOne(User, "{login_digest} = %s", ["login_digest"])
LAST_LOGIN = Update(User, ["last_login"], "{id} = %s", ["id"])

# Conditional on the counter read before the check: two requests cannot both move it from one value.
MOVE_COUNTER = Update(
    Passkey, ["sign_count", "last_used_at", "backed_up"], "{id} = %s AND {sign_count} = %s", ["id", "sign_count"]
)
SPEND_CHALLENGE = KeyedInsert(SpentChallenge, ignore_conflicts=True)

SIGNIN_EVENT = Insert(SignInEvent)
ACCOUNT_SESSION = KeyedInsert(AccountSession)

THROTTLE_BLOCKED = SelectOne(
    Throttle, "{scope} = %s AND {key} = %s AND {blocked_until} > %s", ["scope", "key", "blocked_until"]
)


type _Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


def _readers(
    model: type[Model], connection: BaseDatabaseWrapper
) -> tuple[list[str], list[str], list[list[_Converter]], list[Any]]:
    """A model's columns (quoted, table-qualified), attribute names, and the converters the ORM applies
    to each value read (with the column expression they are given)."""
    quote, table = connection.ops.quote_name, model._meta.db_table
    columns, names, chains, expressions = [], [], [], []
    for field in model._meta.concrete_fields:
        expression = field.get_col(table)
        columns.append(f"{quote(table)}.{quote(str(field.column))}")
        names.append(field.attname)
        chains.append(connection.ops.get_db_converters(expression) + field.get_db_converters(connection))
        expressions.append(expression)
    return columns, names, chains, expressions


class PasskeyWithOwner:
    """A passkey by credential id with its owner, in one statement; with ``block``, also how long a
    client address is still blocked: what a passwordless sign-in reads before it checks anything."""

    def __init__(self, *, block: bool) -> None:
        self.block = block
        self._built: dict[str, tuple[str, Any, Any, Any]] = {}

    def _build(self, connection: BaseDatabaseWrapper) -> tuple[str, Any, Any, Any]:
        key = f"{connection.alias}:{connection.vendor}"
        if key not in self._built:
            quote = connection.ops.quote_name
            passkey, user = _readers(Passkey, connection), _readers(User, connection)
            field = Throttle._meta.get_field("blocked_until")
            expression = field.get_col(Throttle._meta.db_table)
            chain = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
            throttle, passkeys, users = (quote(m._meta.db_table) for m in (Throttle, Passkey, User))
            blocked = quote("blocked_until")
            selected = ", ".join(passkey[0] + user[0])
            if self.block:
                selected += (
                    f", (SELECT MAX({blocked}) FROM {throttle} WHERE {quote('scope')} = %s "  # noqa: S608
                    f"AND {quote('key')} = %s AND {blocked} > %s)"
                )
            sql = (
                f"SELECT {selected} FROM {passkeys} "  # noqa: S608  (model's names)
                f"INNER JOIN {users} ON {users}.{quote('id')} = {passkeys}.{quote('user_id')} "
                f"WHERE {passkeys}.{quote('credential_id')} = %s"
            )
            self._built[key] = (sql, passkey, user, (expression, chain))
        return self._built[key]

    def first(
        self,
        credential_id: bytes,
        *,
        key: tuple[str, str] = ("", ""),
        now: Any = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> tuple[Passkey, Any] | None:
        """(the passkey with its ``user`` set, the end of the block of the throttle ``key``, a
        (scope, key) pair, or None); None for an unknown credential id."""
        connection = connections[using]
        sql, passkey, user, (expression, chain) = self._build(connection)
        params: list[Any] = [*key, connection.ops.adapt_datetimefield_value(now)] if self.block else []
        params.append(Passkey._meta.get_field("credential_id").get_db_prep_value(credential_id, connection))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        values, width = list(row), len(passkey[1])
        found = _make(Passkey, passkey, values[:width], connection, using)
        found.user = _make(User, user, values[width : width + len(user[1])], connection, using)
        blocked = values[-1] if self.block else None
        for convert in chain if blocked is not None else ():
            blocked = convert(blocked, expression, connection)
        return found, blocked


def _make[M: Model](
    model: type[M], readers: Any, values: list[Any], connection: BaseDatabaseWrapper, using: str
) -> M:
    _columns, names, chains, expressions = readers
    for i, chain in enumerate(chains):
        for convert in chain:
            values[i] = convert(values[i], expressions[i], connection)
    return model.from_db(using, names, values)


PASSKEY_WITH_OWNER = PasskeyWithOwner(block=False)
PASSKEY_OWNER_BLOCK = PasskeyWithOwner(block=True)


def _factors_sql(connection: BaseDatabaseWrapper) -> str:
    quote = connection.ops.quote_name
    totp, passkey = quote(TotpDevice._meta.db_table), quote(Passkey._meta.db_table)
    user_id, confirmed = quote("user_id"), quote("confirmed_at")
    return (
        f"SELECT EXISTS (SELECT 1 FROM {totp} WHERE {user_id} = %s AND {confirmed} IS NOT NULL), "  # noqa: S608  (model's names)
        f"EXISTS (SELECT 1 FROM {passkey} WHERE {user_id} = %s)"
    )


_FACTORS = Many(lambda db, _size: _factors_sql(db))


def has_factors(user_pk: int) -> tuple[bool, bool]:
    """(a confirmed authenticator app, a passkey) of an account, in one statement."""
    ((totp, passkey),) = _FACTORS.fetch_all([user_pk, user_pk])
    return bool(totp), bool(passkey)


def _staff_sql(db: BaseDatabaseWrapper, size: int) -> str:
    quote = db.ops.quote_name
    table = quote(RoleAssignment._meta.db_table)
    roles = ", ".join(["%s"] * size)
    return (
        f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {quote('user_id')} = %s AND {quote('role')} IN ({roles}) "  # noqa: S608
        f"AND {quote('revoked_at')} IS NULL AND ({quote('valid_until')} IS NULL OR {quote('valid_until')} > %s))"
    )


_STAFF = Many(_staff_sql)


def holds_staff_role(user_pk: int) -> bool:
    """Whether an account holds a staff role in force (``core.access.in_force``): what ``roles_of(user) &
    staff_roles()`` answers, in one statement built once."""
    staff = sorted(staff_roles())
    if not staff:
        return False
    now = connections[DEFAULT_DB_ALIAS].ops.adapt_datetimefield_value(timezone.now())
    ((held,),) = _STAFF.fetch_all([user_pk, *staff, now], shape=len(staff))
    return bool(held)
