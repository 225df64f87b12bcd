"""dinhdanh sweep_import_jobs — fail import jobs whose process died, remove orphaned uploads (cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dinhdanh.registries.services.job_sweep import sweep_stale_jobs


class Command(BaseCommand):
    help = (
        "Đánh dấu không thành công các lần nhập đã dừng, xóa tệp tải lên bị bỏ lại / fail import jobs whose "
        "process died and remove orphaned uploads; prints how many jobs were failed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(sweep_stale_jobs()))
