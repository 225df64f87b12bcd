"""Audit action codes of `geo` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("geo")
class GeoAction(Actions):
    UNITS_LOADED = "geo.units_loaded", _("Nạp danh mục đơn vị hành chính")
