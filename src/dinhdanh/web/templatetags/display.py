"""Showing stored values to people: one date format (dd/mm/yyyy in both languages, issue 15.7)."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def as_date(value: object) -> str:
    """A date kept as an ISO string (JSON data of a request) or a date, in the reader's short format;
    anything else unchanged, so a malformed stored value is still shown rather than hidden."""
    if isinstance(value, datetime):
        return date_format(value.date(), "SHORT_DATE_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, str):
        try:
            return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return "" if value is None else str(value)
