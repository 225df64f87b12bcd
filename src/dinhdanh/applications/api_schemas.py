"""What the requests API reads and answers. Personal ID numbers come in (the representative's, the
person at the counter) but never go out: answers carry masked numbers only, never digests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field, StrictBool

from dinhdanh.applications import reads
from dinhdanh.applications.models import (
    Application,
    Consent,
    Document,
    Status,
    VerificationRequest,
)
from dinhdanh.applications.services.duties import valid_sign_offs

RawData = dict[str, str | list[str]]


class StartIn(Schema):
    kind: str = Field(max_length=32)
    channel: str = Field(default="online", max_length=16)
    capacity: str = Field(max_length=16)
    category: str = Field(max_length=20)
    data: RawData = Field(default_factory=dict)
    organization_eid: str = Field(default="", max_length=16)
    # In person: the person at the counter (must hold a level-2 account). Never echoed back.
    applicant_personal_id: str = Field(default="", max_length=20)
    id_card_checked: bool = False  # in person: the officer checked the ID card (TK02)


class DraftIn(Schema):
    data: RawData


class ConsentIn(Schema):
    given: bool
    reason: str = Field(default="", max_length=2000)  # read by the applicant when ``given`` is false


class ReasonIn(Schema):
    reason: str = Field(default="", max_length=2000)


class NoteIn(Schema):
    note: str = Field(default="", max_length=2000)


class ApproveIn(Schema):
    note: str = Field(default="", max_length=2000)
    # Needed, with a note, when an automatic check failed (the service says which ones).
    acknowledge_failed_checks: StrictBool = False


class SupplementIn(Schema):
    note: str = Field(default="", max_length=2000)
    data: RawData | None = None


class AssignIn(Schema):
    officer_id: int


class VerificationIn(Schema):
    question: str = Field(max_length=4000)
    partner_source: str = Field(default="", max_length=20)
    unit_code: str = Field(default="", max_length=8)  # a current commune or province code


class CheckOut(Schema):
    kind: str
    outcome: str
    submitted_value: str
    registry_value: str
    registry_source: str
    score: float | None
    detail: str
    checked_at: datetime


class HistoryOut(Schema):
    from_status: str
    to_status: str
    at: datetime
    actor: str
    reason: str


class DocumentOut(Schema):
    id: int
    kind: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    verification_id: int | None


class VerificationOut(Schema):
    id: int
    application_number: str
    partner_source: str
    unit_code: str
    question: str
    status: str
    asked_at: datetime
    due_at: datetime
    answer: str
    answered_at: datetime | None


class ConsentOut(Schema):
    application_id: int
    application_number: str
    organization: str
    person_name: str
    person_masked: str
    status: str


class ApplicationOut(Schema):
    id: int
    number: str
    kind: str
    channel: str
    status: str
    status_label: str
    capacity: str
    category: str
    name: str
    code: str
    head_office_code: str
    head_office_name: str
    unit_path: str
    in_registry: bool
    organization_eid: str
    assigned_to_id: int | None
    created_at: datetime
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    decided_at: datetime | None
    decision_reason: str


class FirstApprovalOut(Schema):
    """Four-eyes: the officer who approved first; the request waits for a different second officer."""

    officer_id: int
    officer: str
    at: datetime
    reasons: list[str]


class ApplicationDetailOut(ApplicationOut):
    first_approval: FirstApprovalOut | None = None
    data: dict[str, Any]
    history: list[HistoryOut]
    documents: list[DocumentOut]
    consents: list[ConsentOut]
    verifications: list[VerificationOut]
    checks: list[CheckOut]


def _shown_data(data: dict[str, Any]) -> dict[str, Any]:
    """The payload without lookup digests (they identify a person across tables)."""

    def person(p: Any) -> Any:
        return {k: v for k, v in p.items() if k != "digest"} if isinstance(p, dict) else p

    shown = dict(data)
    if "representative" in shown:
        shown["representative"] = person(shown["representative"])
    if "co_representatives" in shown:
        shown["co_representatives"] = [person(p) for p in shown["co_representatives"]]
    return shown


def application_out(app: Application) -> ApplicationOut:
    return ApplicationOut(**_summary(app))


def _summary(app: Application) -> dict[str, Any]:
    return {
        "id": app.pk,
        "number": app.number,
        "kind": app.kind,
        "channel": app.channel,
        "status": str(app.status),
        "status_label": str(Status(app.status).label),
        "capacity": app.capacity,
        "category": app.category,
        "name": app.name,
        "code": app.code,
        "head_office_code": app.head_office.code,
        "head_office_name": app.head_office.name,
        "unit_path": app.unit_path,
        "in_registry": app.in_registry,
        "organization_eid": app.organization.eid if app.organization is not None else "",
        "assigned_to_id": app.assigned_to_id,
        "created_at": app.created_at,
        "submitted_at": app.submitted_at,
        "received_at": app.received_at,
        "due_at": app.due_at,
        "decided_at": app.decided_at,
        "decision_reason": app.decision_reason,
    }


def verification_out(v: VerificationRequest) -> VerificationOut:
    return VerificationOut(
        id=v.pk,
        application_number=v.application.number,
        partner_source=v.partner_source,
        unit_code=v.unit.code if v.unit is not None else "",
        question=v.question,
        status=v.status,
        asked_at=v.asked_at,
        due_at=v.due_at,
        answer=v.answer,
        answered_at=v.answered_at,
    )


def consent_out(c: Consent) -> ConsentOut:
    return ConsentOut(
        application_id=c.application_id,
        application_number=c.application.number,
        organization=c.application.name,
        person_name=c.person_name,
        person_masked=c.person_masked,
        status=c.status,
    )


def document_out(d: Document) -> DocumentOut:
    return DocumentOut(
        id=d.pk,
        kind=d.kind,
        file_name=d.file_name,
        content_type=d.content_type,
        size=d.size,
        sha256=d.sha256,
        uploaded_at=d.uploaded_at,
        verification_id=d.verification_id,
    )


def detail_out(app: Application, *, with_checks: bool, just_created: bool = False) -> ApplicationDetailOut:
    """The request as the API shows it. ``just_created``: the draft ``application_start`` has just made,
    which has no history, documents, consents, verifications or checks yet (nothing to read)."""
    if just_created:
        return ApplicationDetailOut(
            **_summary(app),
            first_approval=None,
            data=_shown_data(app.data if isinstance(app.data, dict) else {}),
            history=[],
            documents=[],
            consents=[],
            verifications=[],
            checks=[],
        )
    history = reads.history_of(app)
    # ``app.checks.all()``: the checks a service prefetched (``application_approve``), else one read.
    checks = list(app.checks.all()) if with_checks else []
    firsts = valid_sign_offs(app) if with_checks and app.status == Status.CHECKING else []
    has_documents, has_consents, has_verifications = reads.attachments_present(app)
    documents = list(app.documents.all()) if has_documents else []
    consents = list(app.consents.order_by("pk")) if has_consents else []
    for consent in consents:
        consent.application = app  # what ``consent_out`` reads of it: this very request
    verifications = list(app.verifications.select_related("unit")) if has_verifications else []
    for verification in verifications:
        verification.application = app
    return ApplicationDetailOut(
        **_summary(app),
        first_approval=FirstApprovalOut(
            officer_id=firsts[0].officer_id,
            officer=firsts[0].officer.full_name,
            at=firsts[0].at,
            reasons=[str(r) for r in firsts[0].reasons],
        )
        if firsts
        else None,
        data=_shown_data(app.data if isinstance(app.data, dict) else {}),
        history=[
            HistoryOut(
                from_status=h.from_status,
                to_status=h.to_status,
                at=h.at,
                actor=h.actor.full_name if h.actor is not None else "",
                reason=h.reason,
            )
            for h in history
        ],
        # Partners' answer files are shown to officers only (``selectors.document_for`` enforces it).
        documents=[document_out(d) for d in documents if with_checks or d.verification_id is None],
        consents=[consent_out(c) for c in consents],
        verifications=[verification_out(v) for v in verifications],
        checks=[CheckOut.model_validate(c, from_attributes=True) for c in checks],
    )
