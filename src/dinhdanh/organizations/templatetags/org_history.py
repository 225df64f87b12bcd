"""`{% load org_history %}{% for line in change|change_lines %}{{ line.label }}: {{ line.before }} → {{ line.after }}`"""

from __future__ import annotations

from django import template

from dinhdanh.organizations.history import ChangeLine
from dinhdanh.organizations.history import change_lines as lines_of
from dinhdanh.organizations.models import OrganizationChange

register = template.Library()


@register.filter
def change_lines(change: OrganizationChange) -> list[ChangeLine]:
    return lines_of(change)
