"""What keeping the campaigns' daily counts adds to the write that causes a counted event (issue 14.4).

    .venv/bin/python bench/campaign_counts.py [--count 400] [--postgres]

The write is the least a counted decision does: one transaction with its audit event
(``core.audit.record``) and its domain event (``core.events.emit`` of ``organizations.issued``).
Measured with the campaigns' listener (the daily count's upsert in the same transaction) and without
it (listeners removed), alternating rounds, in one process, and the listener's own CPU timed inside
the rounds with it (its share does not move with the machine's load between rounds); CPU is ``time.process_time`` (PostgreSQL's
own server CPU is not counted). Real decisions write more (the organization, its membership, a
notice), so the share printed is an upper bound. Issue 14's target: ≤ 10 %. Bounded: at most 5,000
writes a way and round. A temporary SQLite file, or DATABASE_URL's PostgreSQL database (flushed).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oidc_vs_peer as base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=400, help="writes a way and round (default 400)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (DATABASE_URL) instead of SQLite")
    args = parser.parse_args()
    count = max(1, min(args.count, 5000))
    workdir = Path(tempfile.mkdtemp(prefix="dinhdanh-counts-bench-"))
    try:
        base.prepare_ours(workdir, postgres=args.postgres)
        from django.db import transaction

        from dinhdanh.campaigns import counting
        from dinhdanh.core import audit, events
        from dinhdanh.organizations.audit_actions import OrganizationAction

        unit = SimpleNamespace(pk=None, code="B1001", province_code="B1")  # not a real unit: the bench's own
        categories = ["enterprise", "cooperative", "tax_agency", "other"]

        def write(i: int) -> None:
            organization = SimpleNamespace(pk=10**9 + i, head_office=unit, category=categories[i % 4])
            with transaction.atomic():
                audit.record(
                    OrganizationAction.ORG_ISSUED, actor=None, object_type="bench", object_id=str(i), unit=unit
                )
                events.emit("organizations.issued", actor=None, organization=organization)  # type: ignore[arg-type]

        inside = [0.0]

        def timed(event: object) -> None:
            began = time.process_time()
            counting.count_event(event)  # type: ignore[arg-type]
            inside[0] += time.process_time() - began

        def rate(listening: bool, start: int) -> tuple[float, float]:
            """Writes per CPU-second, and the share of their CPU spent in the listener."""
            events._LISTENERS[:] = [timed] if listening else []
            inside[0] = 0.0
            began = time.process_time()
            for i in range(start, start + count):
                write(i)
            spent = time.process_time() - began
            return count / spent, inside[0] / spent

        write(0)
        rounds = [(rate(False, (2 * r + 1) * count)[0], *rate(True, (2 * r + 2) * count)) for r in range(3)]
        events._LISTENERS[:] = [counting.count_event]
        counted = sum(counting.stored_counts().values())
        expected = 1 + 3 * count  # the warm-up and the rounds with the listener
        database = "PostgreSQL" if args.postgres else "SQLite"
        print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
        print(f"{database}, {count} writes a way and round (audit event + domain event, one transaction)")
        for n, (without, listening, share) in enumerate(rounds, 1):
            print(
                f"round {n}: without counts {without:,.0f} writes/CPU-s; with counts {listening:,.0f} writes/CPU-s "
                f"({(without / listening - 1) * 100:+.1f}% between rounds); the listener's own share of a "
                f"write's CPU, timed inside: {share * 100:.1f}%"
            )
        print(f"every write with the listener counted: {counted == expected} ({counted} of {expected})")
        return 0 if counted == expected else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
