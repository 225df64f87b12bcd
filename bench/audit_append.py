"""Audit appends per CPU-second: ``core.audit.record`` beside the same append made with the ORM (decision 0039).

    .venv/bin/python bench/audit_append.py [--count 400] [--postgres]

Every service's decision appends one event to its chain (decision 0019): lock the chain's head row,
insert the sealed event, move the head. ``record`` builds these three statements once (``core.rows``);
the reference below makes the same append with the ORM's ``select_for_update().first()``,
``save(force_insert=True)`` and ``save(update_fields=…)``, which compile their SQL again at every call
(what ``record`` did before). Both run in this process, one transaction each, on a fresh database (a
temporary SQLite file, or DATABASE_URL's PostgreSQL database, flushed first); CPU is this process's
``time.process_time`` (PostgreSQL's own server CPU is not counted). The chain is verified at the end:
both ways write the same chain. Bounded: at most 5,000 appends a way.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oidc_vs_peer as base

UNIT = SimpleNamespace(code="B1001", province_code="B1")  # not a real province: the bench's own chain


def orm_append(index: int) -> None:
    """The append as ``record`` made it before decision 0039 (its sealing reused, not copied)."""
    from django.db import transaction
    from django.utils import timezone

    from dinhdanh.core import audit
    from dinhdanh.core.keys import audit_chain_key
    from dinhdanh.core.models import AuditChainHead, AuditEvent

    occurred_at = timezone.now()
    chain = audit.chain_for(province_code=UNIT.province_code, at=occurred_at)
    key_id, key = audit_chain_key()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
        event = AuditEvent(
            chain=chain, seq=head.last_seq + 1, occurred_at=occurred_at, actor=None, actor_label="system",
            action="people.signout", object_type="bench", object_id=str(index), before=None,
            after=audit.storable({"n": index}), request_id="", prev_hash=head.last_hash, key_id=key_id,
        )  # fmt: skip
        event.hash = audit._seal(audit._content(event), key)
        event.save(force_insert=True)
        head.last_seq, head.last_hash, head.key_id = event.seq, event.hash, key_id
        head.save(update_fields=["last_seq", "last_hash", "key_id"])


def record_append(index: int) -> None:
    from dinhdanh.core import audit
    from dinhdanh.people.audit_actions import PeopleAction

    audit.record(
        PeopleAction.SIGNOUT, actor=None, object_type="bench", object_id=str(index), after={"n": index}, unit=UNIT
    )


def rate(append: Callable[[int], None], count: int, start: int) -> float:
    began = time.process_time()
    for i in range(count):
        append(start + i)
    return count / (time.process_time() - began)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=400, help="appends per way and round (default 400)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (DATABASE_URL) instead of SQLite")
    args = parser.parse_args()
    count = max(1, min(args.count, 5000))
    workdir = Path(tempfile.mkdtemp(prefix="dinhdanh-audit-bench-"))
    try:
        base.prepare_ours(workdir, postgres=args.postgres)
        from dinhdanh.core import audit

        record_append(0)  # opens the chain (its head), warms both ways' imports
        orm_append(1)
        rounds = [
            (rate(orm_append, count, 2 * r * count), rate(record_append, count, (2 * r + 1) * count))
            for r in (1, 2)
        ]
        checked = audit.verify()
        database = "PostgreSQL" if args.postgres else "SQLite"
        print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
        print(f"{database}, {count} appends a way and round, one process, CPU = time.process_time")
        for n, (orm, built) in enumerate(rounds, 1):
            print(
                f"round {n}: ORM statements {orm:,.0f} appends/CPU-s ({1e6 / orm:,.0f} µs); "
                f"core.audit.record {built:,.0f} appends/CPU-s ({1e6 / built:,.0f} µs): {built / orm:.2f}×"
            )
        print(f"chain verified: {checked.ok} ({checked.checked} events, reason {checked.reason or '—'})")
        return 0 if checked.ok else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        os.environ.pop("DJANGO_SETTINGS_MODULE", None)


if __name__ == "__main__":
    raise SystemExit(main())
