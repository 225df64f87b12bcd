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


class UnitHome(models.Model):
    """Where a unit row lies on the map of ``CountsMap.on`` (``campaigns.series``): the commune in
    force that holds it (``geo.rollup``) and that commune's province; for a target's unit, its
    territory (``standings.territory``: today's communes) and, when that territory is exactly one
    province's communes, the province — whose series then stand for the sum of its communes'."""

    unit_id = models.BigIntegerField(_("đơn vị"), primary_key=True)
    commune_id = models.BigIntegerField(_("xã nay"), null=True, blank=True)
    province_id = models.BigIntegerField(_("tỉnh nay"), null=True, blank=True)
    territory = models.TextField(_("địa bàn (mã dòng các xã nay)"), blank=True)  # "12,15,99": sorted ids
    territory_provinces = models.TextField(_("các tỉnh của địa bàn"), blank=True)
    whole_province_id = models.BigIntegerField(_("trọn một tỉnh"), null=True, blank=True)

    class Meta:
        verbose_name = _("vị trí đơn vị trên bản đồ hiện hành")
        verbose_name_plural = _("vị trí đơn vị trên bản đồ hiện hành")
        indexes = [models.Index(fields=["commune_id"])]

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.commune_id}"


class SeriesLevel(models.TextChoices):
    COMMUNE = "commune", _("Xã / phường / đặc khu")
    PROVINCE = "province", _("Tỉnh / thành phố")


class CountSeries(models.Model):
    """The running total of ``metric`` in ``category`` at a unit of today's map (a commune, or a
    province: the sum of its communes), through the closed days (``CountsMap.closed_through``).

    ``days``: the days (ordinal offsets from ``EPOCH``, unsigned 16-bit) on which it moved; ``totals``:
    the total through each of them (unsigned 32-bit); both little-endian, so a copy of the database
    reads the same on any machine."""

    level = models.CharField(_("cấp"), max_length=16, choices=SeriesLevel.choices)
    unit_id = models.BigIntegerField(_("đơn vị"))
    metric = models.CharField(_("chỉ tiêu"), max_length=32, choices=Metric.choices)
    category = models.CharField(_("loại tổ chức"), max_length=32, blank=True)
    days = models.BinaryField(_("các ngày"))
    totals = models.BinaryField(_("lũy kế"))
    total = models.BigIntegerField(_("tổng"), default=0)

    class Meta:
        verbose_name = _("lũy kế theo đơn vị")
        verbose_name_plural = _("lũy kế theo đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "unit_id", "metric", "category"], name="campaigns_series_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.unit_id} {self.metric} {self.category}: {self.total}"


class CountsMap(models.Model):
    """The one row that says which map ``UnitHome`` holds and through which day ``CountSeries`` is
    closed. ``fingerprint`` sums up the units and successions the map was computed from: when it no
    longer matches, or ``on`` reaches ``until`` (a unit starts or ends, a succession takes effect),
    readers fall back to the daily counts until ``series.maintain`` computes the map again."""

    on = models.DateField(_("bản đồ ngày"))
    until = models.DateField(_("hiệu lực đến trước ngày"), null=True, blank=True)
    fingerprint = models.CharField(_("dấu vân"), max_length=300)
    max_unit_id = models.BigIntegerField(_("mã dòng đơn vị lớn nhất"), default=0)
    closed_through = models.DateField(_("lũy kế đến hết ngày"), null=True, blank=True)
    built_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("bản đồ số đếm")
        verbose_name_plural = _("bản đồ số đếm")

    def __str__(self) -> str:
        return f"{self.on} → {self.closed_through}"
