"""Reference registries (SPEC §4): every list a partner supplies is kept as a versioned snapshot, and
each organization it names as one record per source that remembers when it first and last appeared.

A record's ``fingerprint`` covers its normalized fields, so a re-import of the same data changes
nothing and a newer snapshot tells new, changed and disappeared organizations apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.categories import Category, Source
from dinhdanh.registries.statuses import RegistryStatus


class SnapshotStatus(models.TextChoices):
    COMPLETED = "completed", _("Hoàn tất")
    FAILED = "failed", _("Không nhập được")


class Channel(models.TextChoices):
    FILE = "file", _("Tệp tải lên")
    API = "api", _("Kết nối API")


class Snapshot(models.Model):
    """One import: who brought which file (by checksum), when, and what it changed."""

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
    failure = models.CharField(max_length=300, blank=True)  # the error code and message, no file content
    rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    disappeared = models.PositiveIntegerField(default=0)
    error_report = models.CharField(max_length=120, blank=True)  # path under DATA_DIR/exports

    class Meta:
        indexes = [models.Index(fields=["source", "-imported_at"])]

    def __str__(self) -> str:
        return f"{self.source} #{self.pk}"


class Record(models.Model):
    """An organization as one source currently lists it."""

    source = models.CharField(max_length=20, choices=Source.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    code = models.CharField(_("mã"), max_length=40)
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
    changed_snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    last_snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    disappeared_in = models.ForeignKey(Snapshot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "code"], name="registries_record_source_code")]
        indexes = [models.Index(fields=["source", "last_snapshot"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
