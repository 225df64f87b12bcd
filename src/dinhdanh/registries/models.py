"""Reference registries (SPEC §4): every list a partner supplies is kept as a versioned snapshot, and
each organization it names as one record per source that remembers when it first and last appeared.

A record's ``fingerprint`` covers its normalized fields, so a re-import of the same data changes
nothing and a newer snapshot tells new, changed and disappeared organizations apart.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.organizations.categories import Category
from dinhdanh.registries.record_keys import key_of
from dinhdanh.registries.sources import Source
from dinhdanh.registries.statuses import RegistryStatus


class SnapshotStatus(models.TextChoices):
    COMPLETED = "completed", _("Hoàn tất")
    FAILED = "failed", _("Không nhập được")


class Channel(models.TextChoices):
    FILE = "file", _("Tệp tải lên")
    API = "api", _("Kết nối API")


class Coverage(models.TextChoices):
    """What a snapshot says about the records it does not contain (issue 10, point 4)."""

    COMPLETE = "complete", _("Danh sách đầy đủ của địa bàn")
    PARTIAL = "partial", _("Một phần hoặc các thay đổi")


class Snapshot(models.Model):
    """One import: who brought which file (by checksum), when, and what it changed.

    ``coverage`` complete means every record of the source inside ``territory`` (a province or commune;
    empty: the whole country) is in this snapshot, so the records of the territory it lacks are no
    longer listed. A partial snapshot never marks anything as gone.
    """

    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.FILE)
    file_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    checksum = models.CharField(max_length=64, blank=True)  # SHA-256 of the file's bytes
    size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=20, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=SnapshotStatus.choices)
    failure = models.CharField(max_length=1000, blank=True)  # the error code and message, no file content
    rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    disappeared = models.PositiveIntegerField(default=0)
    error_report = models.CharField(max_length=120, blank=True)  # path under DATA_DIR/exports
    coverage = models.CharField(_("phạm vi"), max_length=10, choices=Coverage.choices, default=Coverage.PARTIAL)
    territory = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    warnings = models.PositiveIntegerField(default=0)  # rows imported with a warning (e.g. an old ID card)
    # Applying the snapshot's changes to issued organizations, after it is staged (decision 0022): in
    # chunks of organizations by id, each chunk committed with the id it reached, so a stopped apply
    # resumes after it; ``applied_at`` is set once every chunk is in.
    applied_through = models.BigIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)
    organizations_updated = models.PositiveIntegerField(default=0)
    representatives_changed = models.PositiveIntegerField(default=0)
    organizations_terminated = models.PositiveIntegerField(default=0)
    organizations_failed = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["source", "-imported_at"])]

    def __str__(self) -> str:
        return f"{self.source} #{self.pk}"


class Record(models.Model):
    """An organization as one source currently lists it."""

    source = models.CharField(max_length=20, choices=Source.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    code = models.CharField(_("mã"), max_length=40)
    # What tells the source's records apart (``record_keys``): the code, or, without one, a digest of
    # the name and commune. Filled by ``save`` for records made one by one.
    key = models.CharField(max_length=40)
    name = models.CharField(_("tên"), max_length=400)
    name_key = models.CharField(max_length=400, db_index=True)  # core.text.name_key, for matching
    short_name = models.CharField(max_length=200, blank=True)
    foreign_name = models.CharField(max_length=400, blank=True)
    established_on = models.DateField(null=True, blank=True)
    address = models.CharField(max_length=500, blank=True)
    commune = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The unit path (geo) of the commune, denormalized: reconciliation filters by jurisdiction prefix.
    unit_path = models.CharField(max_length=64, blank=True, db_index=True)
    representative_name = models.CharField(max_length=200, blank=True)
    representative_digest = models.CharField(max_length=64, blank=True)  # people.logins.login_digest
    representative_masked = models.CharField(max_length=24, blank=True)
    status = models.CharField(max_length=20, choices=RegistryStatus.choices)
    status_text = models.CharField(max_length=200, blank=True)  # as the source wrote it
    flags = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(max_length=64)
    first_snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    # The last snapshot that wrote the record (new, changed, or listed again after it had disappeared);
    # a snapshot listing it unchanged leaves it as it is (issue 17.1: a rewrite costs all its indexes).
    changed_snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    # Indexed only where set (below): nearly every record is listed, and an index entry for each
    # listed one cost every import's insert for nothing (decision 0055).
    disappeared_in = models.ForeignKey(
        Snapshot, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="registries_record_source_key")]
        indexes = [
            models.Index(fields=["code"], name="registries_record_code"),  # lookups across sources
            models.Index(
                fields=["disappeared_in"], condition=Q(disappeared_in__isnull=False), name="registries_record_gone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.key:
            commune = self.commune.code if self.commune is not None else ""
            self.key = key_of(self.code, self.name_key, commune)
        super().save(*args, **kwargs)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang nhập")
    COMPLETED = "completed", _("Hoàn tất")
    FAILED = "failed", _("Không nhập được")


class ImportJob(models.Model):
    """A file a partner clerk uploaded, imported in the background; the page follows its progress."""

    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    stored_path = models.CharField(max_length=255)  # under DATA_DIR/uploads/registries, removed when done
    size = models.BigIntegerField(default=0)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    failure = models.CharField(max_length=1000, blank=True)
    # What the uploader declared (``Snapshot.coverage``), and whether they confirmed marking many
    # records as no longer listed.
    coverage = models.CharField(max_length=10, choices=Coverage.choices, default=Coverage.PARTIAL)
    territory = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default="vi")
    # "host:pid" of the process importing the file (``jobs``); its sign of life between chunks; how many
    # times it was started (a job whose process is gone is started again, a bounded number of times).
    worker = models.CharField(max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} {self.status}"


class ExclusionReason(models.TextChoices):
    CEASED = "ceased", _("Đã ngừng hoạt động")
    UNREACHABLE = "unreachable", _("Không liên hệ được, không hoạt động tại địa chỉ")
    FOREIGN_REPRESENTATIVE = "foreign_representative", _("Người đại diện là người nước ngoài")
    DUPLICATE = "duplicate", _("Trùng với tổ chức khác")
    OTHER = "other", _("Lý do khác")


class Exclusion(models.Model):
    """A registry organization left out of target baselines, with a recorded reason (SPEC §4)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="exclusions")
    reason = models.CharField(_("lý do"), max_length=24, choices=ExclusionReason.choices)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    excluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    excluded_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=models.Q(lifted_at__isnull=True), name="registries_one_live_exclusion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.reason}"


class Baseline(models.Model):
    """How many organizations a unit × category had to reach on a date: the campaign's denominator."""

    unit = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=64, db_index=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    as_of = models.DateField(_("tính đến ngày"))
    registered = models.PositiveIntegerField(default=0)  # in the registries, active, not excluded
    excluded = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)  # of those, with an organization account on that date
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "category", "as_of"], name="registries_baseline_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.category} {self.as_of}"
