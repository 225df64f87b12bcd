"""Keyset pages (issue 17.4): "the next page" starts after the last row shown, by its sort key, instead of
skipping ``OFFSET`` rows — the database reads one page whatever the depth.

``keyset_page(qs, number, after=…, before=…)`` takes a query set ordered by fields that end with the
primary key (a total order) and an opaque cursor from a link (``Page.next_cursor`` /
``Page.previous_cursor``). Without a usable cursor — a typed address with only ``page=N``, a cursor from
another order or hand-edited, a sort field that is empty (NULL) in some row, whose place in the order
differs between databases — it falls back to ``page_of`` (OFFSET), so the answer is the same page either
way, only slower. The page number is carried for display only.

A cursor holds the sort values of one row of the officer's own query set (a date, a number, a name key,
an id): it reveals nothing the page did not show and, tampered with, only moves where that same,
already-authorised query set starts.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Q, QuerySet

from dinhdanh.http import pages
from dinhdanh.http.pages import Page, page_of

MAX_CURSOR = 600  # characters: a few sort values, never a document

Order = list[tuple[str, bool]]  # (field name, descending)


def _order(qs: QuerySet[Any]) -> Order | None:
    """The query set's explicit order, if it ends with the primary key; else None (no keyset)."""
    fields: Order = []
    for item in qs.query.order_by:
        if not isinstance(item, str) or "__" in item.lstrip("-") or item.lstrip("-") == "?":
            return None
        fields.append((item.lstrip("-"), item.startswith("-")))
    if not fields or fields[-1][0] not in ("pk", qs.model._meta.pk.name):
        return None
    return fields


def _field(model: type[Model], name: str) -> Any:
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _may_hold_nulls(qs: QuerySet[Any], order: Order) -> bool:
    nullable = [name for name, _desc in order if _field(qs.model, name).null]
    return bool(nullable) and qs.filter(Q.create([(f"{n}__isnull", True) for n in nullable], Q.OR)).exists()


class _Exact(DjangoJSONEncoder):
    """Django's encoder cuts datetimes to milliseconds (ECMA-262); a cursor must keep every microsecond,
    or the row it names would compare before itself and be shown again."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


def encode(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), cls=_Exact, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(qs: QuerySet[Any], order: Order, cursor: str) -> list[Any] | None:
    """The cursor's values, typed by the model's fields; None when it does not fit this order."""
    if not cursor or len(cursor) > MAX_CURSOR:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(order):
            return None
        typed = [
            _field(qs.model, name).to_python(value) for (name, _desc), value in zip(order, values, strict=True)
        ]
    except (ValueError, TypeError, binascii.Error, ValidationError, FieldDoesNotExist, UnicodeDecodeError):
        return None
    return None if any(value is None for value in typed) else typed


def beyond(order: Order, values: Sequence[Any], *, forward: bool) -> Q:
    """Rows strictly after (``forward``) or before the row with ``values``, in ``order``: (a > x) or
    (a = x and b > y) or …, with the first field's bound repeated so an index on it bounds the scan."""
    condition, equal = Q(pk__in=[]), dict[str, Any]()
    for (name, desc), value in zip(order, values, strict=True):
        op = "gt" if desc != forward else "lt"
        condition |= Q(**equal, **{f"{name}__{op}": value})
        equal[name] = value
    first, desc = order[0]
    bound = "gte" if desc != forward else "lte"
    return Q(**{f"{first}__{bound}": values[0]}) & condition


def _reversed(order: Order) -> list[str]:
    return [name if desc else f"-{name}" for name, desc in order]


def keyset_page[M: Model](
    qs: QuerySet[M], number: int | None, *, after: str = "", before: str = "", size: int | None = None
) -> Page[M]:
    size = size or pages.PAGE_SIZE  # read at each call: a test may shrink it
    number = max(1, number or 1)
    order = _order(qs)
    if order is None or _may_hold_nulls(qs, order):
        return page_of(qs, number, size)
    names = [name for name, _desc in order]
    cursor = decode(qs, order, after) if after else decode(qs, order, before) if before else None
    if cursor is None and (after or before or number > 1):
        return _with_cursors(page_of(qs, number, size), qs, names)
    forward = not before or bool(after)
    found = qs if cursor is None else qs.filter(beyond(order, cursor, forward=forward))
    if not forward:
        found = found.order_by(*_reversed(order))
    keys = list(found.values_list(*names)[: size + 1])
    more = len(keys) > size
    keys = keys[:size] if forward else list(reversed(keys[:size]))
    rows_by_pk = {row.pk: row for row in qs.filter(pk__in=[k[-1] for k in keys])}
    rows = [rows_by_pk[k[-1]] for k in keys if k[-1] in rows_by_pk]
    if not forward and not more:
        number = 1  # walked back to the start: whatever the address said, this is the first page
    return Page(
        rows=rows, number=number, has_next=more if forward else True,
        next_cursor=encode(keys[-1]) if keys else "", previous_cursor=encode(keys[0]) if keys and number > 1 else "",
    )  # fmt: skip


def _with_cursors[M: Model](page: Page[M], qs: QuerySet[M], names: list[str]) -> Page[M]:
    """An OFFSET page given the cursors of its first and last rows, so its links are keyset again."""
    if not page.rows:
        return page
    keys = {k[-1]: k for k in qs.filter(pk__in=[row.pk for row in page.rows]).values_list(*names)}
    first, last = keys.get(page.rows[0].pk), keys.get(page.rows[-1].pk)
    return Page(
        rows=page.rows, number=page.number, has_next=page.has_next,
        next_cursor=encode(last) if last else "", previous_cursor=encode(first) if first and page.number > 1 else "",
    )  # fmt: skip
