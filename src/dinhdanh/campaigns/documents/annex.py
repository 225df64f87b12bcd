"""The XLSX annex of a report: one sheet per phase, each target of the plan followed by the units it was
allocated to — unit, metric, segment, baseline, required, done, share, standing. Values, not formulas;
text that a spreadsheet could take for a formula (a unit or plan named "=HYPERLINK(…)") is neutralized
as every export of the platform does (``registries.cells.neutralize_for_export``)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from dinhdanh.campaigns.documents.content import PhaseSection, ReportContent, Row
from dinhdanh.campaigns.documents.header import Header
from dinhdanh.registries.cells import neutralize_for_export

__all__ = ["COLUMNS", "render_annex"]

COLUMNS = (
    gettext_lazy("STT"), gettext_lazy("Đơn vị"), gettext_lazy("Mã đơn vị"), gettext_lazy("Cấp"),
    gettext_lazy("Chỉ tiêu"), gettext_lazy("Đối tượng"), gettext_lazy("Tổng số (mẫu số)"), gettext_lazy("Phải đạt"),
    gettext_lazy("Đã đạt"), gettext_lazy("Tỷ lệ"), gettext_lazy("Đánh giá"), gettext_lazy("Dự kiến đạt"),
)  # fmt: skip
_WIDTHS = (6, 32, 10, 14, 32, 22, 14, 12, 12, 10, 18, 14)
_FORBIDDEN_IN_TITLE = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _cell(text: str) -> str:
    return neutralize_for_export(text)


def _title(section: PhaseSection) -> str:
    return _("Giai đoạn {number}").format(number=section.number).translate(_FORBIDDEN_IN_TITLE)[:31]


def _values(i: int, row: Row) -> list[object]:
    return [
        i,
        _cell(row.unit),
        _cell(row.unit_code),
        _("Phân bổ") if row.allocated else _("Kế hoạch"),
        _cell(row.metric),
        _cell(row.segment or _("Tất cả")),
        row.baseline,
        row.required,
        row.done,
        row.share,
        _cell(row.standing_text),
        row.forecast,
    ]


def _sheet(sheet: Worksheet, section: PhaseSection, caption: str) -> None:
    sheet.append([_cell(caption)])
    sheet.append([_cell(_("{name} (từ ngày {starts} đến ngày {ends})").format(
        name=section.name, starts=f"{section.starts_on:%d/%m/%Y}", ends=f"{section.ends_on:%d/%m/%Y}"))])  # fmt: skip
    sheet.append([])
    sheet.append([str(c) for c in COLUMNS])
    head = sheet.max_row
    for cell in sheet[head]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    sheet["A1"].font = Font(bold=True)
    for i, row in enumerate(section.rows, 1):
        sheet.append(_values(i, row))
        line = sheet.max_row
        sheet.cell(line, 10).number_format = "0.0%"
        sheet.cell(line, 12).number_format = "DD/MM/YYYY"
        if not row.allocated:
            for cell in sheet[line]:
                cell.font = Font(bold=True)
    for column, width in enumerate(_WIDTHS, 1):
        sheet.column_dimensions[sheet.cell(head, column).column_letter].width = width
    sheet.freeze_panes = sheet.cell(head + 1, 1)


def render_annex(content: ReportContent, header: Header) -> bytes:
    """The workbook's bytes. Its caption names the report it goes with ("Phụ lục kèm theo Báo cáo số …")."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    caption = _("Phụ lục kèm theo Báo cáo số {number}/{symbol} ngày {day} của {issuer} — Kế hoạch số {reference}").format(
        number=header.number or "…", symbol=header.symbol, day=f"{header.dated:%d/%m/%Y}",
        issuer=header.issuing_body, reference=content.plan.reference,
    )  # fmt: skip
    for section in content.sections:
        _sheet(workbook.create_sheet(_title(section)), section, caption)
    workbook.properties.creator = ""
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
