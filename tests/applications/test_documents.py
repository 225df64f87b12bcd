"""Documents: sniffed from their bytes, bounded, sealed, and checked against their hash on every read."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from dinhdanh.applications import services
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.models import Document, DocumentKind
from dinhdanh.applications.selectors import document_for
from dinhdanh.core.errors import DomainError
from dinhdanh.core.sealed import seal
from tests.applications.support import FAR_COMMUNE, PDF, commune, events, image, officer, person, start, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path: Path) -> object:
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


def add(data: bytes, name: str = "tai-lieu.pdf", kind: str = DocumentKind.OTHER) -> tuple[Document, object]:
    applicant, pid = person()
    app = start(applicant, pid)
    document = services.application_add_document(
        actor=applicant, application=app, kind=kind, upload=upload(name, data)
    )
    return document, applicant


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(PDF, "application/pdf"), (image("PNG"), "image/png"), (image("JPEG", (64, 64)), "image/jpeg")],
)
def test_pdf_jpeg_png_are_kept_sealed_with_their_hash(data: bytes, content_type: str, media: Path) -> None:
    document, applicant = add(data, "tệp.bin")  # the name says nothing
    assert document.content_type == content_type
    assert document.size == len(data)
    stored = (media / document.file_ref).read_bytes()
    assert data not in stored  # sealed at rest
    got, plain = document_for(applicant, document.pk)  # type: ignore[arg-type]
    assert plain == data
    assert got == document
    assert events(ApplicationAction.APP_DOCUMENT_VIEWED)[-1].after["outcome"] == "ok"  # type: ignore[index]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", "applications.document_empty"),
        (b"#!/bin/sh\nrm -rf /\n", "applications.document_type"),
        (b"GIF89a" + b"\x00" * 20, "applications.document_type"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "applications.document_damaged"),  # cut before %%EOF
        (image("PNG")[:60], "applications.document_damaged"),
        (image("JPEG", (64, 64))[:200], "applications.document_damaged"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "applications.document_damaged"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(data: bytes, error: str, media: Path) -> None:
    with pytest.raises(DomainError) as caught:
        add(data, "giay-phep.pdf")
    assert caught.value.code == error
    assert caught.value.field == "file"
    assert "giay-phep.pdf" in caught.value.message("vi")
    assert not Document.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_too_large_and_too_many() -> None:
    with override_settings(DOCUMENT_MAX_BYTES=len(PDF) - 1), pytest.raises(DomainError) as caught:
        add(PDF)
    assert caught.value.code == "applications.document_too_large"
    applicant, pid = person()
    app = start(applicant, pid)
    with override_settings(DOCUMENT_MAX_PER_APPLICATION=2):
        for _ in range(2):
            services.application_add_document(actor=applicant, application=app, kind="other", upload=upload())
        with pytest.raises(DomainError) as more:
            services.application_add_document(actor=applicant, application=app, kind="other", upload=upload())
    assert more.value.code == "applications.document_limit"
    assert Document.objects.filter(application=app).count() == 2


def test_a_tampered_file_is_refused_with_a_clear_error(media: Path) -> None:
    document, applicant = add(PDF)
    path = media / document.file_ref
    # Re-sealed under the right key with other content: the seal holds, the hash does not.
    path.write_bytes(seal(PDF.replace(b"1.4", b"1.7"), purpose="file:applications"))
    with pytest.raises(DomainError) as caught:
        document_for(applicant, document.pk)  # type: ignore[arg-type]
    assert caught.value.code == "applications.document_tampered"
    assert "tai-lieu.pdf" in caught.value.message("vi")
    # Bytes flipped on disk: the seal itself breaks.
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(DomainError) as again:
        document_for(applicant, document.pk)  # type: ignore[arg-type]
    assert again.value.code == "applications.document_tampered"
    assert events(ApplicationAction.APP_DOCUMENT_VIEWED)[-1].after["outcome"] == "tampered"  # type: ignore[index]


def test_who_may_read_a_document() -> None:
    document, _ = add(PDF)
    assert document_for(officer(), document.pk)[1] == PDF
    stranger, _ = person()
    for outsider in (stranger, officer(where=commune(FAR_COMMUNE))):
        with pytest.raises(DomainError) as caught:
            document_for(outsider, document.pk)
        assert caught.value.status == 403
    with pytest.raises(DomainError) as missing:
        document_for(stranger, 10**9)
    assert missing.value.status == 404


def test_documents_only_while_draft_or_asked_to_supplement() -> None:
    applicant, pid = person()
    app = services.application_submit(actor=applicant, application=start(applicant, pid))
    with pytest.raises(DomainError) as caught:
        services.application_add_document(actor=applicant, application=app, kind="other", upload=upload())
    assert caught.value.code == "applications.document_kind_not_allowed"
    with pytest.raises(DomainError):
        services.application_add_document(
            actor=applicant, application=app, kind="verification_answer", upload=upload()
        )
    assert settings.DOCUMENT_MAX_PER_APPLICATION >= 1
