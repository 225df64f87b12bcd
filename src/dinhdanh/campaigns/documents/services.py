"""Generating a plan's official documents (issue 14.7): the phase report and the final report as DOCX or
PDF, and their XLSX annex.

Access is the dashboard's: ``VIEW_PLAN`` over the plan's scope (``plan_services.require_over``, which
audits a refusal), checked here so that the page, a script and the tests get the same answer. A
refusal comes before the fields are read, so someone without access learns nothing from them. Each
document made is audited (``campaign.document_generated``) with what it says it is — kind, phase, day,
number and symbol, signer — and the SHA-256 of its bytes, so a printed report can be matched to its
generation. Documents are Vietnamese whatever the page's language: they are a Vietnamese authority's.

The renderers (``docx_report`` with python-docx, ``annex`` with openpyxl) are imported when a document is
made, not with this module, which the URL configuration imports: a process that never makes one does not
hold those libraries (about 20 MB; decision 0049).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone, translation

from dinhdanh.campaigns import dashboard
from dinhdanh.campaigns.documents import content as report_content
from dinhdanh.campaigns.documents.audit_actions import DocumentAction
from dinhdanh.campaigns.documents.errors import DocumentError
from dinhdanh.campaigns.documents.header import LABELS, Format, Kind, Request, parse_request
from dinhdanh.campaigns.documents.pdf import to_pdf
from dinhdanh.campaigns.models import Plan
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.campaigns.plan_services import require_over
from dinhdanh.core import audit
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.text import fold

if TYPE_CHECKING:
    from dinhdanh.people.models import User

__all__ = ["CONTENT_TYPES", "Generated", "document", "generate", "plan_for_documents"]

CONTENT_TYPES = {
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.PDF: "application/pdf",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_UNSAFE_NAME = re.compile(r"[^\w .()-]+")


@dataclass(frozen=True)
class Generated:
    filename: str  # what the person reads (UTF-8): "Báo cáo sơ kết giai đoạn 1 - 374-KH-UBND.docx"
    ascii_filename: str  # for clients without RFC 6266 filename*: "bao-cao-so-ket-gd1-374-kh-ubnd.docx"
    content_type: str
    data: bytes
    as_of: date


def plan_for_documents(*, actor: User, slug: str) -> Plan:
    """The plan of ``slug`` if ``actor`` may read it (``VIEW_PLAN`` over its scope); refused otherwise."""
    plan = Plan.objects.select_related("scope_unit").filter(slug=slug).first()
    if plan is None:
        raise DomainError(CoreError.NOT_FOUND)
    require_over(actor, CampaignPermission.VIEW_PLAN, plan.scope_unit)
    return plan


def _phases(plan: Plan, request: Request) -> tuple[list[int] | None, date]:
    """The phases reported (None: all, the final report) and the last day they cover."""
    spans = {n: (s, e) for n, s, e in plan.phases.order_by("number").values_list("number", "starts_on", "ends_on")}
    if not spans:
        raise DomainError(DocumentError.NO_PHASES, reference=plan.reference)
    if request.kind == Kind.FINAL:
        return None, max(end for _start, end in spans.values())
    if request.phase is None:
        raise DomainError(DocumentError.EMPTY, field="phase", label=LABELS["phase"])
    if request.phase not in spans:
        known = ", ".join(str(n) for n in spans)
        raise DomainError(
            DocumentError.UNKNOWN_PHASE, field="phase", reference=plan.reference, phase=request.phase, phases=known
        )
    return [request.phase], spans[request.phase][1]


def _names(plan: Plan, request: Request) -> tuple[str, str]:
    reference = plan.reference.replace("/", "-")
    if request.kind == Kind.FINAL:
        words, short = "Báo cáo tổng kết", "bao-cao-tong-ket"
    else:
        words, short = f"Báo cáo sơ kết giai đoạn {request.phase}", f"bao-cao-so-ket-gd{request.phase}"
    extension = "xlsx" if request.format == Format.XLSX else request.format.value
    if request.format == Format.XLSX:
        words, short = f"Phụ lục - {words}", f"phu-luc-{short}"
    readable = _UNSAFE_NAME.sub("", f"{words} - {reference}").strip()[:150]
    plain = "-".join(fold(f"{short} {reference}").split())[:150] or "bao-cao"
    return f"{readable}.{extension}", f"{plain}.{extension}"


def generate(*, actor: User, plan: Plan, request: Request) -> Generated:
    """Make the document ``request`` asks for (fields already checked: ``header.parse_request``)."""
    require_over(actor, CampaignPermission.VIEW_PLAN, plan.scope_unit)
    phases, last_day = _phases(plan, request)
    as_of = request.as_of or min(timezone.localdate(), last_day)
    with translation.override("vi"):
        board = dashboard.plan_board(actor=actor, slug=plan.slug, as_of=as_of)
        built = report_content.build(board, phases=phases)
        if request.format == Format.XLSX:
            from dinhdanh.campaigns.documents.annex import render_annex  # noqa: PLC0415  (lazy: see the module's note)

            data = render_annex(built, request.header)
        else:
            from dinhdanh.campaigns.documents.docx_report import render_docx  # noqa: PLC0415  (as above)

            data = render_docx(built, request.header)
            if request.format == Format.PDF:
                data = to_pdf(data)
    readable, plain = _names(plan, request)
    header = request.header
    with transaction.atomic():
        audit.record(
            DocumentAction.DOCUMENT_GENERATED,
            actor=actor,
            obj=plan,
            unit=plan.scope_unit,
            after={
                "kind": request.kind.value,
                "phase": request.phase if request.kind == Kind.PHASE else None,
                "format": request.format.value,
                "as_of": as_of,
                "dated": header.dated,
                "number": header.number,
                "symbol": header.symbol,
                "issuing_body": header.issuing_body,
                "signer": header.signer_name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            },
        )
    return Generated(readable, plain, CONTENT_TYPES[request.format], data, as_of)


def document(*, actor: User, slug: str, raw: Mapping[str, str]) -> Generated:
    """From a form or query string: the plan (refused without access, before any field is read), the
    fields (every refusal at once), then the document."""
    plan = plan_for_documents(actor=actor, slug=slug)
    return generate(actor=actor, plan=plan, request=parse_request(raw))
