"""The working-day calendar in force: holidays + settings + administrator overrides (DayOverride)."""

from __future__ import annotations

from django.conf import settings

from dinhdanh.core.models import DayOverride
from dinhdanh.core.workdays import WorkCalendar


def current_calendar() -> WorkCalendar:
    base = WorkCalendar.from_strings(
        settings.WORKDAYS_EXTRA_DAYS_OFF, settings.WORKDAYS_MAKEUP_WORKING_DAYS, settings.WORKDAYS_OFFICE_CLOSES
    )
    off, makeup = set(base.extra_days_off), set(base.makeup_working_days)
    for day, is_working in DayOverride.objects.values_list("date", "is_working_day"):
        # A database override wins over the environment for the same date.
        (makeup if is_working else off).add(day)
        (off if is_working else makeup).discard(day)
    return WorkCalendar(
        extra_days_off=frozenset(off), makeup_working_days=frozenset(makeup), office_closes=base.office_closes
    )
