"""The registries' recurring jobs (``core.schedule``)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.schedule import recurring
from dinhdanh.registries.services.job_sweep import finish_unapplied, sweep_stale_jobs


@recurring(
    "sweep_import_jobs",
    every=timedelta(minutes=5),
    summary=_("Nhập lại hoặc đánh dấu các lần nhập danh sách đã dừng; xóa tệp bị bỏ lại"),
)
@task
def sweep_import_jobs() -> dict[str, int]:
    return {"failed": sweep_stale_jobs(), "applied": finish_unapplied()}
