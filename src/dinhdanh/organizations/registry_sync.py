"""Decree 69 Art. 8: registry changes flow into issued organizations. (Stub; helper D2 fills it in.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dinhdanh.people.models import User
    from dinhdanh.registries.models import Snapshot


@dataclass(frozen=True)
class SyncSummary:
    updated: int = 0
    representatives_changed: int = 0
    terminated: int = 0


def sync_from_registry(*, snapshot: Snapshot, actor: User | None) -> SyncSummary:
    return SyncSummary()
