"""The reports as PDF through LibreOffice (issue 14.7): the conversion succeeding is the proof that
LibreOffice opens the DOCX; page 1 rendered to PNG by poppler is checked as a person would look at it
(A4, not blank, the issuing-body and motto blocks inked), the signature block is on the last page at
the right, and the text layer holds the national motto and the plan's reference.

Skipped without LibreOffice and poppler, unless ``DINHDANH_REQUIRE_OFFICE=1`` (CI), which makes their
absence a failure."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from dinhdanh.campaigns.documents import pdf, services
from dinhdanh.campaigns.documents.docx_report import NATION
from dinhdanh.campaigns.models import Plan
from dinhdanh.core.errors import DomainError
from dinhdanh.people.models import User
from tests.campaigns import test_documents as shared
from tests.campaigns.test_documents import fields

pytestmark = pytest.mark.django_db
TOOLS = ("pdftoppm", "pdftotext", "pdfinfo", "pdffonts")
REQUIRED = os.environ.get("DINHDANH_REQUIRE_OFFICE") == "1"
plan, manager = shared.plan, shared.manager  # the same plan and person as the DOCX tests
KEEP = os.environ.get("DINHDANH_KEEP_PNG")  # a folder to keep the pictures in, to look at them


@pytest.fixture(autouse=True)
def office() -> None:
    missing = [name for name in TOOLS if shutil.which(name) is None]
    if pdf.office() is None:
        missing.append("soffice")
    if missing:
        message = f"LibreOffice/poppler missing: {', '.join(missing)}"
        if REQUIRED:
            pytest.fail(message + " (DINHDANH_REQUIRE_OFFICE=1)")
        pytest.skip(message)


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, timeout=60, text=True).stdout  # noqa: S603


def _pages(path: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(path)), re.MULTILINE)
    assert match is not None
    return int(match.group(1))


def _png(path: Path, page: int, out: Path) -> Image.Image:
    _run("pdftoppm", "-r", "60", "-f", str(page), "-l", str(page), "-png", "-singlefile", str(path), str(out))
    if KEEP:
        shutil.copy(out.with_suffix(".png"), Path(KEEP) / out.with_suffix(".png").name)
        shutil.copy(path, Path(KEEP) / path.name)
    return Image.open(out.with_suffix(".png")).convert("L")


def _ink(image: Image.Image, box: tuple[float, float, float, float]) -> float:
    """The share of dark pixels in ``box`` (fractions of the width and height)."""
    w, h = image.size
    region = image.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    histogram = region.histogram()
    dark = sum(histogram[:128])
    return dark / max(sum(histogram), 1)


def _words(path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) as fractions of the page, from pdftotext's bounding boxes."""
    html = _run("pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(path), "-")
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    assert size is not None
    w, h = float(size.group(1)), float(size.group(2))
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html
    )
    return [(t, float(a) / w, float(b) / h, float(c) / w, float(d) / h) for a, b, c, d, t in found]


def test_the_phase_report_as_pdf_looks_like_an_official_document(
    plan: Plan, manager: User, tmp_path: Path
) -> None:
    made = services.document(actor=manager, slug=plan.slug, raw=fields(format="pdf"))
    assert made.content_type == "application/pdf"
    assert made.data.startswith(b"%PDF-")
    assert made.ascii_filename == "bao-cao-so-ket-gd1-374-kh-ubnd.pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(made.data)

    text = " ".join(_run("pdftotext", "-layout", str(path), "-").split())
    assert NATION in text
    assert "374/KH-UBND" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 12/BC-CAT" in text
    assert "Kiên Giang, ngày 05 tháng 12 năm 2026" in text

    first = _png(path, 1, tmp_path / "page-1")
    width, height = first.size
    assert abs(height / width - 297 / 210) < 0.01  # A4 portrait
    assert _ink(first, (0, 0, 1, 1)) > 0.005  # not blank
    # The issuing body's block top left, the motto's top right, nothing in the left margin (30 mm).
    assert _ink(first, (0.14, 0.06, 0.48, 0.12)) > 0.01
    assert _ink(first, (0.52, 0.06, 0.92, 0.12)) > 0.01
    assert _ink(first, (0.0, 0.0, 0.12, 1.0)) == 0
    words = _words(path, 1)
    nation = [w for w in words if w[0] == "CỘNG"]
    issuer = [w for w in words if w[0] == "CÔNG"]
    nam = [w for w in words if w[0] == "NAM"]
    assert nation
    assert issuer
    assert nam
    assert issuer[0][3] < nation[0][1]  # side by side: the issuing body left, the motto right
    assert issuer[0][3] < 0.5 < (nation[0][1] + nam[0][3]) / 2
    assert max(issuer[0][2], nation[0][2]) < 0.12  # at the top
    # Vietnamese letters in the one serif font (Liberation Serif stands in for Times New Roman): no
    # fallback to another font for letters like Ộ or Ỉ that an old Liberation lacks.
    fonts = _run("pdffonts", str(path)).splitlines()[2:]
    assert fonts
    assert all("LiberationSerif" in line or "TimesNewRoman" in line for line in fonts), fonts

    last_page = _pages(path)
    last = _png(path, last_page, tmp_path / "page-last")
    words = _words(path, last_page)
    name = [w for w in words if w[0] == "Minh"]
    received = [w for w in words if w[0] == "Nơi"]
    assert name, "the signer's name is on the last page"
    assert name[-1][1] > 0.5, "at the right"
    assert received, "'Nơi nhận:' is on the last page"
    assert received[-1][3] < 0.5, "at the left"
    _, x0, y0, x1, y1 = name[-1]
    assert _ink(last, (x0, y0, x1, y1)) > 0.05
    assert _ink(last, (0.52, received[-1][2], 0.95, y0 - 0.01)) > 0.002  # the authority and title above


def test_the_final_report_and_parallel_conversions(plan: Plan, manager: User) -> None:
    raw = fields(kind="final", phase="", format="pdf", as_of="2025-06-30")
    made = services.document(actor=manager, slug=plan.slug, raw=raw)
    assert made.data.startswith(b"%PDF-")
    docx = services.document(actor=manager, slug=plan.slug, raw=fields(kind="final", phase="")).data
    # Each conversion has its own profile: two at once do not collide.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(pdf.to_pdf, [docx, docx]))
    assert all(r.startswith(b"%PDF-") for r in results)


def test_a_conversion_that_takes_too_long_is_a_clear_refusal(plan: Plan, manager: User) -> None:
    docx = services.document(actor=manager, slug=plan.slug, raw=fields()).data
    with pytest.raises(DomainError) as refused:
        pdf.to_pdf(docx, timeout=0.01)
    assert (refused.value.code, refused.value.status) == ("campaigns.document.conversion_timeout", 504)
    with pytest.raises(DomainError) as broken:
        pdf.to_pdf(b"PK\x03\x04 not a zip archive")
    assert broken.value.code == "campaigns.document.conversion_failed"
