"""Weekly reports of a plan's units (issue 14.6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.models.plans import Plan

__all__ = ["WeeklyReport"]


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
