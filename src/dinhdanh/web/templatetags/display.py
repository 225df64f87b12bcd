"""Showing stored values to people: one date format (dd/mm/yyyy in both languages, issue 15.7)."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


@register.filter
def as_date(value: object) -> str:
    """A date kept as an ISO string (JSON data of a request) or a date, in the reader's short format;
    anything else unchanged, so a malformed stored value is still shown rather than hidden."""
    if isinstance(value, datetime):
        return date_format(_local_day(value), "SHORT_DATE_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, str):
        try:
            return date_format(_local_day(datetime.fromisoformat(value)), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return "" if value is None else str(value)


def _local_day(moment: datetime) -> date:
    # An instant stored in UTC (23:30 on the 3rd) is the 4th in Vietnam: the day a reader means is local.
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
