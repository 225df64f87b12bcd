"""Kernel tables: the partitioned hash-chained audit log, domain events, role assignments, calendar
overrides, task workers' beats and the schedule of recurring jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit_codes


class AuditEvent(models.Model):
    """Append-only. ``seq`` is gapless and ``hash`` covers every other column plus ``prev_hash``: an
    HMAC-SHA256 under the key named by ``key_id``, or, for events written before the chain was keyed
    (``key_id`` empty), a plain SHA-256 (decision 0012). The log is partitioned into chains (decision
    0019): ``seq`` is gapless within its ``chain``; events written before the partitioning are the
    ``main`` chain."""

    chain = models.CharField(_("chuỗi"), max_length=40, default="main")
    seq = models.BigIntegerField(_("số thứ tự"))
    occurred_at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("người thực hiện"), max_length=200)
    # A plain code: each app declares its own (core.audit_codes); a new one needs no kernel migration.
    action = models.CharField(_("hành động"), max_length=64, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=64, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)
    request_id = models.CharField(_("mã yêu cầu"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("sự kiện kiểm toán")
        verbose_name_plural = _("nhật ký kiểm toán")
        ordering = ["chain", "seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="core_auditevent_chain_seq")]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"

    def get_action_display(self) -> str:
        """The action's label, from the app that declared it (a column without choices has none)."""
        return audit_codes.label(self.action)


class AuditChainHead(models.Model):
    """One row per chain that serializes that chain's writers (SELECT ... FOR UPDATE) and remembers its
    tip, so that deleting the newest events is detected too."""

    chain = models.CharField(max_length=40, unique=True, default="main")
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    # The key that sealed the tip: the next event under another key (the first keyed one after the
    # legacy events, or after a key change) is followed by a checkpoint.
    key_id = models.CharField(max_length=16, blank=True, default="")

    def __str__(self) -> str:
        return f"head {self.chain}#{self.last_seq}"


class DomainEvent(models.Model):
    """A fact that happened, typed and counted later (campaigns) or sent (relying-party notices).

    Written by ``core.events.emit`` in the service's transaction, next to the audit row. The kernel
    knows no domain: ``type`` is a namespaced string that the owning app registers, and the
    organization is a plain id (no foreign key into an app). Unit, province and category are copied
    *as they were at the time*, so a later move of the head office or change of category does not
    rewrite history."""

    type = models.CharField(_("loại sự kiện"), max_length=64)
    occurred_at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organization_id = models.BigIntegerField(_("tổ chức"), null=True, blank=True)
    # The unit's row as it was (a plain id: the kernel knows no geo). Codes are reused across schemes
    # and levels; the id is not, so counts roll up through successions after a reform (issue 14.0).
    unit_id = models.BigIntegerField(_("đơn vị"), null=True, blank=True)
    unit_code = models.CharField(_("mã đơn vị"), max_length=8, blank=True)
    province_code = models.CharField(_("mã tỉnh"), max_length=3, blank=True)
    category = models.CharField(_("loại tổ chức"), max_length=32, blank=True)
    payload = models.JSONField(_("nội dung"), default=dict, blank=True)
    request_id = models.CharField(_("mã yêu cầu"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("sự kiện nghiệp vụ")
        verbose_name_plural = _("sự kiện nghiệp vụ")
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["type", "occurred_at"]),
            models.Index(fields=["province_code", "occurred_at"]),
            models.Index(fields=["organization_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.type} @ {self.occurred_at:%Y-%m-%d}"


class RoleAssignment(models.Model):
    """A staff role held by a person over an administrative unit and everything under it.
    ``unit`` empty means nationwide (central C06, system administrators)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("vai trò"), max_length=32)
    unit = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner_source = models.CharField(_("nguồn dữ liệu đối tác"), max_length=32, blank=True)
    granted_at = models.DateTimeField(_("ngày giao"))
    valid_until = models.DateTimeField(_("hiệu lực đến"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ngày thu hồi"), null=True, blank=True)

    class Meta:
        verbose_name = _("phân công vai trò")
        verbose_name_plural = _("phân công vai trò")
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.role}@{self.unit_id or '*'}"


class DayOverride(models.Model):
    """A government-declared extra day off or make-up working day, on top of the holiday calendar."""

    date = models.DateField(_("ngày"), unique=True)
    is_working_day = models.BooleanField(_("là ngày làm việc"))
    reason = models.CharField(_("lý do"), max_length=300)

    class Meta:
        verbose_name = _("ngày nghỉ / làm bù")
        verbose_name_plural = _("ngày nghỉ / làm bù")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'+' if self.is_working_day else '-'}"


class IdempotencyRecord(models.Model):
    """A POST answered once (SPEC §8: ``Idempotency-Key`` honoured on every POST). The same key from
    the same caller replays the stored answer; the same key with a different body is refused."""

    scope = models.CharField(max_length=128)  # the caller: "user:<pk>", "client:<id>", …
    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=255)  # method and path
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # empty while in progress
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="core_idempotency_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class Sequence(models.Model):
    """A named counter that only grows (SELECT … FOR UPDATE): identification numbers are never reused."""

    name = models.CharField(max_length=40, unique=True)
    last_value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


class WorkerBeat(models.Model):
    """A task worker's sign of life (decision 0017), written by a thread of its own every few seconds:
    a running task whose worker has stopped beating is put back in the queue (``core.worker``)."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=100)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    task_id = models.CharField(max_length=64, blank=True)  # the task it runs now, if any

    def __str__(self) -> str:
        return f"{self.worker_id} {self.seen_at:%H:%M:%S}"


class ScheduledJob(models.Model):
    """A recurring job (``core.schedule``): the code names it and its task; the row says when it runs
    next, so that several workers run it once per interval, and an operator can change the interval or
    switch it off (``dinhdanh schedule``)."""

    name = models.SlugField(max_length=60, unique=True)
    every = models.PositiveIntegerField(_("chu kỳ (giây)"))
    enabled = models.BooleanField(_("đang bật"), default=True)
    next_run_at = models.DateTimeField(_("lần chạy tới"))
    last_run_at = models.DateTimeField(_("lần chạy gần nhất"), null=True, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)  # the django_tasks_db result of that run

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} /{self.every}s"
