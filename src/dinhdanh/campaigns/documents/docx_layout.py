"""The typography of Decree 30/2020/NĐ-CP, Phụ lục I, in python-docx terms: A4, the margins, Times New
Roman (Liberation Serif stands in for it where it is not installed: the same metrics), the short rules
under the issuing body, the motto and the summary, borderless layout tables and gridded data tables,
and the page number centred in the top margin from page 2 on.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

__all__ = [
    "BODY_PT",
    "FONT",
    "TEXT_WIDTH",
    "borderless",
    "cell_text",
    "data_table",
    "line",
    "page_number_header",
    "rule",
    "setup",
    "text_width",
]

FONT = "Times New Roman"
BODY_PT = 14  # 13 to 14
TABLE_PT = 12
A4 = (Mm(210), Mm(297))
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}  # 20–25, 20–25, 30–35, 15–20
TEXT_WIDTH = Mm(210 - 30 - 15)
CELL_MARGIN = Cm(0.19)  # the default left and right cell margin of Word and LibreOffice


def setup(doc: Document) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = A4
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = Mm(10)
    normal = doc.styles["Normal"]
    font = normal.font
    font.name, font.size = FONT, Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)  # Vietnamese letters are "complex" to some readers: one font for all
    paragraph = normal.paragraph_format
    paragraph.space_before, paragraph.space_after, paragraph.line_spacing = Pt(0), Pt(0), 1.0
    core = doc.core_properties
    core.author, core.comments = "", ""


def text_width(text: str, size_pt: float, *, upper: bool = False) -> Length:
    """A rough width of one line of Times New Roman bold (upper case ~0.62 em a letter, lower ~0.45):
    enough to size a rule to a third or a half of the line above it."""
    em = 0.62 if upper else 0.45
    return Pt(len(text) * em * size_pt)


def line(
    container: _Cell | Document,
    text: str = "",
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    before: float = 0,
    after: float = 0,
    indent: Length | None = None,
) -> Paragraph:
    paragraph = container.add_paragraph()
    _format(paragraph, align=align, before=before, after=after, indent=indent)
    if text:
        run = paragraph.add_run(text)
        run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
    else:
        paragraph.paragraph_format.line_spacing = Pt(size)
    return paragraph


def _format(
    paragraph: Paragraph, *, align: WD_ALIGN_PARAGRAPH, before: float, after: float, indent: Length | None
) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent is not None:
        fmt.first_line_indent = indent


def rule(container: _Cell | Document, *, width: Length, room: Length) -> Paragraph:
    """A horizontal line ``width`` long, centred in ``room``: an empty paragraph's bottom border between
    equal indents (a border, not a drawing, so every reader and LibreOffice draw it the same)."""
    paragraph = container.add_paragraph()
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    ppr.append(borders)  # first in an empty pPr, before what python-docx adds next (schema order)
    side = Length(max((int(room) - int(width)) // 2, 0))
    fmt = paragraph.paragraph_format
    fmt.left_indent, fmt.right_indent = side, side
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    fmt.line_spacing = Pt(2)
    return paragraph


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _widths(table: Table, widths: Sequence[Length]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _first_paragraph(cell: _Cell) -> None:
    """A new cell holds one empty paragraph; drop it so the cell holds only what is added."""
    for paragraph in list(cell.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)


def borderless(doc: Document, widths: Sequence[Length], rows: int = 1) -> Table:
    """A layout table (header block, signature block): no lines, cells empty to fill with ``line``."""
    table: Table = doc.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, widths)
    for row in table.rows:
        for cell in row.cells:
            _first_paragraph(cell)
    return table


def cell_text(cell: _Cell, text: str, *, bold: bool = False, align: WD_ALIGN_PARAGRAPH | None = None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.LEFT
    run = paragraph.add_run(text)
    run.font.size, run.font.bold = Pt(TABLE_PT), bold


def data_table(
    doc: Document,
    heads: Sequence[str],
    widths: Sequence[Length],
    rows: Sequence[Sequence[str]],
    *,
    right: frozenset[int] = frozenset(),
    bold_rows: frozenset[int] = frozenset(),
) -> Table:
    """A gridded table: a bold header row repeated on every page, then ``rows`` (columns in ``right``
    aligned right: numbers)."""
    table: Table = doc.add_table(rows=1 + len(rows), cols=len(heads))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    head = table.rows[0]
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    head._tr.get_or_add_trPr().append(marker)
    for cell, text in zip(head.cells, heads, strict=True):
        cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for i, values in enumerate(rows):
        for j, (cell, text) in enumerate(zip(table.rows[i + 1].cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.RIGHT if j in right else WD_ALIGN_PARAGRAPH.LEFT
            cell_text(cell, text, bold=i in bold_rows, align=align)
    return table


def page_number_header(doc: Document) -> None:
    """The page number in the top margin, centred, from page 2 on (the first page shows none)."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(BODY_PT * 2))
    props.append(size)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
