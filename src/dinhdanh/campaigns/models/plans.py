"""Plans, phases, targets and tasks (issue 14.1-14.3, 14.8).

A plan is what a People's Committee issued ("374/KH-UBND"): phases with dates, targets per metric ×
segment × unit × phase, and the tasks it hands to departments. Units stay as the plan named them
(a 2024 district is kept as that district); ``geo.rollup`` carries their counts onto today's map.
What the database can hold it holds (unique keys, checks); what spans rows (phases that overlap,
allocations that sum) is checked by the loader and the services before anything is written.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.models.counts import Metric
from dinhdanh.organizations.categories import POLICE_UNITS, Category

__all__ = [
    "POLICE",
    "Phase",
    "Plan",
    "PlanStatus",
    "Segment",
    "Target",
    "TargetKind",
    "Task",
    "TaskAlert",
    "TaskStatus",
    "TaskUpdate",
    "Weekday",
]

# Police units, counted on their own (Hà Nội, Đắk Lắk, Kiên Giang: 100% in phase 1): the category their
# events keep (decision 0043), not a category of Decree 69.
POLICE = POLICE_UNITS


class Segment(models.TextChoices):
    """Whom a target counts: an organization category, police units apart (no longer among
    ``tax_agency``), or everyone ("": the four categories and police units)."""

    ALL = "", _("Tất cả")
    ENTERPRISE = Category.ENTERPRISE.value, Category.ENTERPRISE.label
    COOPERATIVE = Category.COOPERATIVE.value, Category.COOPERATIVE.label
    TAX_AGENCY = Category.TAX_AGENCY.value, Category.TAX_AGENCY.label
    OTHER = Category.OTHER.value, Category.OTHER.label
    POLICE = POLICE, _("Đơn vị công an")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    ACTIVE = "active", _("Đang triển khai")
    CLOSED = "closed", _("Đã kết thúc")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Thứ Hai")
    TUESDAY = 1, _("Thứ Ba")
    WEDNESDAY = 2, _("Thứ Tư")
    THURSDAY = 3, _("Thứ Năm")
    FRIDAY = 4, _("Thứ Sáu")
    SATURDAY = 5, _("Thứ Bảy")
    SUNDAY = 6, _("Chủ nhật")


class TargetKind(models.TextChoices):
    ABSOLUTE = "absolute", _("Số tuyệt đối")
    PERCENT = "percent", _("Tỷ lệ phần trăm")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")
    CANCELLED = "cancelled", _("Không thực hiện")


class Plan(models.Model):
    slug = models.SlugField(_("mã kế hoạch"), max_length=80, unique=True)
    reference = models.CharField(_("số, ký hiệu"), max_length=60)
    title = models.CharField(_("trích yếu"), max_length=500)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=200)
    issued_on = models.DateField(_("ngày ban hành"))
    scope_unit = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("địa bàn")
    )
    status = models.CharField(_("trạng thái"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    unit_report_weekday = models.PositiveSmallIntegerField(
        _("ngày đơn vị báo cáo"), choices=Weekday.choices, null=True, blank=True
    )
    unit_report_time = models.TimeField(_("giờ đơn vị báo cáo"), null=True, blank=True)
    province_report_weekday = models.PositiveSmallIntegerField(
        _("ngày tỉnh báo cáo"), choices=Weekday.choices, null=True, blank=True
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="campaigns_plan_status"),
            models.CheckConstraint(
                condition=Q(unit_report_weekday__isnull=True) | Q(unit_report_weekday__lte=6),
                name="campaigns_plan_unit_weekday",
            ),
            models.CheckConstraint(
                condition=Q(province_report_weekday__isnull=True) | Q(province_report_weekday__lte=6),
                name="campaigns_plan_province_weekday",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Phase(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("giai đoạn"))
    name = models.CharField(_("tên"), max_length=200)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))

    class Meta:
        verbose_name = _("giai đoạn")
        verbose_name_plural = _("giai đoạn")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="campaigns_phase_number"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaigns_phase_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Target(models.Model):
    """``value`` of ``metric`` for ``segment`` at ``unit`` by the end of ``phase``: a number, or a percent
    of ``baseline`` (the denominator the plan text gives, e.g. 9,387 enterprises)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("chỉ tiêu"), max_length=32, choices=Metric.choices)
    segment = models.CharField(_("đối tượng"), max_length=32, choices=Segment.choices, blank=True)
    unit = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    kind = models.CharField(_("loại"), max_length=16, choices=TargetKind.choices, default=TargetKind.ABSOLUTE)
    value = models.PositiveIntegerField(_("giá trị"))
    baseline = models.PositiveIntegerField(_("tổng số (mẫu số)"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("phân bổ từ"),
    )
    edited = models.BooleanField(_("đã sửa tay"), default=False)
    # Some targets fall due inside their phase (Kiên Giang: every police unit on 30/12/2024, the first
    # day of phase 1); ``None`` means the phase's last day.
    due_on = models.DateField(_("hạn"), null=True, blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.UniqueConstraint(fields=["phase", "metric", "segment", "unit"], name="campaigns_target_key"),
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="campaigns_target_metric"),
            models.CheckConstraint(condition=Q(segment__in=Segment.values), name="campaigns_target_segment"),
            models.CheckConstraint(condition=Q(kind__in=TargetKind.values), name="campaigns_target_kind"),
            models.CheckConstraint(condition=Q(value__gte=0), name="campaigns_target_value"),
            models.CheckConstraint(
                condition=~Q(kind=TargetKind.PERCENT) | Q(value__lte=100), name="campaigns_target_percent"
            ),
            models.CheckConstraint(
                condition=Q(baseline__isnull=True) | ~Q(kind=TargetKind.ABSOLUTE) | Q(value__lte=F("baseline")),
                name="campaigns_target_within_baseline",
            ),
        ]

    def __str__(self) -> str:
        suffix = "%" if self.kind == TargetKind.PERCENT else ""
        return f"{self.metric}/{self.segment or '*'} {self.value}{suffix}"

    @property
    def due(self) -> date:
        return self.due_on or self.phase.ends_on

    @property
    def required(self) -> int | None:
        """The count that meets the target: the number itself, or the percent of the baseline rounded up
        (20% of 7 organizations is met at 2, not 1.4); ``None`` for a percent without a baseline."""
        if self.kind == TargetKind.ABSOLUTE:
            return self.value
        if self.baseline is None:
            return None
        return -(-self.value * self.baseline // 100)


class Task(models.Model):
    """An item of a plan's task list (Huế's catalogue): who leads, who helps, by when (or regularly)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    number = models.CharField(_("số thứ tự"), max_length=20)
    title = models.TextField(_("nhiệm vụ"))
    lead_unit = models.CharField(_("đơn vị chủ trì"), max_length=300)
    coordinating_units = models.JSONField(_("đơn vị phối hợp"), default=list, blank=True)
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    regular = models.BooleanField(_("thường xuyên"), default=False)
    # The plan's own words for the timing ("Hoàn thành trong Quý I/2025", "Theo lộ trình Đề án 06 ..."):
    # official reports quote them, ``deadline`` is what overdue alerts compute with.
    timing = models.CharField(_("thời gian thực hiện"), max_length=300, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="campaigns_task_number"),
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values), name="campaigns_task_status"),
            # A task is due on a date or done regularly: never both, never neither.
            models.CheckConstraint(
                condition=Q(regular=True, deadline__isnull=True) | Q(regular=False, deadline__isnull=False),
                name="campaigns_task_deadline_or_regular",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title[:60]}"


class TaskUpdate(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("trạng thái"), max_length=16, choices=TaskStatus.choices)
    note = models.TextField(_("nội dung"))
    evidence = models.CharField(_("tài liệu minh chứng"), max_length=300, blank=True)
    # An uploaded evidence file: sealed outside the web root (``core.sealed``, kind "campaigns"), served
    # only through the task's page to whoever may read the plan, checked against its SHA-256 on every read.
    evidence_file = models.CharField(_("tệp minh chứng"), max_length=80, blank=True)
    evidence_name = models.CharField(_("tên tệp minh chứng"), max_length=255, blank=True)
    evidence_type = models.CharField(_("loại tệp minh chứng"), max_length=40, blank=True)
    evidence_size = models.PositiveIntegerField(_("cỡ tệp minh chứng"), null=True, blank=True)
    evidence_sha256 = models.CharField(_("SHA-256 tệp minh chứng"), max_length=64, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("cập nhật nhiệm vụ")
        verbose_name_plural = _("cập nhật nhiệm vụ")
        ordering = ["task", "at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values), name="campaigns_taskupdate_status"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} @ {self.at}: {self.status}"


class TaskAlert(models.Model):
    """The one overdue alert of a task for one deadline (``task_alerts``): the unique key is the marker
    that makes two runs at once send it once, and a moved deadline a new alert."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="alerts")
    deadline = models.DateField(_("thời hạn"))
    sent_at = models.DateTimeField(_("gửi lúc"))
    recipients = models.PositiveIntegerField(_("số người nhận"), default=0)

    class Meta:
        verbose_name = _("cảnh báo nhiệm vụ quá hạn")
        verbose_name_plural = _("cảnh báo nhiệm vụ quá hạn")
        constraints = [models.UniqueConstraint(fields=["task", "deadline"], name="campaigns_taskalert_once")]

    def __str__(self) -> str:
        return f"{self.task_id} @ {self.deadline}"
