"""A person's requests about their own personal data (Law 91/2025/QH15; LEGAL §7): acknowledged
within 2 working days, answered within 15 days (20 when a processor takes part), extended once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataRequestKind(models.TextChoices):
    ACCESS = "access", _("Xem và nhận bản sao dữ liệu cá nhân")
    CORRECTION = "correction", _("Chỉnh sửa dữ liệu cá nhân")
    WITHDRAWAL = "withdrawal", _("Rút lại sự đồng ý")
    RESTRICTION = "restriction", _("Hạn chế xử lý dữ liệu cá nhân")
    OBJECTION = "objection", _("Phản đối xử lý dữ liệu cá nhân")
    ERASURE = "erasure", _("Xóa dữ liệu cá nhân")


class DataRequestState(models.TextChoices):
    RECEIVED = "received", _("Đã nhận")
    ACKNOWLEDGED = "acknowledged", _("Đã xác nhận, đang xử lý")
    DONE = "done", _("Đã thực hiện")
    REFUSED = "refused", _("Từ chối (có lý do)")


OPEN_STATES = (DataRequestState.RECEIVED, DataRequestState.ACKNOWLEDGED)


class DataRequest(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(max_length=16, choices=DataRequestKind.choices)
    detail = models.TextField(max_length=2000, blank=True)
    processor_involved = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=DataRequestState.choices, default=DataRequestState.RECEIVED)
    received_at = models.DateTimeField()
    acknowledge_by = models.DateTimeField()
    due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(max_length=1000, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(max_length=2000, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("due_at", "pk")
        indexes = [models.Index(fields=("state", "due_at"))]
        constraints = [
            # One open request of a kind per person: a second click files nothing new.
            models.UniqueConstraint(
                fields=("user", "kind"),
                condition=models.Q(state__in=("received", "acknowledged")),
                name="people_one_open_data_request_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"DR-{self.pk}"
