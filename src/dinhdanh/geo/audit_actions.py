"""Audit action codes of `geo` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("geo")
class GeoAction(Actions):
    UNITS_LOADED = "geo.units_loaded", _("Nạp danh mục đơn vị hành chính")
    # Issue 14.0: units a province defines below the commune, and reforms between schemes.
    VILLAGE_CREATED = "geo.village_created", _("Tạo thôn, tổ dân phố")
    VILLAGE_RENAMED = "geo.village_renamed", _("Đổi tên thôn, tổ dân phố")
    VILLAGE_RETIRED = "geo.village_retired", _("Cho thôi hiệu lực thôn, tổ dân phố")
    VILLAGES_LOADED = "geo.villages_loaded", _("Nạp danh sách thôn, tổ dân phố")
    UNITS_MERGED = "geo.units_merged", _("Sáp nhập đơn vị hành chính")
    UNITS_SPLIT = "geo.units_split", _("Chia tách đơn vị hành chính")
