"""What the platform counts for campaigns: one row per day × metric × unit (as it was) × category.

Kept up to date in the transaction of the domain event counted (``campaigns.counting``), and
rebuildable from the events (``dinhdanh campaigns recount``), which proves the two agree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    REQUESTS_RECEIVED = "requests_received", _("Hồ sơ đề nghị đã tiếp nhận")
    ACCOUNTS_ISSUED = "accounts_issued", _("Tài khoản tổ chức đã cấp")
    ACCOUNTS_ACTIVATED = "accounts_activated", _("Tài khoản tổ chức đã kích hoạt")
    PERSONS_LEVEL1 = "persons_level1", _("Tài khoản cá nhân mức 1")
    PERSONS_LEVEL2 = "persons_level2", _("Tài khoản cá nhân mức 2")


class DailyCount(models.Model):
    """``count`` events of ``metric`` on local ``day`` at the unit as it was (its row id, never reused;
    its code and province copied for reading without a join) in ``category`` ("" for people)."""

    day = models.DateField(_("ngày"))
    metric = models.CharField(_("chỉ tiêu"), max_length=32, choices=Metric.choices)
    unit_id = models.BigIntegerField(_("đơn vị"), default=0)  # 0: an event without a unit row
    unit_code = models.CharField(_("mã đơn vị"), max_length=8, blank=True)
    province_code = models.CharField(_("mã tỉnh"), max_length=3, blank=True)
    category = models.CharField(_("loại tổ chức"), max_length=32, blank=True)
    count = models.PositiveIntegerField(_("số lượng"), default=0)

    class Meta:
        verbose_name = _("số đếm theo ngày")
        verbose_name_plural = _("số đếm theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "metric", "unit_id", "unit_code", "category"], name="campaigns_dailycount_key"
            ),
        ]
        indexes = [
            models.Index(fields=["province_code", "metric", "day"]),
            models.Index(fields=["unit_id", "metric", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric} {self.unit_code} {self.category}: {self.count}"


class Activation(models.Model):
    """An organization's first sign-in as itself (at a relying party, or acting as it on the platform):
    counted once, whichever comes first."""

    organization_id = models.BigIntegerField(_("tổ chức"), unique=True)
    event_id = models.BigIntegerField(_("sự kiện"))
    activated_at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("kích hoạt tài khoản tổ chức")
        verbose_name_plural = _("kích hoạt tài khoản tổ chức")

    def __str__(self) -> str:
        return f"{self.organization_id} @ {self.activated_at}"
