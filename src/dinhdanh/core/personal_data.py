"""A person's copy of their own personal data (Law 91/2025, the right of access; issue 16.2).

Each app says what it holds about a person in its own ``personal_data`` module (found by
``autodiscover_modules``, so the kernel names no domain table)::

    @section("people.signins", _("Lịch sử đăng nhập"))
    def signins(user: User) -> list[dict[str, object]]:
        ...

A section returns plain values (strings, numbers, booleans, dates, lists and dicts of them). What is
never in a copy: secrets (password hashes, authenticator secrets, recovery codes, tokens), the sealed
personal number (the masked one is), other people's data (an officer's name on a decision stays, as on
the pages), and the audit log (the operator's record; its events about the person are in the sections).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from dinhdanh.people.models import User

__all__ = ["Section", "copy_of", "section", "sections"]

Section = Callable[["User"], Any]
_SECTIONS: dict[str, tuple[StrOrPromise, Section]] = {}
_found = False


def section(name: str, label: StrOrPromise) -> Callable[[Section], Section]:
    def register(function: Section) -> Section:
        if name in _SECTIONS and _SECTIONS[name][1] is not function:
            raise ValueError(f"personal data section {name!r} declared twice")
        _SECTIONS[name] = (label, function)
        return function

    return register


def sections() -> dict[str, tuple[StrOrPromise, Section]]:
    global _found  # noqa: PLW0603 - discovered once per process
    if not _found:
        autodiscover_modules("personal_data")
        _found = True
    return dict(sorted(_SECTIONS.items()))


def copy_of(user: User, now: datetime | None = None) -> dict[str, Any]:
    """Every section for ``user``, labelled in the active language."""
    return {
        "generated_at": (now or timezone.now()).isoformat(),
        "sections": {
            name: {"label": str(label), "data": fill(user)} for name, (label, fill) in sections().items()
        },
    }
