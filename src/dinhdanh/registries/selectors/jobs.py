"""Reads of the registry imports for monitoring (the pages read through the services)."""

from __future__ import annotations

from django.db.models import Count

from dinhdanh.registries.models import ImportJob, JobStatus

__all__ = ["import_job_counts"]


def import_job_counts() -> dict[str, int]:
    counts = dict.fromkeys(JobStatus.values, 0)
    for row in ImportJob.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts
