"""One file into a request: size-limited read, inspection, sealing and the document row, shared by the
applicant's uploads and the verification answers (below both, so neither imports the other)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from dinhdanh.applications import documents
from dinhdanh.applications.audit_actions import ApplicationAction
from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.models import Application, Document, DocumentKind, VerificationRequest
from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError
from dinhdanh.core.sealed import delete_file

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["read_upload", "store_document"]


def read_upload(upload: UploadedFile[bytes], name: str) -> bytes:
    limit = int(settings.DOCUMENT_MAX_BYTES)
    if upload.size is not None and upload.size > limit:
        raise DomainError(
            ApplicationError.DOCUMENT_TOO_LARGE, field="file", name=name[:80], limit_mb=max(1, limit >> 20)
        )
    upload.seek(0)
    return bytes(upload.read(limit + 1))


def store_document(
    *,
    actor: User,
    application: Application,
    kind: DocumentKind,
    upload: UploadedFile[bytes],
    verification: VerificationRequest | None = None,
) -> Document:
    """Inspect, seal and record one file; call inside the transaction that holds the request's lock.
    The sealed file is removed again if anything after it fails."""
    name = str(upload.name or "")
    inspected = documents.inspect(read_upload(upload, name), name)
    if application.documents.count() >= int(settings.DOCUMENT_MAX_PER_APPLICATION):
        raise DomainError(
            ApplicationError.DOCUMENT_LIMIT, field="file", limit=int(settings.DOCUMENT_MAX_PER_APPLICATION)
        )
    upload.seek(0)
    ref = documents.store(bytes(upload.read(inspected.size + 1)))
    try:
        document = Document.objects.create(
            application=application,
            verification=verification,
            kind=kind,
            file_ref=ref,
            file_name=inspected.file_name,
            content_type=inspected.content_type,
            size=inspected.size,
            sha256=inspected.sha256,
            uploaded_by=actor,
        )
        audit.record(
            ApplicationAction.APP_DOCUMENT_ADDED,
            actor=actor,
            obj=document,
            after={
                "number": application.number,
                "kind": str(kind),
                "content_type": inspected.content_type,
                "size": inspected.size,
                "sha256": inspected.sha256,
                "verification": verification.pk if verification is not None else None,
            },
        )
    except BaseException:
        delete_file(ref)
        raise
    return document
