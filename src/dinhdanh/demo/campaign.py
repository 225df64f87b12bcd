"""A campaign in progress out of the box (issue 14): Kiên Giang's plan 374/KH-UBND, with simulated
registrations over its months, so the dashboard has something to show on a fresh demo.

The registrations are simulated as domain events (``organizations.issued``, no organization row,
``payload.simulated``) at the communes of today's An Giang that took Kiên Giang's territory, dated
from the plan's start to its end, and the daily counts are rebuilt from the events (the same
``recount`` an operator runs). They are the demo's only events without an organization; nothing
outside a demo database makes them. A second load adds nothing.

Police units are counted on their own (decision 0043): the plan's "100% đơn vị Công an" divides by the
police list (``baseline: registry``) of the time, so the demo dates its police list to the plan's
issue, as if the province police had sent it then, and simulates their accounts as the refined
events would read (category ``police``): most on 30/12/2024, the last ones in early January.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from dinhdanh.campaigns.counting import recount
from dinhdanh.campaigns.models import Plan
from dinhdanh.campaigns.plan_services import plan_load
from dinhdanh.campaigns.standings import territory
from dinhdanh.core.models import DomainEvent
from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.categories import POLICE_UNITS
from dinhdanh.registries.models import Record, Snapshot
from dinhdanh.registries.sources import Source

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["PLAN_FILE", "demo_campaign"]

PLAN_FILE = Path(__file__).resolve().parents[3] / "examples" / "plans" / "kien-giang-374-2024.yaml"
SLUG = "kien-giang-374-2024"
# Per day, by category: enough that phase 1's enterprises are met late and phase 2's are behind —
# something for the ranking and the forecast to say.
DAILY = {"enterprise": 70, "cooperative": 3, "tax_agency": 10, "other": 6}
START, END = date(2024, 12, 30), date(2025, 6, 30)
LIST_RECEIVED = datetime(2024, 12, 25, 2, 0, tzinfo=UTC)  # the plan's issue (09:00 in Vietnam)
POLICE_ON_TIME = 0.9  # the share of police units with their account on the day itself


def _simulated(unit: AdministrativeUnit, moment: datetime, category: str) -> DomainEvent:
    return DomainEvent(
        type="organizations.issued", occurred_at=moment, unit_id=unit.pk, unit_code=unit.code,
        province_code=unit.province_code, category=category, payload={"simulated": True},
    )  # fmt: skip


def demo_campaign(*, actor: User | None = None) -> Plan | None:
    """Load the plan and its simulated registrations once; None when the plan file is not shipped
    (an installed package without the repository's ``examples/``)."""
    existing = Plan.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing
    if not PLAN_FILE.is_file():
        return None
    police_lists = Snapshot.objects.filter(source=Source.POLICE, file_name=f"{Source.POLICE.value}.csv")
    police_lists.filter(imported_at__gt=LIST_RECEIVED).update(imported_at=LIST_RECEIVED)
    plan = plan_load(actor=actor, text=PLAN_FILE.read_text(encoding="utf-8"))
    communes = sorted(territory(plan.scope_unit, on=END + timedelta(days=365)))
    units = {u.pk: u for u in AdministrativeUnit.objects.filter(pk__in=communes)}
    rng = random.Random(374)  # noqa: S311  # the same demo every time, not a secret
    rows = []
    day = START
    while day <= END:
        # Slow at first, faster after the Tết holiday (late January 2025), as campaigns go.
        pace = 0.6 if day < date(2025, 2, 5) else 1.2
        for category, per_day in DAILY.items():
            for _ in range(rng.randint(0, round(per_day * pace * 2))):
                moment = datetime.combine(day, time(2, 0), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 600))
                rows.append(_simulated(units[rng.choice(communes)], moment, category))
        day += timedelta(days=1)
    rows += _police_accounts(units, rng)
    with transaction.atomic():
        DomainEvent.objects.bulk_create(rows, batch_size=2000)
        recount(write=True)
    return plan


def _police_accounts(units: dict[int, AdministrativeUnit], rng: random.Random) -> list[DomainEvent]:
    """One account a police unit of the plan's territory (``units``: its communes), at its commune:
    most on the plan's day, the rest over the first ten days of January 2025."""
    communes = (
        Record.objects.filter(source=Source.POLICE, disappeared_in__isnull=True, commune_id__in=list(units))
        .order_by("code")
        .values_list("commune_id", flat=True)
    )
    rows = []
    for commune in communes:
        late = rng.random() > POLICE_ON_TIME
        day = date(2025, 1, rng.randint(2, 10)) if late else START
        moment = datetime.combine(day, time(1, 0), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 540))
        rows.append(_simulated(units[commune], moment, POLICE_UNITS))
    return rows
