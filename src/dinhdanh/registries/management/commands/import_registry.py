"""dinhdanh import-registry --source SOURCE (--partial | --complete TERRITORY [--confirm-disappearance]) FILE

Whether the file is the complete list of a territory (a province or commune code, or ``all``) or only
part of the list must be said: a file is never assumed complete (``registries.coverage``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dinhdanh.registries.reports import report_dir
from dinhdanh.registries.services.coverage import declare
from dinhdanh.registries.services.imports import import_file
from dinhdanh.registries.sources import Source


class Command(BaseCommand):
    help = "Nhập một danh sách tham chiếu (CSV hoặc XLSX) / import a reference list; prints a JSON summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, choices=Source.values)
        coverage = parser.add_mutually_exclusive_group(required=True)
        coverage.add_argument(
            "--partial",
            action="store_true",
            help="tệp chỉ có một phần danh sách hoặc các thay đổi: không đánh dấu bản ghi nào là không còn / "
            "the file is part of the list or the changes only: nothing is marked disappeared",
        )
        coverage.add_argument(
            "--complete",
            metavar="TERRITORY",
            help="tệp là danh sách đầy đủ của địa bàn (mã tỉnh, mã xã, hoặc all): bản ghi của địa bàn không có "
            "trong tệp được đánh dấu không còn / the file is the whole list of the territory (province or "
            "commune code, or all): its records missing from the file are marked disappeared",
        )
        parser.add_argument(
            "--confirm-disappearance",
            action="store_true",
            help="xác nhận khi tệp đánh dấu nhiều bản ghi là không còn / confirm marking many records disappeared",
        )
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        complete = options["complete"] is not None
        declared = declare(
            complete=complete, territory=options["complete"] or "", confirmed=options["confirm_disappearance"]
        )
        summary = import_file(
            source=options["source"], path=options["file"], actor=None, declared=declared
        ).as_json()
        if summary["error_report"]:
            stem = report_dir() / str(summary["error_report"])
            summary["error_report"] = str(stem.with_suffix(".csv"))
            summary["error_report_xlsx"] = str(stem.with_suffix(".xlsx"))
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
