"""Render a stored message in its own language from ``templates/notifications/<code>.<channel>.txt``.

Vietnamese is the source text; other languages come from the gettext catalogue. An e-mail template
starts with a ``Subject:`` line; an SMS is one line. Messages are plain text, so nothing is HTML-escaped.
"""

from __future__ import annotations

import re
from typing import Any

from django.template import Context, engines
from django.template.backends.django import DjangoTemplates
from django.template.base import Template
from django.utils import translation

from dinhdanh.notifications.catalogue import FACTOR_LABELS
from dinhdanh.notifications.models import REDACTED, Channel, Message

_SUBJECT = "Subject:"
_BLANK_LINES = re.compile(r"\n{3,}")


def _template(name: str) -> Template:
    backend = engines["django"]
    if not isinstance(backend, DjangoTemplates):
        raise TypeError("the 'django' template engine is not Django's")
    return backend.engine.get_template(name)


def _context(params: dict[str, Any]) -> dict[str, Any]:
    context = dict(params)
    if "factor" in params:
        label = FACTOR_LABELS.get(str(params["factor"]).strip().lower())
        context["factor_label"] = str(label) if label is not None else str(params["factor"])
    return context


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines))


def render(message: Message, *, redacted: bool = False, language: str | None = None) -> tuple[str, str]:
    """``(subject, body)``; the subject is empty for an SMS. ``redacted`` shows sensitive params as •••.
    Sending uses the language the message was made in; a page shows it in its reader's (``language``)."""
    params = dict(message.params)
    if redacted:
        params.update({name: REDACTED for name in message.sensitive if name in params})
    with translation.override(language or message.language):
        template = _template(f"notifications/{message.template}.{message.channel}.txt")
        text = template.render(Context(_context(params), autoescape=False))
    if message.channel != Channel.EMAIL:
        return "", " ".join(text.split())
    first, _newline, rest = text.strip().partition("\n")
    if not first.startswith(_SUBJECT):
        return "", _tidy(text)
    # A header value with a line break is refused by the mail library; one line, always.
    return " ".join(first.removeprefix(_SUBJECT).split()), _tidy(rest)
