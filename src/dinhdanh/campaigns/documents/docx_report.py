"""The report as a DOCX in the administrative format of Decree 30/2020/NĐ-CP (Phụ lục I):

* top left, the issuing body: the superior body in upper case, the issuing body in bold upper case, a
  short rule; under it "Số: 12/BC-CAT";
* top right, the national motto: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in bold upper case, "Độc lập - Tự
  do - Hạnh phúc" in bold with a rule as long as it; under it the place and date in italics;
* "BÁO CÁO" in bold, centred, with its summary and a short rule; the body;
* bottom left "Nơi nhận:" (bold italic, 12) and its list (11); bottom right the signature block: the
  authority ("KT. GIÁM ĐỐC"), the title, room for the signature and seal, the signer's name in bold.
"""

from __future__ import annotations

import io
from collections import Counter

import docx
from django.utils.translation import gettext as _
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Length

from dinhdanh.campaigns.documents.content import PhaseSection, Ranking, ReportContent, Row, date_in_words
from dinhdanh.campaigns.documents.docx_layout import (
    BODY_PT,
    CELL_MARGIN,
    TEXT_WIDTH,
    borderless,
    data_table,
    line,
    page_number_header,
    rule,
    setup,
    text_width,
)
from dinhdanh.campaigns.documents.header import Header
from dinhdanh.campaigns.forecast import Standing
from dinhdanh.campaigns.models import TaskStatus

__all__ = ["MOTTO", "NATION", "render_docx", "summary", "symbol_line"]

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# The names in the header block and the nation's name: 12 to 13; the motto one size larger (12 → 13).
# At 13 the nation's name is 9.5 cm wide in bold and would need a wider column than the page allows
# beside a readable issuing body, so 12 and 13, the pairing the decree names.
HEAD_PT = 12
MOTTO_PT = 13
LEFT, RIGHT = Cm(6.8), Cm(9.7)  # the two columns of the header block: 16.5 cm, the text width
INDENT = Cm(1.27)
MOTTO_WIDTH = Cm(5.6)  # "Độc lập - Tự do - Hạnh phúc" in 13 pt bold


def number(value: int | None) -> str:
    """2.816: the Vietnamese thousands separator (an official document is Vietnamese)."""
    return "—" if value is None else f"{value:,}".replace(",", ".")


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%".replace(".", ",")


def symbol_line(header: Header) -> str:
    """ "Số: 12/BC-CAT"; blank room for the number when the clerk assigns it at registration."""
    return f"Số: {header.number or ' ' * 8}/{header.symbol}"


def _plan_phrase(content: ReportContent) -> str:
    plan = content.plan
    return _("Kế hoạch số {reference} ngày {issued} của {body}").format(
        reference=plan.reference, issued=f"{plan.issued_on:%d/%m/%Y}", body=plan.issuing_body
    )


def summary(content: ReportContent) -> str:
    if content.final:
        return _("Tổng kết thực hiện {plan}").format(plan=_plan_phrase(content))
    (section,) = content.sections
    return _("Sơ kết giai đoạn {number} thực hiện {plan}").format(
        number=section.number, plan=_plan_phrase(content)
    )


def _header_block(doc: Document, header: Header) -> None:
    table = borderless(doc, [LEFT, RIGHT], rows=2)
    left, right = table.rows[0].cells
    room_left, room_right = Length(int(LEFT) - 2 * int(CELL_MARGIN)), Length(int(RIGHT) - 2 * int(CELL_MARGIN))
    if header.superior_body:
        line(left, header.superior_body.upper(), size=HEAD_PT)
    issuer = header.issuing_body.upper()
    line(left, issuer, size=HEAD_PT, bold=True)
    issuer_width = min(int(text_width(issuer, HEAD_PT, upper=True)), int(room_left))
    rule(left, width=Length(max(int(issuer_width * 0.4), int(Cm(1.5)))), room=room_left)
    line(right, NATION, size=HEAD_PT, bold=True)
    line(right, MOTTO, size=MOTTO_PT, bold=True)
    rule(right, width=MOTTO_WIDTH, room=room_right)
    number_cell, date_cell = table.rows[1].cells
    line(number_cell, symbol_line(header), size=MOTTO_PT)
    line(date_cell, f"{header.place}, {date_in_words(header.dated)}", size=BODY_PT, italic=True)


def _title(doc: Document, content: ReportContent) -> None:
    line(doc, _("BÁO CÁO"), bold=True, before=18)
    text = summary(content)
    line(doc, text, bold=True)
    width = min(int(text_width(text, BODY_PT)), int(TEXT_WIDTH)) // 3
    rule(doc, width=Length(max(width, int(Cm(2.5)))), room=TEXT_WIDTH)


def _para(doc: Document, text: str, *, bold: bool = False, italic: bool = False, keep: bool = False) -> None:
    """A body paragraph: justified, first line indented, 6 pt after; ``keep``: on the page of the next
    (a heading is never left alone at the foot of a page)."""
    paragraph = line(doc, text, bold=bold, italic=italic, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, indent=INDENT)
    paragraph.paragraph_format.keep_with_next = keep or bold


def _opening(doc: Document, content: ReportContent, header: Header) -> None:
    plan = content.plan
    if content.final:
        period = _("thực hiện Kế hoạch (từ ngày {starts} đến ngày {ends})")
    else:
        period = _("giai đoạn {number} ({name}, từ ngày {starts} đến ngày {ends})")
    first = content.sections[0]
    what = period.format(
        number=first.number,
        name=first.name,
        starts=f"{content.starts_on:%d/%m/%Y}",
        ends=f"{content.ends_on:%d/%m/%Y}",
    )
    text = _(
        "Thực hiện {plan} về {title}, {issuer} báo cáo kết quả {what}, số liệu tính đến hết ngày {as_of}, như sau:"
    ).format(plan=_plan_phrase(content), title=plan.title, issuer=header.issuing_body, what=what,
             as_of=f"{content.as_of:%d/%m/%Y}")  # fmt: skip
    _para(doc, text)


def _tally(rows: list[Row]) -> str:
    counts = Counter(r.standing for r in rows)
    parts = [
        _("{n} đã đạt").format(n=counts[Standing.MET]),
        _("{n} vượt tiến độ").format(n=counts[Standing.AHEAD]),
        _("{n} đúng tiến độ").format(n=counts[Standing.ON_TRACK]),
        _("{n} chậm tiến độ").format(n=counts[Standing.BEHIND]),
    ]
    if counts[Standing.NOT_STARTED]:
        parts.append(_("{n} chưa bắt đầu").format(n=counts[Standing.NOT_STARTED]))
    if counts[None]:
        parts.append(_("{n} chưa có số liệu").format(n=counts[None]))
    return _("Có {n} chỉ tiêu: {parts}.").format(n=len(rows), parts=", ".join(parts))


_TARGET_WIDTHS = [Cm(1.2), Cm(4.4), Cm(3.2), Cm(1.9), Cm(1.8), Cm(1.6), Cm(2.4)]


def _targets(doc: Document, content: ReportContent) -> None:
    _para(doc, _("I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"), bold=True)
    for section in content.sections:
        if content.final:
            _para(doc, _phase_heading(section), bold=True, italic=True)
        if not section.targets:
            _para(doc, _("Giai đoạn này không có chỉ tiêu."))
            continue
        _para(doc, _tally(section.targets), keep=True)
        heads = [_("STT"), _("Chỉ tiêu"), _("Đơn vị"), _("Phải đạt"), _("Đã đạt"), _("Tỷ lệ"), _("Đánh giá")]
        rows = [
            [str(i), r.subject, r.unit, number(r.required), number(r.done), percent(r.share), r.standing_text]
            for i, r in enumerate(section.targets, 1)
        ]
        data_table(doc, heads, _TARGET_WIDTHS, rows, right=frozenset({3, 4, 5}))
        line(doc, "", size=6)


def _phase_heading(section: PhaseSection) -> str:
    return _("Giai đoạn {number}: {name} (từ ngày {starts} đến ngày {ends})").format(
        number=section.number, name=section.name, starts=f"{section.starts_on:%d/%m/%Y}",
        ends=f"{section.ends_on:%d/%m/%Y}",
    )  # fmt: skip


def _units(rows: list[Row]) -> str:
    if not rows:
        return _("không có")
    return "; ".join(f"{r.unit} ({number(r.done)}/{number(r.required)}, {percent(r.share)})" for r in rows)


def _rankings(doc: Document, content: ReportContent) -> None:
    _para(doc, _("II. XẾP HẠNG CÁC ĐƠN VỊ"), bold=True)
    rankings: list[tuple[PhaseSection, Ranking]] = [(s, r) for s in content.sections for r in s.rankings]
    if not rankings:
        _para(doc, _("Các chỉ tiêu của kỳ báo cáo chưa được phân bổ cho đơn vị cấp dưới."))
        return
    for i, (section, ranking) in enumerate(rankings, 1):
        target = ranking.target
        where = _(" (giai đoạn {number})").format(number=section.number) if content.final else ""
        _para(doc, f"{i}. {target.subject} – {target.unit}{where}:", italic=True, keep=True)
        _para(doc, _("- Đơn vị đã đạt hoặc vượt tiến độ (đề xuất khen thưởng): {units}.").format(
            units=_units(ranking.commend)))  # fmt: skip
        _para(doc, _("- Đơn vị chậm tiến độ (đề xuất phê bình, nhắc nhở): {units}.").format(
            units=_units(ranking.criticise)))  # fmt: skip
        if ranking.others:
            _para(doc, _("- Các đơn vị còn lại: {units}.").format(units=_units(ranking.others)))


_TASK_WIDTHS = [Cm(1.2), Cm(6.6), Cm(3.4), Cm(2.6), Cm(2.7)]


def _tasks(doc: Document, content: ReportContent) -> None:
    _para(doc, _("III. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ"), bold=True)
    if not content.tasks:
        _para(doc, _("Kế hoạch không giao nhiệm vụ cụ thể."))
        return
    counts = Counter(t.status_code for t in content.tasks)
    _para(doc, _(
        "Kế hoạch có {n} nhiệm vụ: {done} đã hoàn thành, {doing} đang thực hiện, {pending} chưa thực hiện, "
        "{cancelled} không thực hiện; {overdue} nhiệm vụ quá hạn."
    ).format(n=len(content.tasks), done=counts[TaskStatus.DONE], doing=counts[TaskStatus.IN_PROGRESS],
             pending=counts[TaskStatus.PENDING], cancelled=counts[TaskStatus.CANCELLED],
             overdue=len(content.overdue)), keep=True)  # fmt: skip
    heads = [_("STT"), _("Nhiệm vụ"), _("Đơn vị chủ trì"), _("Thời hạn"), _("Trạng thái")]
    rows = [
        [t.number, t.title, t.lead_unit, f"{t.deadline:%d/%m/%Y}" if t.deadline else _("thường xuyên"),
         t.status + (_(" (quá hạn)") if t.overdue else "")]
        for t in content.tasks
    ]  # fmt: skip
    overdue = frozenset(i for i, t in enumerate(content.tasks) if t.overdue)
    data_table(doc, heads, _TASK_WIDTHS, rows, bold_rows=overdue)
    line(doc, "", size=6)
    if content.overdue:
        _para(doc, _("Nhiệm vụ quá hạn cần đôn đốc:"), keep=True)
        for t in content.overdue:
            deadline = f"{t.deadline:%d/%m/%Y}" if t.deadline else ""
            _para(doc, f"- {t.number}. {t.title} ({t.lead_unit}; {_('hạn')} {deadline}).")


def _closing(doc: Document, content: ReportContent, header: Header) -> None:
    _para(doc, _("Số liệu chi tiết theo từng đơn vị tại Phụ lục kèm theo báo cáo này."), italic=True)
    kind = (
        _("tổng kết")
        if content.final
        else _("sơ kết giai đoạn {number}").format(number=content.sections[0].number)
    )
    _para(doc, _("Trên đây là báo cáo {kind} thực hiện Kế hoạch số {reference} của {issuer}./.").format(
        kind=kind, reference=content.plan.reference, issuer=header.issuing_body))  # fmt: skip


def _recipients(header: Header) -> list[str]:
    names = list(header.recipients)
    if not any(name.casefold().startswith("lưu") for name in names):
        names.append(_("Lưu: VT"))
    return [f"- {name}{'.' if i == len(names) - 1 else ';'}" for i, name in enumerate(names)]


def _signature(doc: Document, header: Header) -> None:
    table = borderless(doc, [Cm(8.0), Cm(8.5)])
    left, right = table.rows[0].cells
    line(left, _("Nơi nhận:"), size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    for text in _recipients(header):
        line(left, text, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    if header.signer_authority:
        line(right, header.signer_authority.upper(), bold=True, before=12)
        line(right, header.signer_title.upper(), bold=True)
    else:
        line(right, header.signer_title.upper(), bold=True, before=12)
    for _blank in range(4):  # room for the signature and the seal
        line(right, "", size=BODY_PT + 4)
    line(right, header.signer_name, bold=True)


def render_docx(content: ReportContent, header: Header) -> bytes:
    doc = docx.Document()
    setup(doc)
    page_number_header(doc)
    body = doc.paragraphs[0]._p if doc.paragraphs else None
    if body is not None:  # the template's empty first paragraph
        body.getparent().remove(body)
    _header_block(doc, header)
    _title(doc, content)
    _opening(doc, content, header)
    _targets(doc, content)
    _rankings(doc, content)
    _tasks(doc, content)
    _closing(doc, content, header)
    _signature(doc, header)
    doc.core_properties.title = summary(content)[:250]
    doc.core_properties.language = "vi-VN"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
