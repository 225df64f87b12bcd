"""A campaign in progress out of the box (issue 14): Kiên Giang's plan 374/KH-UBND, with simulated
registrations over its months, so the dashboard has something to show on a fresh demo.

The registrations are simulated as domain events (``organizations.issued``, no organization row,
``payload.simulated``) at the communes of today's An Giang that took Kiên Giang's territory, dated
from the plan's start to its end, and the daily counts are rebuilt from the events (the same
``recount`` an operator runs). They are the demo's only events without an organization; nothing
outside a demo database makes them. A second load adds nothing.
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

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["PLAN_FILE", "demo_campaign"]

PLAN_FILE = Path(__file__).resolve().parents[3] / "examples" / "plans" / "kien-giang-374-2024.yaml"
SLUG = "kien-giang-374-2024"
# Per day, by category: enough that phase 1's enterprises are met late and phase 2's are behind —
# something for the ranking and the forecast to say.
DAILY = {"enterprise": 70, "cooperative": 3, "tax_agency": 10, "other": 6}
START, END = date(2024, 12, 30), date(2025, 6, 30)


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
    with transaction.atomic():
        DomainEvent.objects.bulk_create(rows, batch_size=2000)
        recount(write=True)
    return plan
