"""What keeping the campaigns' daily counts adds to the write that causes a counted event (issue 14.4).

    .venv/bin/python bench/campaign_counts.py [--count 400] [--postgres]
    .venv/bin/python bench/campaign_counts.py --decisions [--count 100] [--postgres]

With ``--decisions`` the write is a real one, through the real services: an officer's approval of a
request (``applications.services.application_approve``: the request's state, the organization issued
with its number, its membership, the audit chain, notices, and the ``organizations.issued`` event
the listener counts), preceded by the applicant's submission (``application_submit``, whose
``applications.submitted`` event is counted too). Rounds alternate without the listener and with it;
the listener's own wall time and CPU are timed inside each counted write, and reported as a share
of the write's (PostgreSQL's server time is inside the wall time of both). Issue 14's target: ≤ 10 %.

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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oidc_vs_peer as base


def decisions(count: int, postgres: bool) -> int:  # noqa: PLR0915 - a linear script: people, requests, rounds
    """Real submissions and approvals with and without the listener (see the module)."""
    from django.utils import timezone
    from stdnum.vn import mst

    from dinhdanh.applications import services
    from dinhdanh.applications.checks import organizations_with_code
    from dinhdanh.applications.models import ApplicationChannel, Capacity, Kind
    from dinhdanh.campaigns import counting
    from dinhdanh.core import events
    from dinhdanh.core.calendar import current_calendar
    from dinhdanh.core.services import role_grant
    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
    from dinhdanh.geo.services import units_load
    from dinhdanh.organizations.categories import Category
    from dinhdanh.people.models import AccountLevel
    from dinhdanh.people.permissions import PeopleRole
    from dinhdanh.people.services import user_create

    if not AdministrativeUnit.objects.exists():
        units_load(actor=None)
    commune = "30292"
    home = AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.COMMUNE, code=commune)
    officer = user_create(actor=None, personal_id="091085099102", full_name="Cán Bộ Đo", password=None,
                          level=AccountLevel.LEVEL_2)  # fmt: skip
    role_grant(actor=None, user=officer, role=PeopleRole.REVIEWING_OFFICER, unit=home)
    serial = iter(range(7_100_000, 9_999_999))

    def tax_code() -> str:
        while True:
            body = f"0{next(serial):08d}"
            code = body + mst.calc_check_digit(body)
            if mst.is_valid(code) and not organizations_with_code(code).exists():
                return code

    current_calendar().add_days(timezone.now(), 3)  # the holiday tables load on first use
    inside = {"wall": 0.0, "cpu": 0.0}

    def timed(event: object) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        counting.count_event(event)  # type: ignore[arg-type]
        inside["wall"] += time.perf_counter() - wall
        inside["cpu"] += time.process_time() - cpu

    people = iter(range(100_000))

    def submitted(n: int) -> list[tuple[Any, Any]]:
        made = []
        for _ in range(n):
            pid = f"0910852{next(people):05d}"
            user = user_create(actor=None, personal_id=pid, full_name=f"Người Nộp {pid}", password=None,
                               level=AccountLevel.LEVEL_2)  # fmt: skip
            app = services.application_start(
                actor=user, kind=Kind.NEW, channel=ApplicationChannel.ONLINE, capacity=Capacity.REPRESENTATIVE,
                category=Category.ENTERPRISE,
                data={"name": f"Công ty TNHH Đo Số Đếm {pid}", "code": tax_code(), "head_office_code": commune,
                      "representative_name": user.full_name, "representative_id": pid},
            )  # fmt: skip
            made.append((user, app))
        return made

    def round_(listening: bool) -> dict[str, float]:
        """Submit then approve ``count`` requests; wall and CPU of each kind of write, and the listener's."""
        batch = submitted(count)
        events._LISTENERS[:] = [timed] if listening else []
        inside.update(wall=0.0, cpu=0.0)
        out: dict[str, float] = {}
        wall, cpu = time.perf_counter(), time.process_time()
        sent = [services.application_submit(actor=user, application=app) for user, app in batch]
        out["submit_wall"], out["submit_cpu"] = time.perf_counter() - wall, time.process_time() - cpu
        out["submit_in_wall"], out["submit_in_cpu"] = inside["wall"], inside["cpu"]
        inside.update(wall=0.0, cpu=0.0)
        wall, cpu = time.perf_counter(), time.process_time()
        for app in sent:
            services.application_approve(
                actor=officer, application=app, note="bench", acknowledge_failed_checks=True
            )
        out["approve_wall"], out["approve_cpu"] = time.perf_counter() - wall, time.process_time() - cpu
        out["approve_in_wall"], out["approve_in_cpu"] = inside["wall"], inside["cpu"]
        return out

    round_(True)  # warm-up
    rounds = [(round_(False), round_(True)) for _ in range(3)]
    events._LISTENERS[:] = [counting.count_event]
    database = "PostgreSQL" if postgres else "SQLite"
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"{database}, {count} real requests a way and round: application_submit, then application_approve")
    for n, (without, listening) in enumerate(rounds, 1):
        for kind in ("submit", "approve"):
            print(
                f"round {n} {kind}: {count / without[kind + '_wall']:,.1f}/s without the listener, "
                f"{count / listening[kind + '_wall']:,.1f}/s with it; the listener's share of the write, timed "
                f"inside: {listening[kind + '_in_wall'] / listening[kind + '_wall'] * 100:.2f}% of its wall time, "
                f"{listening[kind + '_in_cpu'] / listening[kind + '_cpu'] * 100:.2f}% of its CPU "
                f"({listening[kind + '_in_wall'] / count * 1000:.3f} ms a write)"
            )
    return 0


def main() -> int:  # noqa: PLR0915 - a linear script: two ways of measuring
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=400, help="writes a way and round (default 400)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (DATABASE_URL) instead of SQLite")
    parser.add_argument("--decisions", action="store_true", help="real submissions and approvals (see above)")
    args = parser.parse_args()
    count = max(1, min(args.count, 5000))
    if args.decisions:
        workdir = Path(tempfile.mkdtemp(prefix="dinhdanh-counts-bench-"))
        try:
            base.prepare_ours(workdir, postgres=args.postgres)
            return decisions(min(count, 500), args.postgres)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
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
