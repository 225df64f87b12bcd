"""Official documents of a plan (issue 14.7): the phase and final reports as DOCX and PDF in the format of
Decree 30/2020/NĐ-CP, their XLSX annex, and the page that makes them — read back with python-docx,
openpyxl, LibreOffice and poppler, not mocked."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from typing import Any

import pytest
from django.test import Client
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from openpyxl import load_workbook

from dinhdanh.campaigns import dashboard
from dinhdanh.campaigns.documents import services
from dinhdanh.campaigns.documents.docx_report import MOTTO, NATION
from dinhdanh.campaigns.models import DailyCount, Metric, Phase, Plan, Segment, Target, Task, TaskStatus
from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
from dinhdanh.geo.rollup import rollup_ids
from dinhdanh.people.models import User
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, signed_in, unit

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 1, 31)
GENERATED = "campaign.document_generated"


@pytest.fixture
def plan() -> Plan:
    scope = unit("91", Level.PROVINCE, Scheme.LEGACY)  # Kiên Giang, 2024
    plan = Plan.objects.create(slug="374-kh-ubnd", reference="374/KH-UBND", title="Cao điểm định danh tổ chức",
                               issuing_body="UBND tỉnh Kiên Giang", issued_on=date(2024, 12, 25), scope_unit=scope)  # fmt: skip
    one = Phase.objects.create(plan=plan, number=1, name="Giai đoạn 1", starts_on=date(2025, 1, 1),
                               ends_on=date(2025, 1, 31))  # fmt: skip
    two = Phase.objects.create(plan=plan, number=2, name="Giai đoạn 2", starts_on=date(2025, 2, 1),
                               ends_on=date(2025, 6, 30))  # fmt: skip
    for phase, value in ((one, 2816), (two, 6571)):
        parent = Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED,
                                       segment=Segment.ENTERPRISE, unit=scope, value=value, baseline=9387)  # fmt: skip
        for code, share in (("899", 600), ("911", 300)):
            Target.objects.create(plan=plan, phase=phase, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.ENTERPRISE,
                                  unit=unit(code, Level.DISTRICT, Scheme.LEGACY), value=share * phase.number,
                                  parent=parent)  # fmt: skip
    Target.objects.create(plan=plan, phase=one, metric=Metric.ACCOUNTS_ISSUED, segment=Segment.POLICE, unit=scope,
                          value=100, due_on=date(2025, 1, 1))  # fmt: skip
    rach_gia = unit("899", Level.DISTRICT, Scheme.LEGACY)
    ward = rollup_ids([rach_gia.pk], level=Level.COMMUNE, on=date(2026, 1, 1))[rach_gia.pk]
    assert ward is not None
    for day in range(1, 16):
        DailyCount.objects.create(day=date(2025, 1, day), metric=Metric.ACCOUNTS_ISSUED, unit_id=ward,
                                  category="enterprise", count=40)  # fmt: skip
    DailyCount.objects.create(day=date(2025, 1, 1), metric=Metric.ACCOUNTS_ISSUED, unit_id=ward,
                              category="police", count=70)  # fmt: skip
    Task.objects.create(plan=plan, number="1", title="Rà soát danh sách tổ chức", lead_unit="Công an tỉnh",
                        deadline=date(2025, 1, 10))  # fmt: skip
    Task.objects.create(plan=plan, number="2", title="Tuyên truyền", lead_unit="Sở Thông tin", regular=True)
    Task.objects.create(plan=plan, number="3", title="Báo cáo sơ kết", lead_unit="Công an tỉnh",
                        deadline=date(2025, 1, 10), status=TaskStatus.DONE)  # fmt: skip
    return plan


@pytest.fixture
def manager(db: None) -> User:
    return make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE))  # An Giang, since 2025


def fields(**changes: str) -> dict[str, str]:
    base = {
        "kind": "phase",
        "phase": "1",
        "format": "docx",
        "as_of": "2025-01-31",
        "dated": "2026-12-05",
        "superior_body": "UBND tỉnh Kiên Giang",
        "issuing_body": "Công an tỉnh Kiên Giang",
        "number": "12",
        "symbol": "BC-CAT",
        "place": "Kiên Giang",
        "signer_authority": "KT. Giám đốc",
        "signer_title": "Phó Giám đốc",
        "signer_name": "Nguyễn Văn Minh",
        "recipients": "Ủy ban nhân dân tỉnh;\n- Bộ Công an (C06);\n\nCác sở, ngành",
    }
    base.update(changes)
    return base


def _text(cell: Any) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


def _runs(container: Any) -> dict[str, Any]:
    return {run.text: run for p in container.paragraphs for run in p.runs}


# --- DOCX ------------------------------------------------------------------------------------------------


@pytest.fixture
def report(plan: Plan, manager: User) -> Any:
    made = services.document(actor=manager, slug=plan.slug, raw=fields())
    assert made.content_type.endswith("wordprocessingml.document")
    return Document(io.BytesIO(made.data))


def test_the_page_is_a4_with_the_decree_s_margins_in_times_new_roman(report: Any) -> None:
    section = report.sections[0]
    names = ("page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin")
    mm = {name: round(getattr(section, name).mm) for name in names}
    assert (mm["page_width"], mm["page_height"]) == (210, 297)
    assert 20 <= mm["top_margin"] <= 25
    assert 20 <= mm["bottom_margin"] <= 25
    assert 30 <= mm["left_margin"] <= 35
    assert 15 <= mm["right_margin"] <= 20
    assert report.styles["Normal"].font.name == "Times New Roman"
    assert 13 <= report.styles["Normal"].font.size.pt <= 14


def test_the_header_block_has_the_issuing_body_the_motto_the_number_and_the_date(report: Any) -> None:
    head = report.tables[0]
    issuer, motto = head.rows[0].cells
    assert _text(issuer).splitlines()[:2] == ["UBND TỈNH KIÊN GIANG", "CÔNG AN TỈNH KIÊN GIANG"]
    runs = _runs(issuer)
    assert not runs["UBND TỈNH KIÊN GIANG"].bold
    assert runs["CÔNG AN TỈNH KIÊN GIANG"].bold
    assert issuer.paragraphs[-1]._p.pPr.find(qn("w:pBdr")) is not None  # the short rule under the issuing body
    assert _text(motto).splitlines()[:2] == [NATION, MOTTO]
    assert _runs(motto)[NATION].bold
    assert _runs(motto)[MOTTO].bold
    assert motto.paragraphs[-1]._p.pPr.find(qn("w:pBdr")) is not None  # the rule under the motto
    number, dated = head.rows[1].cells
    assert _text(number) == "Số: 12/BC-CAT"
    assert _text(dated) == "Kiên Giang, ngày 05 tháng 12 năm 2026"
    assert _runs(dated)["Kiên Giang, ngày 05 tháng 12 năm 2026"].italic


def test_the_body_gives_the_targets_the_ranking_and_the_tasks(report: Any, plan: Plan, manager: User) -> None:
    body = [p for p in report.paragraphs if p.text]
    title = body[0]
    assert (title.text, title.runs[0].bold, title.alignment) == ("BÁO CÁO", True, WD_ALIGN_PARAGRAPH.CENTER)
    summary = "Sơ kết giai đoạn 1 thực hiện Kế hoạch số 374/KH-UBND ngày 25/12/2024 của UBND tỉnh Kiên Giang"
    assert body[1].text == summary
    text = "\n".join(p.text for p in body)
    assert "số liệu tính đến hết ngày 31/01/2025" in text
    assert "đề xuất khen thưởng): Thành phố Rạch Giá (600/600, 100,0%)." in text
    assert "đề xuất phê bình, nhắc nhở): Thành phố Phú Quốc (0/300, 0,0%)." in text
    assert "1 nhiệm vụ quá hạn" in text
    assert "- 1. Rà soát danh sách tổ chức (Công an tỉnh; hạn 10/01/2025)." in text
    targets = report.tables[1]
    assert [c.text for c in targets.rows[0].cells][:4] == ["STT", "Chỉ tiêu", "Đơn vị", "Phải đạt"]
    rows = [[c.text for c in r.cells] for r in targets.rows[1:]]
    enterprises = ["1", "Tài khoản tổ chức đã cấp – Doanh nghiệp", "Tỉnh Kiên Giang", "2.816", "600", "21,3%"]
    assert [*enterprises, "chậm tiến độ"] in rows
    event = AuditEvent.objects.get(action=GENERATED)
    assert event.actor_id == manager.pk
    assert event.object_id == str(plan.pk)
    after = event.after or {}
    assert (after["kind"], after["phase"], after["format"], after["number"], after["symbol"]) == (
        "phase", 1, "docx", "12", "BC-CAT",
    )  # fmt: skip


def test_the_recipients_and_the_signature_close_it(report: Any) -> None:
    recipients, signature = report.tables[-1].rows[0].cells
    lines = _text(recipients).splitlines()
    assert lines == [
        "Nơi nhận:",
        "- Ủy ban nhân dân tỉnh;",
        "- Bộ Công an (C06);",
        "- Các sở, ngành;",
        "- Lưu: VT.",
    ]
    heading = _runs(recipients)["Nơi nhận:"]
    assert (heading.bold, heading.italic, heading.font.size.pt) == (True, True, 12)
    assert _runs(recipients)["- Lưu: VT."].font.size.pt == 11
    signed = [line for line in _text(signature).splitlines() if line]
    assert signed == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Minh"]
    assert _runs(signature)["Nguyễn Văn Minh"].bold
    assert len(_text(signature).splitlines()) >= 7  # room for the signature and the seal


def test_the_final_report_covers_every_phase_and_defaults_to_the_plan_s_end(plan: Plan, manager: User) -> None:
    raw = fields(kind="final", phase="", as_of="", number="", signer_authority="", signer_title="Giám đốc")
    made = services.document(actor=manager, slug=plan.slug, raw=raw)
    assert made.as_of == date(2025, 6, 30)
    doc = Document(io.BytesIO(made.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Tổng kết thực hiện Kế hoạch số 374/KH-UBND" in text
    assert "Giai đoạn 1: Giai đoạn 1 (từ ngày 01/01/2025 đến ngày 31/01/2025)" in text
    assert "Giai đoạn 2: Giai đoạn 2 (từ ngày 01/02/2025 đến ngày 30/06/2025)" in text
    assert "(giai đoạn 2):" in text
    assert _text(doc.tables[0].rows[1].cells[0]) == "Số:         /BC-CAT"  # the clerk writes the number
    signed = [line for line in _text(doc.tables[-1].rows[0].cells[1]).splitlines() if line]
    assert signed == ["GIÁM ĐỐC", "Nguyễn Văn Minh"]
    assert made.ascii_filename == "bao-cao-tong-ket-374-kh-ubnd.docx"
    assert made.filename == "Báo cáo tổng kết - 374-KH-UBND.docx"


def test_text_is_kept_in_nfc(plan: Plan, manager: User) -> None:
    decomposed = unicodedata.normalize("NFD", "Công an tỉnh Kiên Giang")
    made = services.document(actor=manager, slug=plan.slug, raw=fields(issuing_body=decomposed))
    doc = Document(io.BytesIO(made.data))
    assert _text(doc.tables[0].rows[0].cells[0]).splitlines()[1] == "CÔNG AN TỈNH KIÊN GIANG"
    assert (AuditEvent.objects.get(action=GENERATED).after or {})["issuing_body"] == "Công an tỉnh Kiên Giang"


# --- XLSX annex --------------------------------------------------------------------------------------------


def test_the_annex_has_a_sheet_per_phase_whose_numbers_are_the_standings(plan: Plan, manager: User) -> None:
    made = services.document(
        actor=manager, slug=plan.slug, raw=fields(kind="final", format="xlsx", as_of="2025-01-31")
    )
    book = load_workbook(io.BytesIO(made.data))
    assert book.sheetnames == ["Giai đoạn 1", "Giai đoạn 2"]
    board = dashboard.plan_board(actor=manager, slug=plan.slug, as_of=AS_OF)
    for sheet, phase in zip(book.worksheets, board.phases, strict=True):
        assert "Phụ lục kèm theo Báo cáo số 12/BC-CAT ngày 05/12/2026" in sheet["A1"].value
        rows = list(sheet.iter_rows(min_row=4, values_only=True))
        head, data = rows[0], rows[1:]
        assert head[:4] == ("STT", "Đơn vị", "Mã đơn vị", "Cấp")
        column = {name: i for i, name in enumerate(head)}
        own = [r for r in data if r[column["Cấp"]] == "Kế hoạch"]
        shares = [r for r in data if r[column["Cấp"]] == "Phân bổ"]
        standings = [s for s in phase.targets if s.outlook is not None]
        assert sum(r[column["Đã đạt"]] or 0 for r in own) == sum(s.outlook.done for s in standings if s.outlook)
        assert sum(r[column["Phải đạt"]] or 0 for r in own) == sum(s.target.required or 0 for s in phase.targets)
        ranked = [r for s in phase.targets for r in phase.rankings.get(s.target.pk, [])]
        assert sum(r[column["Đã đạt"]] for r in shares) == sum(s.outlook.done for s in ranked if s.outlook)
        assert sum(r[column["Phải đạt"]] for r in shares) == sum(s.target.value for s in ranked)
        for row in own:
            if row[column["Đã đạt"]] is not None:
                assert row[column["Tỷ lệ"]] == pytest.approx(row[column["Đã đạt"]] / row[column["Phải đạt"]])
    first = list(book.worksheets[0].iter_rows(min_row=5, values_only=True))
    assert first[0][1:10] == ("Tỉnh Kiên Giang", "91", "Kế hoạch", "Tài khoản tổ chức đã cấp", "Doanh nghiệp",
                              9387, 2816, 600, pytest.approx(600 / 2816))  # fmt: skip
    # Police units are counted on their own (decision 0043): a number, where "no data" used to stand.
    (police,) = [r for r in first if r[5] == "Đơn vị công an"]
    assert police[6:10] == (None, 100, 70, pytest.approx(0.7))


def test_a_hostile_unit_name_is_neutralized_in_the_annex(plan: Plan, manager: User) -> None:
    hostile = '=HYPERLINK("http://example.invalid/x","Phú Quốc")'
    AdministrativeUnit.objects.filter(scheme=Scheme.LEGACY, level=Level.DISTRICT, code="911").update(name=hostile)
    made = services.document(actor=manager, slug=plan.slug, raw=fields(format="xlsx"))
    sheet = load_workbook(io.BytesIO(made.data)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells
    assert all(c.value == "'" + hostile and c.data_type == "s" for c in cells)
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


# --- the page -----------------------------------------------------------------------------------------------


def test_the_page_offers_the_plan_s_defaults_and_downloads_by_get_and_post(
    plan: Plan, manager: User, client: Client
) -> None:
    signed_in(client, manager)
    page = client.get(f"/campaigns/{plan.slug}/documents/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="UBND tỉnh Kiên Giang"' in html  # the issuing body: the plan's
    assert 'value="Kiên Giang"' in html  # the place: the scope unit's short name
    assert 'value="BC-UBND"' in html
    assert "Giai đoạn 2 (01/02/2025 – 30/06/2025)" in html
    got = client.get(f"/campaigns/{plan.slug}/documents/download/", fields())
    assert got.status_code == 200
    assert got["Content-Disposition"] == (
        'attachment; filename="bao-cao-so-ket-gd1-374-kh-ubnd.docx"; '
        "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20s%C6%A1%20k%E1%BA%BFt%20giai%20%C4%91o%E1%BA%A1n%201%20-%20374-KH-UBND.docx"
    )
    assert got["X-Content-Type-Options"] == "nosniff"
    assert Document(io.BytesIO(got.content)).tables[0].rows[1].cells[0].text == "Số: 12/BC-CAT"
    posted = client.post(f"/campaigns/{plan.slug}/documents/download/", fields(format="xlsx"))
    assert posted.status_code == 200
    assert posted["Content-Type"].endswith("spreadsheetml.sheet")
    assert 'filename="phu-luc-bao-cao-so-ket-gd1-374-kh-ubnd.xlsx"' in posted["Content-Disposition"]
    assert AuditEvent.objects.filter(action=GENERATED).count() == 2


BAD = [
    ({"signer_name": "A" * 81}, "signer_name", "dài quá 80 ký tự"),
    ({"issuing_body": "Công an\x07 tỉnh"}, "issuing_body", "ký tự điều khiển"),
    ({"place": "Kiên\u202eGiang"}, "place", "ký tự điều khiển"),
    ({"recipients": "Bộ Công an\x1cSở Tư pháp"}, "recipients", "ký tự điều khiển"),
    ({"recipients": "\n".join(f"Nơi {i}" for i in range(21))}, "recipients", "nhiều nhất 20"),
    ({"recipients": "X" * 201}, "recipients", "dài quá 200"),
    ({"symbol": "CAT"}, "symbol", "bắt đầu bằng BC-"),
    ({"number": "12a"}, "number", "chỉ gồm chữ số"),
    ({"dated": "05/12/2026"}, "dated", "năm-tháng-ngày"),
    ({"as_of": "2025-02-30"}, "as_of", "năm-tháng-ngày"),
    ({"format": "exe"}, "format", "docx, pdf, xlsx"),
    ({"kind": "weekly"}, "kind", "phase, final"),
    ({"signer_name": "   "}, "signer_name", "không được để trống"),
    ({"phase": "9"}, "phase", "không có giai đoạn 9"),
    ({"phase": ""}, "phase", "không được để trống"),
    ({"phase": "١"}, "phase", "hãy chọn"),
]


@pytest.mark.parametrize("case", BAD)
def test_bad_fields_are_refused_alike_by_the_service_and_the_page(
    plan: Plan, manager: User, client: Client, case: tuple[dict[str, str], str, str]
) -> None:
    changes, field, words = case
    with pytest.raises(DomainError) as refused:
        services.document(actor=manager, slug=plan.slug, raw=fields(**changes))
    (error,) = refused.value.each()
    assert (error.field, error.status) == (field, 400)
    assert words in error.message("vi")
    signed_in(client, manager)
    page = client.get(f"/campaigns/{plan.slug}/documents/download/", fields(**changes))
    assert page.status_code == 400
    html = page.content.decode()
    assert 'role="alert"' in html
    assert error.message("vi").split(":")[-1].strip()[:20] in html
    assert not AuditEvent.objects.filter(action=GENERATED).exists()


def test_every_bad_field_is_named_at_once(plan: Plan, manager: User) -> None:
    with pytest.raises(DomainError) as refused:
        services.document(actor=manager, slug=plan.slug, raw=fields(signer_name="", symbol="X", number="x"))
    assert {e.field for e in refused.value.each()} == {"signer_name", "symbol", "number"}


def test_someone_without_access_is_refused_alike_before_any_field_is_read(plan: Plan, client: Client) -> None:
    elsewhere = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), "Cán bộ Hà Nội")
    with pytest.raises(DomainError) as refused:
        services.document(actor=elsewhere, slug=plan.slug, raw=fields(signer_name="A" * 500))
    assert refused.value.status == 403
    assert AuditEvent.objects.filter(action="access.denied").exists()
    signed_in(client, elsewhere)
    assert client.get(f"/campaigns/{plan.slug}/documents/").status_code == 403
    assert (
        client.get(f"/campaigns/{plan.slug}/documents/download/", fields(signer_name="A" * 500)).status_code == 403
    )
    assert client.get("/campaigns/no-such-plan/documents/").status_code == 404
    with pytest.raises(DomainError) as missing:
        services.document(actor=elsewhere, slug="no-such-plan", raw=fields())
    assert missing.value.status == 404
    assert not AuditEvent.objects.filter(action=GENERATED).exists()


def test_without_libreoffice_the_pdf_is_a_clear_refusal(
    plan: Plan, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DomainError) as refused:
        services.document(actor=manager, slug=plan.slug, raw=fields(format="pdf"))
    assert (refused.value.code, refused.value.status) == ("campaigns.document.office_missing", 503)
    assert not AuditEvent.objects.filter(action=GENERATED).exists()
