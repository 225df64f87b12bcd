"""dinhdanh run_import_job JOB — import one uploaded registry file (what ``job_runner`` starts).

Run by the upload page in a process of its own; an operator may also run it for a job left queued.
A job already claimed is left alone. Prints the job's final status.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dinhdanh.registries.services.jobs import job_run


class Command(BaseCommand):
    help = "Nhập một tệp danh sách đã tải lên / import one uploaded registry file (by job number)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        job = job_run(job_id=options["job"])
        self.stdout.write(str(job.status))
