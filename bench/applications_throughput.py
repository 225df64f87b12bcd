"""Requests submitted and decided per second, and the officer queue of a busy commune (issue 4).

    .venv/bin/python bench/applications_throughput.py [organizations] [requests] [queue]
        # defaults: 1,000,000 organizations pre-loaded, 200 requests, 10,000 open requests in the queue
    DATABASE_URL=postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_d1 .venv/bin/python bench/applications_throughput.py

Single-threaded, through the real services (validation, checks against the registries, routing,
deadline, audit chain, notifications outbox; approval issues the organization):
  submit   application_start + application_submit (draft → submitted → checking)
  decide   application_approve (checking → approved, organization issued with its number)
  queue    selectors.officer_queue for a commune officer: first page of 50 among ``queue`` open requests
           of one commune (median of 30 runs), and the count
Organizations are pre-loaded with raw bulk inserts (no services) so that the unique code and name
lookups run against a realistic table. SQLite runs in a temporary data dir; on PostgreSQL the rows
the queue rows are deleted at the end (the pre-loaded organizations stay, a rerun reuses them).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta

ORGANIZATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
REQUESTS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
QUEUE = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
COMMUNE = "30292"
EID_PREFIX = "8"  # pre-loaded organizations: 8xxxxxxxxxx, never issued by the platform's counter
NUMBER_PREFIX = "HB-"
BATCH = 5000


def main() -> None:  # noqa: PLR0915  # a linear script: setup, three measurements, cleanup
    if "DATABASE_URL" not in os.environ:
        os.environ["DINHDANH_DATA_DIR"] = tempfile.mkdtemp(prefix="dinhdanh-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.dev")
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
    from dinhdanh.people.logins import login_digest
    from dinhdanh.people.models import AccountLevel, User
    from dinhdanh.people.permissions import PeopleRole
    from dinhdanh.people.services import user_create

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
    def account(pid: str, name: str) -> User:
        found = User.objects.filter(login_digest=login_digest(pid)).first()
        if found is not None:
            return found
        return user_create(actor=None, personal_id=pid, full_name=name, password=None, level=AccountLevel.LEVEL_2)

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
    print("command: " + " ".join([sys.executable, *sys.argv]))

    if vendor == "postgresql":  # leave the shared database as it was
        Application.objects.filter(number__startswith=NUMBER_PREFIX).delete()
    else:
        shutil.rmtree(os.environ["DINHDANH_DATA_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
