"""Administrative units as effective-dated, versioned hierarchies.

Two schemes live side by side: the three-tier units in force until 30/06/2025 (63 provinces, 696
districts, 10,051 communes) and the two-tier units from 01/07/2025 (34 provinces, 3,321 communes).
Plans of 2024-25 name districts, so the old scheme stays and ``UnitSuccession`` says what each old
unit became. ``path`` ("2025/91/30292/") makes "a unit and everything under it" one prefix test.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scheme(models.TextChoices):
    CURRENT = "2025", _("Từ 01/07/2025 (hai cấp)")
    LEGACY = "2008", _("Trước 01/07/2025 (ba cấp)")


class UnitScheme(models.Model):
    """A scheme of administrative units and the days it was in force (decision 0003): the next reform
    is a new row, its units and their successions, not a new constant. ``Scheme`` names the two
    shipped ones; ``AdministrativeUnit.scheme`` holds a row's ``code``."""

    code = models.CharField(_("mã"), max_length=8, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("hệ đơn vị hành chính")
        verbose_name_plural = _("hệ đơn vị hành chính")
        ordering = ["valid_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="geo_scheme_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh / thành phố")
    DISTRICT = "district", _("Quận / huyện")
    COMMUNE = "commune", _("Xã / phường / đặc khu")
    # Below the commune, defined by each province (thôn, ấp, bản, tổ dân phố); codes are the
    # province's own and unique only within their commune.
    VILLAGE = "village", _("Thôn / tổ dân phố")


class AdministrativeUnit(models.Model):
    scheme = models.CharField(_("hệ đơn vị"), max_length=8, choices=Scheme.choices)
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices)
    code = models.CharField(_("mã"), max_length=8)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên rút gọn"), max_length=200)
    division_type = models.CharField(_("loại"), max_length=40)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    province_code = models.CharField(_("mã tỉnh"), max_length=3)
    path = models.CharField(max_length=40, unique=True)
    search_key = models.CharField(max_length=200, db_index=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        constraints = [
            # A village's code is unique within its commune only: its ``path`` (the commune's + code) says so.
            models.UniqueConstraint(
                fields=["scheme", "level", "code"],
                condition=~models.Q(level="village"),
                name="geo_unit_scheme_level_code",
            ),
        ]
        indexes = [models.Index(fields=["scheme", "level", "province_code"])]
        ordering = ["scheme", "level", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        """Of the current scheme and not retired (a commune merged away, a village retired)."""
        return self.scheme == Scheme.CURRENT and (self.valid_to is None or self.valid_to >= timezone.localdate())

    def contains(self, other: AdministrativeUnit) -> bool:
        return other.path.startswith(self.path)


class UnitSuccession(models.Model):
    """``predecessor`` (old scheme) became, wholly or in part, ``successor`` (current scheme)."""

    predecessor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="predecessions")
    partial = models.BooleanField(_("chỉ một phần"), default=False)
    effective_on = models.DateField(_("ngày hiệu lực"))

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="geo_succession_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id}"
