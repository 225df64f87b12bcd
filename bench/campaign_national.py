"""Campaign dashboards and the weekly roll-up at national scale (issue 14, performance).

    .venv/bin/python bench/campaign_national.py --scale 0.05 --sqlite /var/tmp/dinhdanh-national-0.05
    .venv/bin/python bench/campaign_national.py --scale 1 --postgres      # database dinhdanh_bench

The dataset is built once and reused by the next run on the same database (``--sqlite DIR`` keeps
``DIR/dinhdanh.sqlite3``; ``--postgres`` is ``postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_bench``,
or DATABASE_URL): at ``--scale 1``, 1,000,000 organizations over the 3,321 communes of the 34
provinces, 10,000,000 domain events over the two years up to today (before 01/07/2025 at the 10,051
communes of the old map, after at today's; people's accounts 60 %, requests 12 %, issuances 10 %,
sign-ins as an organization 13 %, other events 5 %; enterprises 70 %, tax-code organizations 10 %,
cooperatives 5 %, others 15 %), their daily counts and activations (bulk: executemany on SQLite,
COPY on PostgreSQL, counted as the listener counts; ``--check`` runs ``dinhdanh counts check`` on
them), the map and running totals (``campaigns.series.rebuild``: closed through yesterday), and 35
active plans: one per province with four targets in each of two phases, allocated to every commune
of the province, and Kiên Giang's of 2024 (a province that no longer exists) allocated to today's
communes that hold it.

Measured, server time in this process (p50 / p95 over ``--requests`` requests after one warm-up):

* the national dashboard: ``dashboard.country_board`` (every plan's own targets) rendered, and the
  country's page of the drill-down (``GET /campaigns/units/``); Hà Nội's (``GET /campaigns/units/01/``);
* two provinces' dashboards: ``GET /campaigns/<slug>/`` through the Django test client (Hà Nội:
  126 communes ranked, and Kiên Giang 2024 read on today's map);
* the weekly roll-up of every reporting unit of every plan: ``reports.reporting_rate`` and
  ``standings.numbers_for_units`` (``reports.report_numbers`` for all units at once), and
  ``report_numbers`` itself for a few units, per unit;
* closing a day of counts into the running totals (``series.close_days``, the nightly job's work).

Issue 14's targets: dashboards ≤ 200 ms (p95), the weekly roll-up of all units ≤ 5 s.

Where a page's time goes: ``--profile cumulative --profile-page hanoi-units`` (or ``hanoi``, ``country``)
profiles ten requests instead of measuring; ``--profile-callees 'unit_row'`` lists what a function called.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ORG_BASE = 50_000_000  # the bench's organizations' ids: far above what the services' sequence gives
DAYS = 730
REFORM = date(2025, 7, 1)
TYPES = [
    ("people.level1_created", 20), ("people.level2_raised", 40), ("applications.submitted", 12),
    ("organizations.issued", 10), ("organizations.acted_as", 8), ("federation.signed_in_as", 5),
    ("organizations.locked", 5),
]  # fmt: skip
CATEGORIES = [("enterprise", 70), ("tax_agency", 10), ("cooperative", 5), ("other", 15)]
METRIC_OF = {
    "people.level1_created": "persons_level1", "people.level2_raised": "persons_level2",
    "applications.submitted": "requests_received", "organizations.issued": "accounts_issued",
}  # fmt: skip
ACTIVATING = {"organizations.acted_as", "federation.signed_in_as"}
TARGETS = [("accounts_issued", "enterprise"), ("accounts_issued", "cooperative"), ("accounts_activated", ""),
           ("persons_level2", "")]  # fmt: skip


def setup(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.dev")
    if args.postgres:
        os.environ.setdefault("DATABASE_URL", "postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_bench")
        os.environ["DINHDANH_DATA_DIR"] = tempfile.mkdtemp(prefix="dinhdanh-national-")
    else:
        os.environ.pop("DATABASE_URL", None)
        Path(args.sqlite).mkdir(parents=True, exist_ok=True)
        os.environ["DINHDANH_DATA_DIR"] = str(Path(args.sqlite).resolve())
    import django

    django.setup()
    from django.core.management import call_command

    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.geo.services import units_load

    call_command("migrate", verbosity=0)
    if not AdministrativeUnit.objects.exists():
        units_load(actor=None)


class Writer:
    """Bulk rows into a table: COPY on PostgreSQL, executemany on SQLite, in batches."""

    def __init__(self, table: str, columns: list[str]) -> None:
        from django.db import connection

        self.connection, self.table, self.columns = connection, table, columns
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        quote = self.connection.ops.quote_name
        names = ", ".join(quote(c) for c in self.columns)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                raw = cursor.cursor  # psycopg's own cursor: COPY
                with raw.copy(f"COPY {quote(self.table)} ({names}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {quote(self.table)} ({names}) VALUES ({marks})", self.rows)  # noqa: S608
        self.written += len(self.rows)
        self.rows = []


def build(scale: float) -> dict[str, float]:  # noqa: PLR0915 - a linear script: organizations, events, counts
    from django.db import connection, transaction
    from django.utils import timezone

    from dinhdanh.campaigns.models import Activation, DailyCount
    from dinhdanh.core.models import DomainEvent
    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
    from dinhdanh.organizations.models import Organization

    rng = random.Random(14)
    pg = connection.vendor == "postgresql"
    today = timezone.localdate()
    first = today - timedelta(days=DAYS - 1)
    tz = timezone.get_default_timezone()

    def places(scheme: str) -> list[tuple[int, str, str, str]]:
        rows = AdministrativeUnit.objects.filter(scheme=scheme, level=Level.COMMUNE).order_by("pk")
        return list(rows.values_list("pk", "code", "province_code", "path"))

    legacy, current = places(Scheme.LEGACY), places(Scheme.CURRENT)
    organizations = int(1_000_000 * scale)
    events = int(10_000_000 * scale)
    timings: dict[str, float] = {}

    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        out = Writer(Organization._meta.db_table, [
            "id", "eid", "category", "name", "name_key", "short_name", "foreign_name", "code",
            "founding_document_number", "founding_document_issuer", "head_office_id", "head_office_path", "street",
            "phone", "email", "representative_digest", "representative_masked", "representative_name",
            "representative_position", "status", "registry_source", "registry_code", "issued_at", "updated_at",
        ])  # fmt: skip
        cats = rng.choices([c for c, _w in CATEGORIES], [w for _c, w in CATEGORIES], k=organizations)
        stamp = now if pg else now.replace(tzinfo=None).isoformat(" ")
        for i in range(organizations):
            pk, _code, _province, path = current[rng.randrange(len(current))]
            out.add((
                ORG_BASE + i, f"N{i:011d}", cats[i], f"Tổ chức đo số {i}", f"to chuc do so {i}", "", "", f"N{i:09d}",
                "", "", pk, path, "", "", "", "", "", "Người Đại Diện", "", "active", "", "", stamp, stamp,
            ))  # fmt: skip
        out.flush()
    timings["organizations"] = time.perf_counter() - started

    started = time.perf_counter()
    next_id = (DomainEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    weights = [0.5 + i / DAYS for i in range(DAYS)]  # campaigns gather pace
    per_day = [int(events * w / sum(weights)) for w in weights]
    per_day[-1] += events - sum(per_day)
    kinds, kind_weights = [k for k, _w in TYPES], [w for _k, w in TYPES]
    cat_names, cat_weights = [c for c, _w in CATEGORIES], [w for _c, w in CATEGORIES]
    issued = 0
    activated: set[int] = set()
    with transaction.atomic():
        event_out = Writer(DomainEvent._meta.db_table, ["id", "type", "occurred_at", "actor_id", "organization_id",
                           "unit_id", "unit_code", "province_code", "category", "payload", "request_id"])  # fmt: skip
        count_out = Writer(DailyCount._meta.db_table,
                           ["day", "metric", "unit_id", "unit_code", "province_code", "category", "count"])  # fmt: skip
        activation_out = Writer(Activation._meta.db_table, ["organization_id", "event_id", "activated_at"])
        for index, n in enumerate(per_day):
            day = first + timedelta(days=index)
            units = legacy if day < REFORM else current
            midnight = datetime.combine(day, datetime.min.time(), tzinfo=tz).astimezone(UTC)
            seconds = sorted(rng.randrange(86_400) for _ in range(n))
            types = rng.choices(kinds, kind_weights, k=n)
            chosen = rng.choices(units, k=n)
            categories = rng.choices(cat_names, cat_weights, k=n)
            counts: Counter[tuple[str, int, str, str, str]] = Counter()
            day_value = day if pg else day.isoformat()
            for kind, (pk, code, province, _path), category, second in zip(
                types, chosen, categories, seconds, strict=True
            ):
                at = midnight + timedelta(seconds=second)
                organization: int | None = None
                metric = METRIC_OF.get(kind)
                if kind == "organizations.issued":
                    organization = ORG_BASE + issued % max(organizations, 1)
                    issued += 1
                elif kind in ACTIVATING or kind == "organizations.locked":
                    organization = ORG_BASE + rng.randrange(max(min(issued, organizations), 1))
                    if kind in ACTIVATING and organization not in activated:
                        activated.add(organization)
                        metric = "accounts_activated"
                        activation_out.add(
                            (organization, next_id, at if pg else at.replace(tzinfo=None).isoformat(" "))
                        )
                person = kind.startswith("people.")
                event_out.add((
                    next_id, kind, at if pg else at.replace(tzinfo=None).isoformat(" "), None, organization, pk, code,
                    province, "" if person else category, "{}", "bench-national",
                ))  # fmt: skip
                next_id += 1
                if metric is not None:
                    counts[(metric, pk, code, province, "" if person else category)] += 1
            for (metric, pk, code, province, category), count in counts.items():
                count_out.add((day_value, metric, pk, code, province, category, count))
        for writer in (event_out, count_out, activation_out):
            writer.flush()
        if pg:
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval(pg_get_serial_sequence('core_domainevent', 'id'), %s)", [next_id])
                cursor.execute("ANALYZE")
    timings["events"] = time.perf_counter() - started
    timings["events_written"] = event_out.written
    timings["daily_rows"] = count_out.written
    return timings


def make_plans() -> None:
    from datetime import time as clock

    from django.utils import timezone

    from dinhdanh.campaigns.models import Phase, Plan, PlanStatus, Target
    from dinhdanh.campaigns.standings import territory
    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme

    today = timezone.localdate()
    provinces = list(
        AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.PROVINCE).order_by("code")
    )
    kien_giang = AdministrativeUnit.objects.get(scheme=Scheme.LEGACY, level=Level.PROVINCE, code="91")
    for number, scope in enumerate([*provinces, kien_giang], 1):
        plan = Plan.objects.create(
            slug=f"bench-{scope.scheme}-{scope.code}", reference=f"{number}/KH-UBND", title="Đo hiệu năng",
            issuing_body=f"UBND {scope.name}", issued_on=today - timedelta(days=200), scope_unit=scope,
            status=PlanStatus.ACTIVE, unit_report_weekday=3, unit_report_time=clock(14), province_report_weekday=4,
        )  # fmt: skip
        phases = [
            Phase.objects.create(plan=plan, number=1, name="Giai đoạn 1", starts_on=today - timedelta(days=180),
                                 ends_on=today - timedelta(days=91)),
            Phase.objects.create(plan=plan, number=2, name="Giai đoạn 2", starts_on=today - timedelta(days=90),
                                 ends_on=today + timedelta(days=90)),
        ]  # fmt: skip
        if scope.is_current:
            communes = list(
                AdministrativeUnit.objects.filter(parent=scope, level=Level.COMMUNE, valid_to__isnull=True)
            )
        else:
            communes = list(AdministrativeUnit.objects.filter(pk__in=territory(scope, on=today)))
        children = []
        for phase in phases:
            for i, (metric, segment) in enumerate(TARGETS):
                each = 3 + (i + phase.number) * 2 + number % 5  # some met, some ahead, some behind
                parent = Target.objects.create(plan=plan, phase=phase, metric=metric, segment=segment, unit=scope,
                                               value=each * len(communes))  # fmt: skip
                children += [Target(plan=plan, phase=phase, metric=metric, segment=segment, unit=c,
                                    value=each + c.pk % 7, parent=parent) for c in communes]  # fmt: skip
        Target.objects.bulk_create(children, batch_size=2000)


def timed(fn: Any, count: int) -> tuple[float, float]:
    fn()  # warm-up
    spent = []
    for _ in range(count):
        began = time.perf_counter()
        fn()
        spent.append(time.perf_counter() - began)
    spent.sort()
    return statistics.median(spent) * 1000, spent[min(len(spent) - 1, round(0.95 * (len(spent) - 1)))] * 1000


COUNTRY = """{% for row in board.rows %}<h2>{{ row.plan.reference }} {{ row.plan.scope_unit.name }}</h2><ul>
{% for s in row.targets %}<li>{{ s.target.get_metric_display }} {{ s.target.get_segment_display }} {{ s.target.unit.name }}:
{% if s.outlook %}{{ s.outlook.done }} / {{ s.outlook.goal }} {{ s.outlook.standing }} {{ s.outlook.forecast|date:"d/m/Y" }}{% else %}{{ s.reason }}{% endif %}</li>
{% endfor %}</ul>{% endfor %}"""


def measure(args: argparse.Namespace) -> None:  # noqa: PLR0915 - a linear script: four measurements
    from django.db import connection
    from django.template import Context, Template
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from dinhdanh.campaigns import dashboard, reports, series
    from dinhdanh.campaigns.models import Plan
    from dinhdanh.campaigns.models.counts import CountsMap, DailyCount
    from dinhdanh.campaigns.standings import numbers_for_units
    from dinhdanh.core.models import DomainEvent
    from dinhdanh.core.services import role_grant
    from dinhdanh.organizations.models import Organization
    from dinhdanh.people.authflow import ACCOUNT_SESSION, STEPPED_UP_AT
    from dinhdanh.people.models import AccountLevel, SignInMethod, User
    from dinhdanh.people.services import user_create
    from dinhdanh.people.signin import Client as SignInClient
    from dinhdanh.people.signin import signin_complete
    from dinhdanh.registries.permissions import RegistryRole

    today = timezone.localdate()
    user = User.objects.filter(full_name="Cán Bộ Đo Chiến Dịch").first()
    if user is None:
        user = user_create(actor=None, personal_id="091085099414", full_name="Cán Bộ Đo Chiến Dịch", password=None,
                           level=AccountLevel.LEVEL_2)  # fmt: skip
        role_grant(actor=None, user=user, role=RegistryRole.CAMPAIGN_MANAGER, unit=None)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    row = signin_complete(user=user, method=SignInMethod.PASSWORD_TOTP, client=SignInClient())
    session = client.session
    session[ACCOUNT_SESSION] = str(row.pk)
    session[STEPPED_UP_AT] = time.time() + 86_400
    session.save()

    state = CountsMap.objects.get()
    print(f"database: {connection.vendor}; scale {args.scale}: {Organization.objects.count():,} organizations, "
          f"{DomainEvent.objects.count():,} events, {DailyCount.objects.count():,} daily rows; "
          f"running totals closed through {state.closed_through}, today {today} read from the daily rows")  # fmt: skip
    template = Template(COUNTRY)

    def country() -> None:
        board = dashboard.country_board(actor=user, as_of=today)
        template.render(Context({"board": board}))

    p50, p95 = timed(country, args.requests)
    s50, s95 = timed(lambda: dashboard.country_board(actor=user, as_of=today), args.requests)
    targets = sum(len(r.targets) for r in dashboard.country_board(actor=user, as_of=today).rows)
    print(f"national dashboard (35 plans, {targets} targets): country_board p50 {s50:.1f} ms, p95 {s95:.1f} ms; "
          f"with a render p50 {p50:.1f} ms, p95 {p95:.1f} ms")  # fmt: skip
    for url, what in ((reverse("campaigns:units"), "the country's page: 34 provinces' figures and bars"),
                      (reverse("campaigns:unit", args=["01"]), "Hà Nội's units page: 126 communes' figures and bars")):  # fmt: skip

        def drill_page(url: str = url) -> None:
            answer = client.get(url)
            assert answer.status_code == 200, answer.status_code

        p50, p95 = timed(drill_page, args.requests)
        print(f"{what} (GET {url}) p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    if args.profile:
        import cProfile
        import pstats

        url = {
            "country": reverse("campaigns:units"),
            "hanoi": reverse("campaigns:plan", args=["bench-2025-01"]),
            "hanoi-units": reverse("campaigns:unit", args=["01"]),
        }[args.profile_page]
        client.get(url)
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [client.get(url) for _ in range(10)])
        stats = pstats.Stats(profiler).sort_stats(args.profile)
        stats.print_stats(args.profile_lines)
        if args.profile_callees:
            stats.print_callees(args.profile_callees)
        return
    for slug, label in (("bench-2025-01", "Hà Nội, 126 communes ranked"), ("bench-2008-91", "Kiên Giang 2024")):
        url = reverse("campaigns:plan", args=[slug])

        def page(url: str = url) -> None:
            answer = client.get(url)
            assert answer.status_code == 200, answer.status_code

        p50, p95 = timed(page, args.requests)
        s50, s95 = timed(lambda slug=slug: dashboard.plan_board(actor=user, slug=slug, as_of=today), args.requests)
        print(f"province dashboard {label}: plan_board p50 {s50:.1f} ms, p95 {s95:.1f} ms; "
              f"the page (GET {url}) p50 {p50:.1f} ms, p95 {p95:.1f} ms")  # fmt: skip

    week = today - timedelta(days=today.weekday() + 7)  # last week, Monday
    plans = list(Plan.objects.filter(slug__startswith="bench-").select_related("scope_unit"))
    began = time.perf_counter()
    units = 0
    for plan in plans:
        rate = reports.reporting_rate(plan, week)
        reporting = reports.reporting_units(plan, rate.due_at.date())
        numbers = numbers_for_units(plan, reporting, week)
        units += len(numbers)
    rollup = time.perf_counter() - began
    print(f"weekly roll-up of every reporting unit ({units:,} units of {len(plans)} plans: reporting_rate + "
          f"numbers_for_units): {rollup:.2f} s")  # fmt: skip
    plan = next(p for p in plans if p.slug == "bench-2025-01")
    sample = reports.reporting_units(plan, today)[:3]
    began = time.perf_counter()
    for unit in sample:
        reports.report_numbers(plan, unit, week)
    each = (time.perf_counter() - began) / len(sample)
    print(f"reports.report_numbers, one unit at a time: {each:.2f} s a unit ({each * units / 60:.0f} min for all)")
    if args.close:
        through = state.closed_through
        assert through is not None
        CountsMap.objects.filter(pk=state.pk).update(closed_through=through - timedelta(days=1))
        from dinhdanh.campaigns.models.counts import CountSeries

        # Undo the last closed day's appends by rebuilding through the day before, then close it again.
        series.refill(CountsMap.objects.get(), through - timedelta(days=1))
        began = time.perf_counter()
        written = series.close_days(CountsMap.objects.get(), through)
        print(f"closing one day into the running totals: {time.perf_counter() - began:.2f} s, {written:,} series "
              f"written of {CountSeries.objects.count():,}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", metavar="DIR", help="data directory of the SQLite database (kept for reuse)")
    where.add_argument("--postgres", action="store_true", help="the PostgreSQL database dinhdanh_bench")
    parser.add_argument("--requests", type=int, default=30, help="requests per page (default 30, at most 200)")
    parser.add_argument("--check", action="store_true", help="run `dinhdanh counts check` on the dataset")
    parser.add_argument("--close", action="store_true", help="time closing a day into the running totals")
    parser.add_argument("--profile-lines", type=int, default=40)
    parser.add_argument("--profile-callees", metavar="FUNCTION", help="and what FUNCTION called, with its times")
    parser.add_argument("--profile-page", choices=["hanoi", "hanoi-units", "country"], default="hanoi")
    parser.add_argument("--profile", metavar="SORT", choices=["cumulative", "tottime"],
                        help="profile ten requests of a page (--profile-page) and print the top 40 functions by SORT")  # fmt: skip
    args = parser.parse_args()
    args.requests = max(5, min(args.requests, 200))
    setup(args)
    from django.core.management import call_command
    from django.utils import timezone

    from dinhdanh.campaigns import series
    from dinhdanh.campaigns.models import Plan

    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    marker = "bench-2008-91"
    if not Plan.objects.filter(slug=marker).exists():
        from dinhdanh.core.models import DomainEvent

        if DomainEvent.objects.filter(request_id="bench-national").exists():
            print("a dataset half built is there: start from an empty database", file=sys.stderr)
            return 1
        timings = build(args.scale)
        print(f"built: organizations {timings['organizations']:.0f} s; {timings['events_written']:,.0f} events and "
              f"{timings['daily_rows']:,.0f} daily rows {timings['events']:.0f} s")  # fmt: skip
        began = time.perf_counter()
        now = timezone.now()
        series.rebuild(on=timezone.localdate(now), through=series.closable(now))
        print(f"map and running totals (series.rebuild): {time.perf_counter() - began:.0f} s")
        make_plans()
    else:
        state = series.usable(timezone.localdate())
        if state is None or state.closed_through != series.closable(timezone.now()):
            began = time.perf_counter()
            print(f"maintain: {series.maintain()} in {time.perf_counter() - began:.1f} s")
    if args.check:
        began = time.perf_counter()
        call_command("counts", "check")
        print(f"counts check: {time.perf_counter() - began:.0f} s")
    from dinhdanh.http.heap import settle

    settle()  # as each server worker does at its start (dinhdanh.wsgi)
    measure(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
