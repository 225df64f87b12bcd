"""Audit action codes: the kernel's mechanism, each app's vocabulary (issue 11.2, decision 0024).

An app declares its actions in its own ``audit_actions`` module, as a subclass of :class:`Actions`
decorated with :func:`actions`, which checks the codes' namespaces and registers the labels, so that
the audit pages can name any action without the kernel knowing it. ``AuditEvent.action`` is a plain
column: adding an action needs no kernel migration. Never rename a value: verifiers and reports key
on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from django.db import models

__all__ = ["Actions", "actions", "label", "registered"]

_CODE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z0-9_]*$")
_LABELS: dict[str, str] = {}
_OWNER: dict[str, str] = {}
A = TypeVar("A", bound=type["Actions"])


class Actions(models.TextChoices):
    """The base of every app's action vocabulary; ``audit.record`` takes any of their members."""


def actions(*namespaces: str) -> Callable[[A], A]:
    """Register ``cls``'s codes, each ``<namespace>.<what>`` with a namespace the app owns."""

    def register(cls: A) -> A:
        for member in cls:
            code = str(member.value)
            if not _CODE.match(code) or len(code) > 64 or code.split(".", 1)[0] not in namespaces:
                raise ValueError(f"audit action {code!r} of {cls.__name__} is not in {namespaces}")
            owner = _OWNER.setdefault(code, cls.__qualname__)
            if owner != cls.__qualname__:
                raise ValueError(f"audit action {code!r} declared by {owner} and {cls.__qualname__}")
            _LABELS[code] = member.label
        return cls

    return register


def label(code: str) -> str:
    """What the audit pages show: the registered label, else the code itself (never a failure)."""
    return str(_LABELS.get(code, code))


def registered() -> frozenset[str]:
    return frozenset(_LABELS)
