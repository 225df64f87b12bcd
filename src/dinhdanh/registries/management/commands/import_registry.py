"""dinhdanh import-registry --source {business,cooperative,tax,home_affairs,survey,police} FILE"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dinhdanh.core.categories import Source
from dinhdanh.registries.imports import import_file
from dinhdanh.registries.reports import report_dir


class Command(BaseCommand):
    help = "Nhập một danh sách tham chiếu (CSV hoặc XLSX) / import a reference list; prints a JSON summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, choices=Source.values)
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        summary = import_file(source=options["source"], path=options["file"], actor=None).as_json()
        if summary["error_report"]:
            stem = report_dir() / str(summary["error_report"])
            summary["error_report"] = str(stem.with_suffix(".csv"))
            summary["error_report_xlsx"] = str(stem.with_suffix(".xlsx"))
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
