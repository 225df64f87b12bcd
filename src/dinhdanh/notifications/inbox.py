"""A person's own notifications in the app, beside the SMS and e-mails that carry them (issue 15.5).

One event often goes out twice (an SMS and an e-mail made together): the list shows it once, by its
e-mail wording when there is one (it has a subject), with the channels it went by. Sensitive values (one-time
codes) are always shown as •••: the list is for knowing what happened, not for reading a code again. Only
the owner's messages are ever read or marked; another person's id is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from dinhdanh.notifications.models import Channel, Message
from dinhdanh.notifications.rendering import render

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["Entry", "entries", "mark_read", "owned", "page_of", "unread_count"]

PAGE = 50
# A page holds this many stored messages (an event is usually two: SMS and e-mail), about PAGE entries.
# An event whose two messages fall either side of a page break shows on both pages; rare and harmless.
ROWS_PER_PAGE = PAGE * 2


@dataclass
class Entry:
    ids: list[int]
    at: datetime
    subject: str
    body: str
    unread: bool
    channels: list[str] = field(default_factory=list)


def _own(user: User) -> QuerySet[Message]:
    return Message.objects.filter(user=user)


def unread_count(user: User) -> int:
    return _own(user).filter(read_at__isnull=True).count()


def _key(message: Message) -> tuple[str, str, str]:
    # Made together for one event: same template and parameters, within the same minute.
    return message.template, repr(sorted(message.params.items())), message.created_at.strftime("%Y%m%d%H%M")


def _grouped(rows: list[Message], *, language: str, limit: int) -> list[Entry]:
    grouped: dict[tuple[str, str, str], list[Message]] = {}
    for message in rows:
        grouped.setdefault(_key(message), []).append(message)
    found: list[Entry] = []
    for messages in list(grouped.values())[:limit]:
        shown = next((m for m in messages if m.channel == Channel.EMAIL), messages[0])
        subject, body = render(shown, redacted=True, language=language)
        found.append(
            Entry(
                ids=[m.pk for m in messages],
                at=shown.created_at,
                subject=subject,
                body=body,
                unread=any(m.read_at is None for m in messages),
                channels=sorted({str(m.get_channel_display()) for m in messages}),
            )
        )
    return found


def _newest_first(user: User) -> QuerySet[Message]:
    return _own(user).order_by("-created_at", "-pk")


def entries(user: User, *, language: str, limit: int = PAGE) -> list[Entry]:
    """The newest ``limit`` messages of ``user``, one entry per event, rendered in ``language``."""
    return _grouped(list(_newest_first(user)[: limit * 2]), language=language, limit=limit)


def page_of(user: User, *, language: str, number: str | None) -> tuple[list[Entry], Page[Message]]:
    """One page of ``user``'s list (``number`` as the address gives it; out of range or junk: the
    nearest page), one entry per event, rendered in ``language``."""
    page = Paginator(_newest_first(user), ROWS_PER_PAGE).get_page(number)
    return _grouped(list(page.object_list), language=language, limit=ROWS_PER_PAGE), page


def owned(user: User, ids: list[int]) -> list[int]:
    """Those of ``ids`` that are ``user``'s own messages (read or not); another person's are left out."""
    return list(_own(user).filter(pk__in=ids).values_list("pk", flat=True))


def mark_read(user: User, ids: list[int] | None = None) -> int:
    """Mark the owner's messages read (all of them, or those of ``ids``); answers how many changed."""
    qs = _own(user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
