"""Machine readers of campaign figures (issue 14.9): a registered client (a ministry's or a province's
system) allowed to pull the figures of a territory with its own client-credentials token."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Reader"]


class Reader(models.Model):
    """``client`` may read the plans, progress and reports of ``unit``'s territory; no unit: the country."""

    client = models.ForeignKey("federation.Client", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("địa bàn"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("cấp lúc"))

    class Meta:
        verbose_name = _("hệ thống được đọc số liệu")
        verbose_name_plural = _("hệ thống được đọc số liệu")
        constraints = [
            models.UniqueConstraint(fields=["client", "unit"], name="campaigns_reader_unit"),
            # NULL never equals NULL in a unique key: the nationwide grant needs its own.
            models.UniqueConstraint(
                fields=["client"], condition=Q(unit__isnull=True), name="campaigns_reader_nation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} @ {self.unit_id or '*'}"
