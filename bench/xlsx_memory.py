"""Peak memory of reading an XLSX registry file (issue 10, point 5: "an XLSX of 300 KB takes the
importer to 1 GB").

    .venv/bin/python bench/xlsx_memory.py [rows]      # default 8,000 rows (about 300 KB)

Writes two workbooks of ``rows`` rows × 11 columns: a clean one, and the same with one stray value in
``XFD5`` (a space typed far to the right, which Excel keeps). Each is then read in a fresh process as
the importer reads it (``readers.open_rows`` and every row), and the process's peak resident memory is
printed. python-calamine holds the first sheet as one dense block from the first to the last non-empty
cell, about 32 bytes a cell: the stray cell makes that block rows × 16,384 cells. The importer now
measures the block on the sheet's XML first and refuses such a file, naming the cell to clear.
Run it with ``PYTHONPATH`` pointing at an older tree to see the figures before the bound.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 8_000
HEADER = ["Mã số thuế", "Tên doanh nghiệp", "Ngày thành lập", "Địa chỉ", "Mã xã", "Người đại diện",
          "Số CCCD", "Tình trạng", "Ghi chú", "Điện thoại", "Email"]  # fmt: skip
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _column(index: int) -> str:
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def write(path: Path, rows: int, stray: bool) -> None:
    body = ['<row r="1">', *(_cell(f"{_column(i + 1)}1", h) for i, h in enumerate(HEADER)), "</row>"]
    for n in range(2, rows + 2):
        values = [f"01{n:08d}", f"Công ty TNHH Số {n}", "17/05/2019", f"Số {n} Lê Lợi", "30292", "Nguyễn Văn An",
                  "", "Đang hoạt động", "", "", ""]  # fmt: skip
        body.append(
            f'<row r="{n}">' + "".join(_cell(f"{_column(i + 1)}{n}", v) for i, v in enumerate(values) if v)
        )
        if stray and n == 5:
            body.append(_cell(f"XFD{n}", " "))
        body.append("</row>")
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}"><sheetData>{"".join(body)}</sheetData></worksheet>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        book.writestr("_rels/.rels", f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/'
                      'officeDocument" Target="xl/workbook.xml"/></Relationships>')  # fmt: skip
        book.writestr("xl/workbook.xml", f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets><sheet name="DS" '
                      'sheetId="1" r:id="rId1"/></sheets></workbook>')  # fmt: skip
        book.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                      f'Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')  # fmt: skip
        book.writestr("xl/worksheets/sheet1.xml", sheet)


def read(path: str) -> None:
    """In the child: read as the importer does, then print the outcome and the peak memory."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.test")
    django.setup()
    from dinhdanh.core.errors import DomainError
    from dinhdanh.registries.readers import open_rows

    try:
        outcome = f"{sum(1 for _ in open_rows(Path(path)))} rows read"
    except DomainError as error:
        outcome = f"refused: {error.code}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{outcome}; peak RSS {peak:,.0f} MB")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for stray in (False, True):
            path = Path(folder) / f"{'stray' if stray else 'clean'}.xlsx"
            write(path, ROWS, stray)
            print(f"{path.name}: {path.stat().st_size / 1024:,.0f} KB, {ROWS:,} rows", end=" -> ", flush=True)
            subprocess.run([sys.executable, __file__, "--read", str(path)], check=False)  # noqa: S603


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--read":
        read(sys.argv[2])
    else:
        main()
