"""Requests submitted and decided per second, and the officer queue of a busy commune (issue 4).

    .venv/bin/python bench/applications_throughput.py [organizations] [requests] [queue] [--servers N]
        # defaults: 1,000,000 organizations pre-loaded, 200 requests, 10,000 open requests in the queue
    DATABASE_URL=postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_bench .venv/bin/python \
        bench/applications_throughput.py 1000000 200 10000 --servers 2

Single-threaded, through the real services (validation, checks against the registries, routing,
deadline, audit chain, notifications outbox; approval issues the organization):
  submit   application_start + application_submit (draft → submitted → checking)
  decide   application_approve (checking → approved, organization issued with its number)
  queue    selectors.officer_queue for a commune officer: first page of 50 among ``queue`` open requests
           of one commune (median of 30 runs), and the count
With ``--servers N`` (issue 17.4: two processes), the same writes then go over the API to N
`dinhdanh serve` processes (gunicorn, one worker, ``--server-threads`` threads each) on 127.0.0.1, as
bench/mixed_load.py starts them, from ``--clients`` threads spread over the servers: ``requests``
submissions (create + submit, two requests each), then as many officers' approvals. Every submitted
code is in the business registry, with the representative's ID number, so the checks find and compare
a record (registry checks on). Reference in the same run: a no-op request (GET /api/v1/auth/csrf) from
the same clients to the same servers. It prints operations/s and, per operation, the CPU time of the
servers' processes (and its ratio to the no-op's), of the database's backends (PostgreSQL on this machine,
found in pg_stat_activity and read in /proc; on SQLite the servers do that work) and of the clients
(this process), and the ceiling those three allow on this machine's CPUs. Loopback only; bounded by
the count and per-request timeouts.
Organizations are pre-loaded with raw bulk inserts (no services) so that the unique code and name
lookups run against a realistic table. SQLite runs in a temporary data dir; on PostgreSQL the queue
rows are deleted at the end (the pre-loaded organizations stay, a rerun reuses them).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from layers import account, load_average

if TYPE_CHECKING:
    from dinhdanh.people.models import User

_parser = argparse.ArgumentParser(description="Requests submitted and decided per second.")
_parser.add_argument("organizations", type=int, nargs="?", default=1_000_000)
_parser.add_argument("requests", type=int, nargs="?", default=200)
_parser.add_argument("queue", type=int, nargs="?", default=10_000)
_parser.add_argument("--servers", type=int, default=0, help="also over the API to N server processes")
_parser.add_argument("--server-threads", type=int, default=4, help="threads per server process (default 4)")
_parser.add_argument("--clients", type=int, default=8, help="client threads over the API (default 8)")
ARGS = _parser.parse_args()
ORGANIZATIONS, QUEUE = ARGS.organizations, ARGS.queue
REQUESTS = max(1, min(ARGS.requests, 5000))
COMMUNE = "30292"
EID_PREFIX = "8"  # pre-loaded organizations: 8xxxxxxxxxx, never issued by the platform's counter
NUMBER_PREFIX = "HB-"
BATCH = 5000


def main() -> None:  # noqa: PLR0915  # a linear script: setup, three measurements, cleanup
    if "DATABASE_URL" not in os.environ:
        os.environ["DINHDANH_DATA_DIR"] = str(Path(tempfile.mkdtemp(prefix="dinhdanh-bench-")) / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.dev")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test helpers, for --servers
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from stdnum.vn import mst

    from dinhdanh.applications import services
    from dinhdanh.applications.checks import organizations_with_code
    from dinhdanh.applications.models import Application, ApplicationChannel, Capacity, Kind, Status
    from dinhdanh.applications.selectors import officer_queue
    from dinhdanh.core.services import role_grant
    from dinhdanh.core.text import name_key
    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
    from dinhdanh.geo.services import units_load
    from dinhdanh.organizations.categories import Category
    from dinhdanh.organizations.models import Organization
    from dinhdanh.people.permissions import PeopleRole

    call_command("migrate", verbosity=0)
    if not AdministrativeUnit.objects.exists():
        units_load(actor=None)
    communes = list(
        AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.COMMUNE).order_by("pk")[:2000]
    )
    home = AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.COMMUNE, code=COMMUNE)
    vendor = connection.vendor

    # --- organizations, raw ---------------------------------------------------------------------
    started = time.perf_counter()
    have = Organization.objects.filter(eid__startswith=EID_PREFIX).count()
    now = timezone.now()
    base_key = name_key("Công ty TNHH Bench số")  # name_key per row would dominate the load
    table = Organization._meta.db_table
    columns = (
        "eid, category, name, name_key, short_name, foreign_name, code, founding_document_number, "
        "founding_document_issuer, head_office_id, head_office_path, street, phone, email, representative_digest, "
        "representative_masked, representative_name, representative_position, status, registry_source, "
        "registry_code, issued_at, updated_at"
    )
    insert = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 23)})"  # noqa: S608  # constants only
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(have, ORGANIZATIONS, BATCH):
            rows = []
            for i in range(start, min(start + BATCH, ORGANIZATIONS)):
                place = communes[i % len(communes)]
                rows.append(
                    (
                        f"{EID_PREFIX}{i:010d}", Category.ENTERPRISE, f"Công ty TNHH Bench số {i}", f"{base_key} {i}",
                        "", "", f"B{i:09d}", "", "", place.pk, place.path, "", "", "", "", "", "Người Đại Diện", "",
                        "active", "", "", now, now,
                    )
                )  # fmt: skip
            cursor.executemany(insert, rows)
    load_seconds = time.perf_counter() - started

    # --- people and officers --------------------------------------------------------------------
    officer = account("091085099101", "Cán Bộ Đo")
    if not officer.role_assignments.exists():
        role_grant(actor=None, user=officer, role=PeopleRole.REVIEWING_OFFICER, unit=home)
    applicants = [(f"0910851{i:05d}", account(f"0910851{i:05d}", f"Người Nộp {i}")) for i in range(REQUESTS)]

    serial = iter(range(7_000_000, 9_999_999))

    def tax_code() -> str:
        while True:
            body = f"0{next(serial):08d}"
            code = body + mst.calc_check_digit(body)
            if mst.is_valid(code) and not organizations_with_code(code).exists():
                return code

    # --- submit ---------------------------------------------------------------------------------
    from dinhdanh.core.calendar import current_calendar

    current_calendar().add_days(timezone.now(), 3)  # warm-up: the holiday tables load on first use
    made: list[Application] = []
    started = time.perf_counter()
    for pid, user in applicants:
        app = services.application_start(
            actor=user,
            kind=Kind.NEW,
            channel=ApplicationChannel.ONLINE,
            capacity=Capacity.REPRESENTATIVE,
            category=Category.ENTERPRISE,
            data={
                "name": f"Công ty TNHH Đo Hiệu Năng {pid}",
                "code": tax_code(),
                "head_office_code": COMMUNE,
                "representative_name": user.full_name,
                "representative_id": pid,
            },
        )
        made.append(services.application_submit(actor=user, application=app))
    submit_seconds = time.perf_counter() - started

    # --- decide ---------------------------------------------------------------------------------
    started = time.perf_counter()
    for app in made:
        services.application_approve(actor=officer, application=app, note="bench", acknowledge_failed_checks=True)
    decide_seconds = time.perf_counter() - started

    # --- queue ----------------------------------------------------------------------------------
    open_now = Application.objects.filter(number__startswith=NUMBER_PREFIX).count()
    applicant = applicants[0][1]
    queued = [
        Application(
            number=f"{NUMBER_PREFIX}{i:08d}",
            kind=Kind.NEW,
            channel=ApplicationChannel.ONLINE,
            status=Status.CHECKING if i % 3 else Status.SUBMITTED,
            applicant=applicant,
            capacity=Capacity.REPRESENTATIVE,
            category=Category.ENTERPRISE,
            name=f"Hợp tác xã Hàng Đợi {i}",
            name_key=f"hop tac xa hang doi {i}",
            code=f"Q{i:09d}",
            head_office=home,
            unit=home,
            unit_path=home.path,
            open_key=f"bench:{i}",
            received_at=now,
            due_at=now + timedelta(minutes=i),
        )
        for i in range(open_now, QUEUE)
    ]
    Application.objects.bulk_create(queued, batch_size=BATCH)
    timings = []
    for _ in range(31):
        t0 = time.perf_counter()
        page = list(officer_queue(officer)[:50])
        timings.append(time.perf_counter() - t0)
    queue_first = statistics.median(timings[1:])
    t0 = time.perf_counter()
    total = officer_queue(officer).count()
    count_seconds = time.perf_counter() - t0
    overdue = []
    for _ in range(11):
        t0 = time.perf_counter()
        list(officer_queue(officer, overdue=True)[:50])
        overdue.append(time.perf_counter() - t0)

    print(f"database: {vendor}; organizations pre-loaded: {ORGANIZATIONS:,} (load {load_seconds:.0f} s)")
    print(f"submit (start + submit, checks, routing): {REQUESTS / submit_seconds:.1f} requests/s")
    print(f"decide (approve, organization issued):    {REQUESTS / decide_seconds:.1f} requests/s")
    print(
        f"officer queue, {total:,} open in one commune: first page {queue_first * 1000:.1f} ms (median of 30), "
        f"overdue page {statistics.median(overdue[1:]) * 1000:.1f} ms, count {count_seconds * 1000:.1f} ms; "
        f"page size {len(page)}"
    )
    print(load_average())
    print("command: " + " ".join([sys.executable, *sys.argv]))
    if ARGS.servers > 0:
        over_http(officer)

    if vendor == "postgresql":  # leave the shared database as it was
        Application.objects.filter(number__startswith=NUMBER_PREFIX).delete()
    else:
        shutil.rmtree(Path(os.environ["DINHDANH_DATA_DIR"]).parent, ignore_errors=True)


@dataclass(frozen=True)
class Phase:
    """One measured phase over the API: wall seconds and CPU seconds of each side."""

    wall: float
    servers: float
    database: float  # PostgreSQL backends of the bench database; 0 on SQLite (in the servers' processes)
    clients: float


def database_cpu() -> float:
    """CPU seconds of the PostgreSQL backends connected to this database (0 on SQLite, where the
    servers' processes do the database's work). Backends are found in pg_stat_activity and read in /proc,
    so this needs PostgreSQL on this machine, as the bench's loopback setup has it."""
    from django.db import connection
    from procs import cpu_seconds

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    return sum(cpu_seconds(pid) for pid in pids)


def over_http(officer: User) -> None:  # noqa: PLR0915  # a linear script: seed, serve, three measurements
    """Submissions, then decisions, over the API to ``--servers`` server processes (see the docstring)."""
    import httpx
    import mixed_load
    from django.db import connections
    from django.test import Client as Browser
    from oidc_vs_peer import free_port
    from procs import cpu_seconds
    from tests.applications.support import record
    from tests.conftest import signed_in

    from dinhdanh.applications.checks import organizations_with_code
    from dinhdanh.applications.models import Application
    from dinhdanh.core.services import role_grant
    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
    from dinhdanh.people.permissions import PeopleRole
    from dinhdanh.registries.models import Record

    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's logging configuration says INFO
    servers, clients = max(1, min(ARGS.servers, 8)), max(1, min(ARGS.clients, 64))
    home = AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.COMMUNE, code=COMMUNE)

    def session(user: User) -> str:
        return str(signed_in(Browser(), user).session.session_key)

    applicants = [(f"0910953{n:05d}", f"Người Nộp Song Song {n}") for n in range(clients)]
    officers = [officer] + [account(f"0910954{n:05d}", f"Cán Bộ Song Song {n}") for n in range(1, clients)]
    for each in officers:
        if not each.role_assignments.exists():
            role_grant(actor=None, user=each, role=PeopleRole.REVIEWING_OFFICER, unit=home)
    applicant_sessions = [session(account(pid, name)) for pid, name in applicants]
    officer_sessions = [session(each) for each in officers]

    # The codes to submit: free (no organization, no open request), each listed in the business registry
    # with the name and representative the request will give.
    work: list[tuple[str, str, int]] = []  # (code, name, client)
    serial = 0
    while len(work) < REQUESTS:
        code = mixed_load.tax_code(serial, 5_000_000)
        serial += 1
        if organizations_with_code(code).exists() or Application.objects.filter(code=code).exists():
            continue
        n = len(work) % clients
        name = f"Công ty TNHH Hai Tiến Trình {code}"
        if not Record.objects.filter(code=code).exists():
            pid, person = applicants[n]
            record(code, name.upper(), where=home, representative_id=pid, representative_name=person)
        work.append((code, name, n))
    connections.close_all()

    workdir = Path(tempfile.mkdtemp(prefix="dinhdanh-bench-http-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="dinhdanh.settings.dev",
        PYTHONPATH=os.pathsep.join([str(mixed_load.ROOT), str(mixed_load.ROOT / "src")]),
    )
    sites = [mixed_load.Site(workdir=workdir, env=env, port=free_port()) for _ in range(servers)]
    processes = []
    try:
        for i, site in enumerate(sites):
            command = ["serve", "--bind", f"127.0.0.1:{site.port}", "--workers", "1"]
            processes.append(
                mixed_load.launch(site, f"server{i}", *command, "--threads", str(ARGS.server_threads))
            )
        for i, (site, process) in enumerate(zip(sites, processes, strict=True)):
            mixed_load.wait_ready(site, process, log=f"server{i}")

        def client(n: int, cookie: str) -> httpx.Client:
            cookies = {"dinhdanh_session": cookie} if cookie else {}
            return httpx.Client(base_url=sites[n % servers].base, timeout=mixed_load.TIMEOUT, cookies=cookies)

        def csrf(http: httpx.Client) -> dict[str, str]:
            token = mixed_load.expect(http.get("/api/v1/auth/csrf"), 200)["csrf_token"]
            return {"X-CSRFToken": token, "Referer": str(http.base_url)}

        submitters = [client(n, applicant_sessions[n]) for n in range(clients)]
        deciders = [client(n, officer_sessions[n]) for n in range(clients)]
        anonymous = [client(n, "") for n in range(clients)]
        submit_headers = [csrf(http) for http in submitters]
        decide_headers = [csrf(http) for http in deciders]
        numbers: list[int] = []
        errors: list[str] = []
        lock = threading.Lock()

        def phase(count: int, one: Callable[[int, int], None]) -> Phase:
            """``count`` operations, operation i by client i % clients: wall seconds and CPU seconds."""
            queue = iter(range(count))

            def loop(n: int) -> None:
                while True:
                    with lock:
                        i = next(queue, None)
                    if i is None:
                        return
                    try:
                        one(n, i)
                    except (mixed_load.UnexpectedError, httpx.HTTPError, ValueError, KeyError) as exc:
                        with lock:
                            errors.append(f"{type(exc).__name__}: {exc}")

            cpu, database, own = sum(cpu_seconds(p.pid) for p in processes), database_cpu(), time.process_time()
            started = time.perf_counter()
            threads = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=count * mixed_load.TIMEOUT)
            wall = time.perf_counter() - started
            return Phase(
                wall=wall,
                servers=sum(cpu_seconds(p.pid) for p in processes) - cpu,
                database=database_cpu() - database,
                clients=time.process_time() - own,
            )

        def noop(n: int, _i: int) -> None:
            anonymous[n].cookies.clear()
            mixed_load.expect(anonymous[n].get("/api/v1/auth/csrf"), 200)

        def submit(n: int, i: int) -> None:
            code, name, owner = work[i]
            pid, person = applicants[owner]
            number = mixed_load.submit_request(
                submitters[owner], submit_headers[owner], name=name, code=code, representative=(person, pid)
            )
            with lock:
                numbers.append(number)

        def decide(n: int, i: int) -> None:
            mixed_load.approve_request(deciders[n], decide_headers[n], numbers[i])

        phase(clients * 2, noop)  # warm-up: each thread and server has run a request
        figures = {"no-op request": phase(REQUESTS, noop)}
        figures["submit (create + submit)"] = phase(REQUESTS, submit)
        figures["decide (approve)"] = phase(len(numbers), decide)
        done = Application.objects.filter(pk__in=numbers, status="approved", organization__isnull=False).count()
        connections.close_all()
    finally:
        for process in processes:
            mixed_load.stop(process)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\nover the API: {servers} server processes (gunicorn, 1 worker × {ARGS.server_threads} threads each), "
        f"{clients} client threads on loopback; registry records for every code; {load_average()}"
    )
    print(
        "  CPU per operation (ms): the servers' processes, the database's backends (PostgreSQL; on SQLite the "
        "servers do it), the clients (this process); ceiling = CPUs / all three"
    )
    reference = figures["no-op request"].servers / REQUESTS
    for name, figure in figures.items():
        count = REQUESTS if name != "decide (approve)" else len(numbers)
        servers_ms = figure.servers / count * 1000
        total = (figure.servers + figure.database + figure.clients) / count
        print(
            f"  {name:26s} {count:5d} in {figure.wall:5.1f} s = {count / figure.wall:6.1f}/s   "
            f"servers {servers_ms:5.1f} (× {figure.servers / count / reference:4.1f} the no-op)  "
            f"database {figure.database / count * 1000:5.1f}  clients {figure.clients / count * 1000:4.1f}  "
            f"ceiling {(os.cpu_count() or 1) / total:6.1f}/s"
        )
    print(
        f"  approved with their organization, found in the database: {done} of {len(numbers)}; errors {len(errors)}"
    )
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error}")
    print("command: " + " ".join([sys.executable, *sys.argv]))


if __name__ == "__main__":
    main()
