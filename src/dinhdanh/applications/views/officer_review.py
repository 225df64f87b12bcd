"""What the request page shows beside the raw rows: the submitted data as labelled facts, the
actions the state allows, the officers a request may be reassigned to, the units a question may go to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from dinhdanh.applications import selectors
from dinhdanh.applications.models import Application, Document, Status, VerificationRequest
from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.core.access import roles_with
from dinhdanh.geo import selectors as geo
from dinhdanh.organizations.categories import Category
from dinhdanh.registries.sources import Source

# Which actions each state allows; the services refuse anything else anyway (illegal transition).
ACTIONS_BY_STATUS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({"reject", "supplement", "recheck", "assign"}),
    Status.CHECKING: frozenset({"approve", "reject", "supplement", "verify", "recheck", "assign"}),
    Status.AWAITING_VERIFICATION: frozenset({"reject", "verify", "recheck", "assign"}),
    Status.NEEDS_SUPPLEMENT: frozenset({"reject", "assign"}),
}

_LABELS: dict[str, Any] = {
    "name": _("Tên tiếng Việt"),
    "short_name": _("Tên viết tắt"),
    "foreign_name": _("Tên tiếng nước ngoài"),
    "code": _("Mã số thuế / mã số đăng ký"),
    "established_on": _("Ngày thành lập"),
    "founding_document_number": _("Số văn bản thành lập"),
    "founding_document_date": _("Ngày ban hành văn bản"),
    "founding_document_issuer": _("Cơ quan ban hành"),
    "street": _("Số nhà, đường, thôn/tổ"),
    "phone": _("Số điện thoại"),
    "email": _("Thư điện tử"),
    "reason": _("Lý do"),
    "authority": _("Cơ quan yêu cầu"),
    "document_reference": _("Số văn bản"),
}
# What a partner clerk may see to answer a question about the organization: no contact data, no
# personal ID numbers, nothing about the applicant.
PARTNER_KEYS = (
    "name", "short_name", "foreign_name", "code", "established_on", "founding_document_number",
    "founding_document_date", "founding_document_issuer", "street",
)  # fmt: skip


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


def _person(value: object) -> str:
    if not isinstance(value, dict):
        return ""
    parts = [str(value.get("name", "")), str(value.get("masked", ""))]
    text = " — ".join(p for p in parts if p)
    position = str(value.get("position", ""))
    return f"{text} ({position})" if position else text


def organization_facts(app: Application, keys: tuple[str, ...] | None = None) -> list[Fact]:
    """The submitted organization data, labelled, in the order of Decree 69 Art. 6."""
    data: dict[str, Any] = dict(app.data or {})
    facts = [Fact(str(_("Loại tổ chức")), str(Category(app.category).label) if app.category in Category else "")]
    for key, label in _LABELS.items():
        if keys is not None and key not in keys:
            continue
        value = data.get(key)
        if value not in (None, ""):
            facts.append(Fact(str(label), str(value)))
    facts.append(Fact(str(_("Xã/phường nơi đặt trụ sở")), app.head_office.name))
    return facts


def application_facts(app: Application) -> dict[str, list[Fact]]:
    data: dict[str, Any] = dict(app.data or {})
    people = []
    if data.get("representative"):
        people.append(Fact(str(_("Người đại diện theo pháp luật")), _person(data["representative"])))
    people += [Fact(str(_("Người đại diện khác")), _person(o)) for o in data.get("co_representatives") or []]
    applicant = app.applicant
    people += [
        Fact(str(_("Người nộp hồ sơ")), f"{applicant.full_name} — {applicant.personal_id_masked}"),
        Fact(str(_("Tư cách người nộp")), app.get_capacity_display()),
        Fact(str(_("Kênh nộp")), app.get_channel_display()),
    ]
    if app.intake_officer_id:
        people.append(Fact(str(_("Cán bộ tiếp nhận")), app.intake_officer.full_name if app.intake_officer else ""))
    return {"organization": organization_facts(app), "people": people}


def verification_target(verification: VerificationRequest) -> str:
    if verification.partner_source in Source:
        return str(Source(verification.partner_source).label)
    return verification.unit.name if verification.unit else ""


def available_actions(app: Application) -> frozenset[str]:
    return ACTIONS_BY_STATUS.get(app.status, frozenset())


def document_rows(app: Application) -> list[Document]:
    return list(app.documents.select_related("uploaded_by", "verification"))


def unit_officers(app: Application, *, exclude: int | None = None) -> list[tuple[int, str]]:
    """Reviewing officers whose unit covers the request's unit: whom it may be reassigned to."""
    officers = selectors.reviewers_covering(
        app.unit_path, roles_with(ApplicationPermission.REVIEW_APPLICATION), exclude=exclude
    )
    return [(u.pk, f"{u.full_name} ({u.personal_id_masked})") for u in officers]


def lower_units(app: Application) -> list[tuple[int, str]]:
    """Units directly under the routed unit: a lower police unit may be asked to verify."""
    if not app.unit_path:
        return []
    return [(u.pk, u.name) for u in geo.current_children(app.unit)]
