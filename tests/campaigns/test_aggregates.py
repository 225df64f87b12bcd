"""The running totals on today's map (``campaigns.series``, decision 0041) agree with a recount from the
events, whatever happened: random sequences of events on units of both schemes, villages, a retired
village and no unit, read as of random days with the series closed through random days. A tampered
series is found by the check and restored by the rebuild; a dashboard's queries do not grow with
its units."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.campaigns import counting, series
from dinhdanh.campaigns.models import Activation, DailyCount, Metric, Phase, Plan, Segment, Target
from dinhdanh.campaigns.models.counts import CountSeries, CountsMap, SeriesLevel
from dinhdanh.campaigns.progress import Counts
from dinhdanh.campaigns.standings import standings_of
from dinhdanh.core import events
from dinhdanh.core.models import DomainEvent
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from tests.conftest import unit

pytestmark = pytest.mark.django_db

START = date(2024, 12, 20)
TYPES = ["organizations.issued", "applications.submitted", "organizations.acted_as", "federation.signed_in_as",
         "people.level2_raised", "organizations.locked"]  # fmt: skip
CATEGORIES = ["enterprise", "cooperative", "other"]


def village(commune: AdministrativeUnit, code: str, *, retired: bool) -> AdministrativeUnit:
    return AdministrativeUnit.objects.create(
        scheme=commune.scheme, level=Level.VILLAGE, code=code, name=f"Thôn {code}", short_name=code,
        division_type="Thôn", parent=commune, province_code=commune.province_code, path=f"{commune.path}{code}/",
        search_key=f"thon {code}", valid_from=date(2024, 1, 1), valid_to=date(2025, 1, 15) if retired else None,
    )  # fmt: skip


def places() -> list[AdministrativeUnit | None]:
    binh_duc = unit("30292")
    legacy_kg = AdministrativeUnit.objects.filter(scheme=Scheme.LEGACY, level=Level.COMMUNE, province_code="91")
    legacy_ag = AdministrativeUnit.objects.filter(scheme=Scheme.LEGACY, level=Level.COMMUNE, province_code="89")
    elsewhere = AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.COMMUNE).exclude(
        province_code="91"
    )
    return [
        binh_duc, *legacy_kg.order_by("code")[:3], *legacy_ag.order_by("code")[:2], elsewhere.order_by("code")[0],
        unit("899", Level.DISTRICT, Scheme.LEGACY), unit("91", Level.PROVINCE),
        village(binh_duc, "T1", retired=False), village(binh_duc, "T2", retired=True), None,
    ]  # fmt: skip


def plan_targets() -> list[Target]:
    scope = unit("91", Level.PROVINCE)
    plan = Plan.objects.create(slug="p", reference="1/KH", title="t", issuing_body="b", issued_on=START,
                               scope_unit=scope)  # fmt: skip
    one = Phase.objects.create(
        plan=plan, number=1, name="1", starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 31)
    )
    two = Phase.objects.create(
        plan=plan, number=2, name="2", starts_on=date(2025, 2, 1), ends_on=date(2025, 3, 31)
    )
    kg = unit("91", Level.PROVINCE, Scheme.LEGACY)
    units = [scope, kg, unit("899", Level.DISTRICT, Scheme.LEGACY), unit("30292"), unit("01", Level.PROVINCE)]
    specs = [(Metric.ACCOUNTS_ISSUED, Segment.ENTERPRISE, 40), (Metric.ACCOUNTS_ISSUED, Segment.ALL, 60),
             (Metric.ACCOUNTS_ACTIVATED, Segment.ALL, 5), (Metric.PERSONS_LEVEL2, Segment.ALL, 8),
             (Metric.REQUESTS_RECEIVED, Segment.COOPERATIVE, 3)]  # fmt: skip
    targets = [
        Target.objects.create(plan=plan, phase=phase, metric=metric, segment=segment, unit=u, value=value)
        for phase in (one, two)
        for u in units
        for metric, segment, value in specs
    ]
    return list(
        Target.objects.filter(pk__in=[t.pk for t in targets]).select_related("phase", "unit").order_by("pk")
    )


def emit_at(moment: datetime, kind: str, place: AdministrativeUnit | None, category: str, org: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        organization = SimpleNamespace(pk=10_000 + org, head_office=place, category=category)
        events.emit(kind, actor=None, organization=organization, unit=place)  # type: ignore[arg-type]


def reset() -> None:
    DailyCount.objects.all().delete()
    DomainEvent.objects.all().delete()
    Activation.objects.all().delete()
    CountSeries.objects.all().delete()


event_lists = st.lists(
    st.tuples(
        st.integers(0, 80),
        st.integers(0, 23),
        st.sampled_from(TYPES),
        st.integers(0, 11),
        st.sampled_from(CATEGORIES),
        st.integers(0, 6),
    ),
    max_size=40,
)


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_running_totals_agree_with_a_recount_whatever_happened(data: Any) -> None:
    reset()
    if not CountsMap.objects.exists():
        global CONTEXT  # noqa: PLW0603 - built once for all examples: the units do not change between them
        where, targets, state = places(), plan_targets(), series.build_map(timezone.localdate())[0]
        where.append(village(unit("30292"), "T3", retired=False))  # made after the map: rolled up alone
        CONTEXT = (where, targets, state)
    where, targets, state = CONTEXT
    for day, hour, kind, place, category, org in sorted(data.draw(event_lists)):  # as time goes
        moment = datetime.combine(START + timedelta(days=day), time(hour), tzinfo=UTC)
        emit_at(moment, kind, where[place], category, org)
    assert counting.recount(write=False).differing == 0  # the listener kept the daily counts right
    closed = data.draw(st.none() | st.integers(0, 85).map(lambda d: START + timedelta(days=d)))
    state.refresh_from_db()
    if closed is None:
        state.closed_through = None
        state.save()
    else:
        series.refill(state, closed)
    assert series.check(homes=False).differing == 0
    as_of = START + timedelta(days=data.draw(st.integers(0, 100)))
    assert Counts.open(as_of=as_of, on=timezone.localdate()) is not None
    fast = standings_of(targets, as_of=as_of)
    exact = standings_of(targets, as_of=as_of, exact=True)
    assert [s.outlook for s in fast] == [s.outlook for s in exact]
    assert [s.reason for s in fast] == [s.reason for s in exact]


CONTEXT: tuple[list[AdministrativeUnit | None], list[Target], CountsMap]


def test_closing_day_by_day_gives_what_a_rebuild_gives() -> None:
    where = places()
    targets = plan_targets()
    for day in range(30):
        for i, place in enumerate(where):
            if (day + i) % 3 == 0:
                moment = datetime.combine(START + timedelta(days=day), time(3), tzinfo=UTC)
                emit_at(moment, TYPES[(day + i) % len(TYPES)], place, CATEGORIES[i % 3], day * 7 + i)
    state = series.rebuild(on=timezone.localdate(), through=START + timedelta(days=4))
    for day in range(5, 30, 6):
        series.close_days(state, START + timedelta(days=day))
    stepped = {
        (r.level, r.unit_id, r.metric, r.category): (bytes(r.days), bytes(r.totals))
        for r in CountSeries.objects.all()
    }
    assert series.check().differing == 0
    series.rebuild(on=timezone.localdate(), through=START + timedelta(days=29))
    whole = {
        (r.level, r.unit_id, r.metric, r.category): (bytes(r.days), bytes(r.totals))
        for r in CountSeries.objects.all()
    }
    assert stepped == whole
    assert whole
    as_of = START + timedelta(days=40)
    assert [s.outlook for s in standings_of(targets, as_of=as_of)] == [
        s.outlook for s in standings_of(targets, as_of=as_of, exact=True)
    ]


def test_a_tampered_series_is_found_and_the_rebuild_restores_it(capsys: pytest.CaptureFixture[str]) -> None:
    place = unit("30292")
    for day in range(3):
        emit_at(datetime.combine(START + timedelta(days=day), time(2), tzinfo=UTC), "organizations.issued", place,
                "enterprise", day)  # fmt: skip
    call_command("counts", "rebuild")
    call_command("counts", "check")
    row = CountSeries.objects.get(level=SeriesLevel.COMMUNE, unit_id=place.pk, category="enterprise")
    days, totals = series.decode(row.days, row.totals)
    row.days, row.totals = series.encode(days, [n + 1 for n in totals])
    row.save()
    with pytest.raises(CommandError, match="differ"):
        call_command("counts", "check")
    assert "commune" in capsys.readouterr().out
    call_command("counts", "rebuild")
    call_command("counts", "check")
    assert series.check().differing == 0


def test_units_changed_since_the_map_send_readers_to_the_daily_counts() -> None:
    state, _moved = series.build_map(timezone.localdate())
    assert series.usable(timezone.localdate(), fresh=True) is not None
    village(unit("30292"), "T9", retired=False)  # a new village changes nobody's territory
    assert series.usable(timezone.localdate(), fresh=True) is not None
    commune = unit("30292")
    commune.valid_to = timezone.localdate() - timedelta(days=1)  # a commune ended: the map no longer holds
    commune.save(update_fields=["valid_to"])
    assert series.usable(timezone.localdate(), fresh=True) is None
    assert series.maintain()["map"] == 2  # computed again; Bình Đức's counts moved, the series dropped
    assert CountsMap.objects.get(pk=state.pk).closed_through == series.closable(timezone.now())


def dashboard_queries(units: int, django_assert_max_num_queries: Any) -> None:
    scope = unit("01", Level.PROVINCE)  # Hà Nội: 126 communes
    plan = Plan.objects.create(slug=f"hn{units}", reference="1/KH", title="t", issuing_body="b",
                               issued_on=START, scope_unit=scope)  # fmt: skip
    phase = Phase.objects.create(
        plan=plan, number=1, name="1", starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 30)
    )
    top = Target.objects.create(
        plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, unit=scope, value=units * 10
    )
    communes = AdministrativeUnit.objects.filter(scheme=Scheme.CURRENT, level=Level.COMMUNE, province_code="01")
    Target.objects.bulk_create(
        Target(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, unit=c, value=10, parent=top)
        for c in communes.order_by("code")[:units]
    )
    for c in communes.order_by("code")[:units]:
        DailyCount.objects.create(day=date(2025, 1, 5), metric=Metric.ACCOUNTS_ISSUED, unit_id=c.pk,
                                  unit_code=c.code, province_code="01", category="enterprise", count=3)  # fmt: skip
    from dinhdanh.campaigns.dashboard import plan_board

    with django_assert_max_num_queries(13):
        board = plan_board(actor=None, slug=plan.slug, as_of=date(2025, 1, 31))
    (ranking,) = board.phases[0].rankings.values()
    assert len(ranking) == units
    assert all(s.outlook and s.outlook.done == 3 for s in ranking)


@pytest.mark.parametrize("units", [10, 100])
def test_a_dashboard_s_queries_do_not_grow_with_its_units(units: int, django_assert_max_num_queries: Any) -> None:
    state = series.rebuild(on=timezone.localdate(), through=date(2025, 1, 3))
    assert state.closed_through is not None
    dashboard_queries(units, django_assert_max_num_queries)
