"""Re-indexing after the login index key rotates (decision 0036): every stored digest of a personal
number moves to the current key version, so old versions can be retired.

Where the numbers come from: accounts and pending registrations keep theirs sealed; every other
digest of a number that may belong to no account (a representative recorded by a registry or an
organization, a person a request names) was stored through ``logins.kept_digest`` or a registry
import, which keep the number sealed in ``KeptNumber``. From those, each old digest has a known
new one; apps declare where digests are stored (``register``: a column; ``register_json``: JSON in
which a ``digest`` key holds one), from their ``AppConfig.ready()``.

One transaction: either everything moves or nothing does, so two stored digests compared with each
other are never under different versions. A digest no known number gives (an account whose number
was never kept, a record from before numbers were kept) is left as it is and counted: the old key
version must stay until the count is zero — an account moves at its holder's next sign-in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction

from dinhdanh.core.keys import index_with, key_versions, retire_key_versions
from dinhdanh.core.sealed import SealError, unseal_text
from dinhdanh.people.identifiers import PID_PURPOSE
from dinhdanh.people.logins import LOGIN_KEY
from dinhdanh.people.models import KeptNumber, PendingRegistration, User

__all__ = ["Reindexed", "register", "register_json", "reindex", "retire_old_versions"]

_COLUMNS: list[tuple[str, str]] = []
_JSON: list[tuple[str, str]] = []
DIGEST_KEY = "digest"  # in JSON: the key whose value is a login digest (applications.validation.Person)


def register(model: str, field: str) -> None:
    if (model, field) not in _COLUMNS:
        _COLUMNS.append((model, field))


def register_json(model: str, field: str) -> None:
    if (model, field) not in _JSON:
        _JSON.append((model, field))


@dataclass
class Reindexed:
    numbers: int = 0  # personal numbers known (sealed) under the login index
    moved: int = 0  # stored digests rewritten under the current version
    unreachable: int = 0  # stored digests no known number gives: still under an old version
    unreadable: int = 0  # sealed numbers that cannot be opened (logged by the caller's report)

    def as_json(self) -> dict[str, int]:
        return {"numbers": self.numbers, "moved": self.moved, "unreachable": self.unreachable,
                "unreadable": self.unreadable}  # fmt: skip


class _Map:
    """Old digest → current digest for every known number, and the set of current digests."""

    def __init__(self) -> None:
        versions = key_versions(LOGIN_KEY)
        self.current_key = versions[-1][2]
        self.old_keys = [key for _v, _kid, key in versions[:-1]]
        self.to_current: dict[str, str] = {}
        self.current: set[str] = set()

    def add(self, number: str) -> str:
        new = index_with(self.current_key, number)
        self.current.add(new)
        for key in self.old_keys:
            self.to_current[index_with(key, number)] = new
        return new


def _sealed_sources() -> Iterator[tuple[type[models.Model], str, str, models.QuerySet[Any]]]:
    yield User, "login_digest", "personal_id_sealed", User.objects.all()
    yield PendingRegistration, "login_digest", "personal_id_sealed", PendingRegistration.objects.all()
    yield KeptNumber, "digest", "sealed", KeptNumber.objects.filter(key_name=LOGIN_KEY)


def _known(found: _Map, result: Reindexed) -> None:
    """Rows that hold their own sealed number: their digest is recomputed directly."""
    for model, field, sealed, rows in _sealed_sources():
        for pk, digest, blob in rows.values_list("pk", field, sealed).iterator():
            if not blob:
                result.unreachable += 1  # an account whose number was never kept: its next sign-in moves it
                continue
            try:
                number = unseal_text(bytes(blob), purpose=PID_PURPOSE)
            except SealError:
                result.unreadable += 1
                continue
            result.numbers += 1
            new = found.add(number)
            if digest == new:
                continue
            if model is KeptNumber and KeptNumber.objects.filter(digest=new).exists():
                KeptNumber.objects.filter(pk=pk).delete()  # kept again under the new key meanwhile
            else:
                model._default_manager.filter(pk=pk).update(**{field: new})
            result.moved += 1


def _columns(found: _Map, result: Reindexed, reachable: set[str]) -> None:
    for label, field in _COLUMNS:
        manager = apps.get_model(label)._default_manager
        stored = manager.exclude(**{field: ""}).values_list(field, flat=True).distinct()
        for digest in list(stored.iterator()):
            new = found.to_current.get(digest)
            if new is not None:
                result.moved += manager.filter(**{field: digest}).update(**{field: new})
            elif digest not in found.current and digest not in reachable:
                result.unreachable += manager.filter(**{field: digest}).count()


def _walk(value: Any, found: _Map, result: Reindexed, reachable: set[str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == DIGEST_KEY and isinstance(item, str) and item:
                new = found.to_current.get(item)
                if new is not None:
                    result.moved += 1
                elif item not in found.current and item not in reachable:
                    result.unreachable += 1
                out[key] = new or item
            else:
                out[key] = _walk(item, found, result, reachable)
        return out
    if isinstance(value, list):
        return [_walk(item, found, result, reachable) for item in value]
    return value


def _json(found: _Map, result: Reindexed, reachable: set[str]) -> None:
    for label, field in _JSON:
        manager = apps.get_model(label)._default_manager
        for pk, data in manager.values_list("pk", field).iterator():
            moved = result.moved
            fresh = _walk(data, found, result, reachable)
            if result.moved != moved:
                manager.filter(pk=pk).update(**{field: fresh})


def reindex() -> Reindexed:
    """Move every stored login digest to the current key version; idempotent (run it again after
    stragglers — processes that had not seen the new version — wrote under the old one)."""
    result = Reindexed()
    with transaction.atomic():
        found = _Map()
        if not found.old_keys:
            return result  # one version: every digest is under it already
        _known(found, result)
        # Digests under other indexes (foreign documents) never move, and are not "unreachable".
        reachable = set(KeptNumber.objects.exclude(key_name=LOGIN_KEY).values_list("digest", flat=True))
        _columns(found, result, reachable)
        _json(found, result, reachable)
    return result


def retire_old_versions(*, force: bool = False) -> tuple[Reindexed, list[int]]:
    """Re-index once more, then delete the old key versions — only when nothing is left under them
    (``force``: even so; what is left can then never be matched again). Returns the last re-index
    and the versions deleted (none when refused)."""
    result = reindex()
    if result.unreachable and not force:
        return result, []
    return result, retire_key_versions(LOGIN_KEY)
