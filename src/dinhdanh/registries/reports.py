"""Error reports of an import: one line per problem (row, column, value, reason in Vietnamese and
English), written as the rows stream by, in CSV (UTF-8 with BOM, which Excel opens correctly) and XLSX.
Values that a spreadsheet would run as formulas are neutralized (CSV injection).

openpyxl is imported when a report is first written, not with the module: the import services (and so
the URL configuration and the task worker) import this module, and most imports have no problems to
report (about 12 MB a process need not hold; decision 0049)."""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from django.conf import settings

from dinhdanh.registries.cells import neutralize_for_export, safe_text
from dinhdanh.registries.fields import FIELD_LABELS, RowProblem

if TYPE_CHECKING:
    from openpyxl import Workbook

# Messages quote the refused value (a kernel message may quote it raw); a control character there would
# make the XLSX writer refuse the whole report, so every cell is made printable first.
_CELL_MAX = 2_000


def _cell(text: str) -> str:
    return neutralize_for_export(safe_text(text, _CELL_MAX))


HEADER = ["Dòng / Row", "Cột / Column", "Giá trị / Value", "Lý do", "Reason", "Mã lỗi / Code"]


def report_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "exports" / "registries"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


class ErrorReport:
    """Opened lazily: an import without problems leaves no files."""

    def __init__(self, stem: str) -> None:
        self.stem = stem
        self.count = 0  # refusals: the rows not imported
        self.warnings = 0  # rows imported as they are, with something the registry should correct
        self._csv_file: TextIO | None = None
        self._book: Workbook | None = None

    @property
    def csv_path(self) -> Path:
        return report_dir() / f"{self.stem}.csv"

    @property
    def xlsx_path(self) -> Path:
        return report_dir() / f"{self.stem}.xlsx"

    def _open(self) -> None:
        from openpyxl import Workbook  # noqa: PLC0415  (lazy: see the module's note)

        handle = self.csv_path.open("w", encoding="utf-8-sig", newline="")
        self._csv_file = handle
        self._plain = csv.writer(handle)
        self._plain.writerow(HEADER)
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet("Lỗi - Errors")
        self._sheet.append(HEADER)

    def add(self, row_number: int, problem: RowProblem) -> None:
        self._line(row_number, problem)
        self.count += 1

    def warn(self, row_number: int, problem: RowProblem) -> None:
        """A line for a row that was imported anyway (its code says which warning)."""
        self._line(row_number, problem)
        self.warnings += 1

    @property
    def written(self) -> bool:
        return bool(self.count or self.warnings)

    def _line(self, row_number: int, problem: RowProblem) -> None:
        if self._book is None:
            self._open()
        label = str(FIELD_LABELS.get(problem.field, problem.field))
        line = [
            row_number,
            _cell(label),
            _cell(problem.value_shown),
            _cell(problem.message("vi")),
            _cell(problem.message("en")),
            _cell(problem.code),
        ]
        self._plain.writerow(line)
        self._sheet.append(line)

    def close(self) -> None:
        if self._book is not None:
            self._book.save(self.xlsx_path)
            self._book = None
        if self._csv_file is not None:
            self._csv_file.close()
            self._csv_file = None

    def discard(self) -> None:
        self.close()
        self.csv_path.unlink(missing_ok=True)
        self.xlsx_path.unlink(missing_ok=True)

    def __enter__(self) -> ErrorReport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is not None:
            self.discard()
        else:
            self.close()
