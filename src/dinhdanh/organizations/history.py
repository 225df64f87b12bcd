"""The change history in plain words (issue 15.7): each stored change (field → [before, after], as JSON)
shown with the field's label and human values — a commune's name rather than its id, a category's label
rather than its code, dd/mm/yyyy rather than ISO — so no internal name reaches a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.organizations.models import Organization, OrganizationChange

EMPTY = "—"


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str


def _field(name: str) -> models.Field[Any, Any] | None:
    try:
        field = Organization._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def field_label(name: str) -> str:
    """The field's label, capitalised ("Tên viết tắt"); an unknown key as it is, rather than hidden."""
    if name == "co_representatives":
        return _("Người đồng đại diện")
    field = _field(name)
    if field is None or getattr(field, "_verbose_name", None) is None:  # a field without a label of its own
        return name
    text = str(field.verbose_name)
    return text[:1].upper() + text[1:]


def _units(changes: list[OrganizationChange]) -> dict[int, str]:
    ids = {
        v
        for c in changes
        for name, pair in (c.changes or {}).items()
        if name in {"head_office_id", "head_office"} and isinstance(pair, list)
        for v in pair
        if isinstance(v, int)
    }
    return dict(AdministrativeUnit.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def human_value(name: str, value: object, units: dict[int, str]) -> str:
    if value is None or value in ("", []):
        return EMPTY
    field = _field(name)
    if name in {"head_office_id", "head_office"} and isinstance(value, int):
        return units.get(value, EMPTY)
    if field is not None and field.choices and isinstance(value, str):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(field, models.DateField | models.DateTimeField) and isinstance(value, str):
        try:
            return date_format(date.fromisoformat(value[:10]), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, list):
        return "; ".join(human_value("", v, units) for v in value)
    if isinstance(value, dict):
        return ", ".join(str(v) for k, v in value.items() if v and not str(k).endswith(("_id", "digest")))
    return str(value)


def change_lines(change: OrganizationChange, units: dict[int, str] | None = None) -> list[ChangeLine]:
    """One line per changed field, in the order stored."""
    units = _units([change]) if units is None else units
    lines = []
    for name, pair in (change.changes or {}).items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        lines.append(
            ChangeLine(field_label(name), human_value(name, before, units), human_value(name, after, units))
        )
    return lines
