"""Weekly reports of a plan's units, the province's roll-up of them, and the reminders sent (issue 14.6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.models.plans import Plan

__all__ = ["ProvinceReport", "ReminderKind", "ReportReminder", "WeeklyReport"]


class WeeklyReport(models.Model):
    """One unit's report for the week starting ``week_start`` (a Monday): the numbers the platform
    counted for it, written at submission and never retyped, and the unit's own words."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    week_start = models.DateField(_("tuần bắt đầu"))
    due_at = models.DateTimeField(_("hạn báo cáo"))
    numbers = models.JSONField(_("số liệu"), default=dict)
    difficulties = models.TextField(_("khó khăn, vướng mắc"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("báo cáo tuần")
        verbose_name_plural = _("báo cáo tuần")
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "week_start"], name="campaigns_report_once"),
        ]
        indexes = [models.Index(fields=["plan", "week_start"])]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.unit_id} {self.week_start}"

    @property
    def on_time(self) -> bool:
        return self.submitted_at <= self.due_at


class ProvinceReport(models.Model):
    """The plan's own weekly report (the province's, to the ministry), frozen at submission: the numbers
    counted for the plan's whole scope, the rate, and each reporting unit's status and words as they
    stood then (``units``: a list of ``{"unit", "code", "name", "status", "submitted_at",
    "difficulties", "proposals"}``). A unit that reports after it stays missing here."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="province_reports")
    week_start = models.DateField(_("tuần bắt đầu"))
    due_at = models.DateTimeField(_("hạn báo cáo"))
    numbers = models.JSONField(_("số liệu"), default=dict)
    units = models.JSONField(_("báo cáo của các đơn vị"), default=list)
    expected = models.PositiveIntegerField(_("số đơn vị phải báo cáo"))
    submitted = models.PositiveIntegerField(_("số đơn vị đã báo cáo"))
    on_time = models.PositiveIntegerField(_("số đơn vị báo cáo đúng hạn"))
    difficulties = models.TextField(_("khó khăn, vướng mắc"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("báo cáo tuần của tỉnh")
        verbose_name_plural = _("báo cáo tuần của tỉnh")
        constraints = [
            models.UniqueConstraint(fields=["plan", "week_start"], name="campaigns_province_report_once"),
            # A rate can never pass 100 %, nor count more on time than reported.
            models.CheckConstraint(condition=Q(submitted__lte=F("expected")), name="campaigns_province_rate"),
            models.CheckConstraint(condition=Q(on_time__lte=F("submitted")), name="campaigns_province_on_time"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.week_start}"

    @property
    def rate(self) -> float:
        return self.submitted / self.expected if self.expected else 1.0

    @property
    def in_time(self) -> bool:
        """The province's own report, by its due time (``on_time`` counts its units')."""
        return self.submitted_at <= self.due_at


class ReminderKind(models.TextChoices):
    DUE = "due", _("Nhắc trước hạn")
    MISSING = "missing", _("Nhắc khi quá hạn chưa báo cáo")


class ReportReminder(models.Model):
    """A reminder sent for a unit's weekly report: the unique key makes it at most once, ever, however
    many workers run the job at the same time (the row is written with the messages it stands for)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField(_("tuần bắt đầu"))
    kind = models.CharField(_("loại"), max_length=16, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("gửi lúc"))
    recipients = models.PositiveIntegerField(_("số người nhận"))
    messages = models.PositiveIntegerField(_("số tin đã xếp gửi"))

    class Meta:
        verbose_name = _("nhắc báo cáo tuần")
        verbose_name_plural = _("nhắc báo cáo tuần")
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "week_start", "kind"], name="campaigns_reminder_once"),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="campaigns_reminder_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.unit_id} {self.week_start} {self.kind}"
