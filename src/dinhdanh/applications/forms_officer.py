"""Forms of the back-office pages (officers, intake desk, partner clerks).

Forms only shape input; every rule (who may, which state, what a valid code is) lives in the services,
which raise ``DomainError``; a view puts that message on the field it names (``people.forms.attach``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from dinhdanh.applications.models import Capacity, Status
from dinhdanh.organizations.categories import Category
from dinhdanh.registries.sources import Source

TEXT_LIMIT = 2000
ACCEPT = "application/pdf,image/jpeg,image/png"
PID_ATTRS = {"inputmode": "numeric", "maxlength": 20, "spellcheck": "false", "autocomplete": "off"}

QUEUE_STATUS_CHOICES = [
    ("", _("Tất cả trạng thái đang xử lý")),
    (Status.SUBMITTED.value, Status.SUBMITTED.label),
    (Status.CHECKING.value, Status.CHECKING.label),
    (Status.AWAITING_VERIFICATION.value, Status.AWAITING_VERIFICATION.label),
    (Status.NEEDS_SUPPLEMENT.value, Status.NEEDS_SUPPLEMENT.label),
]


def _reason(label: Any, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=TEXT_LIMIT,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("Hãy ghi lý do.")},
    )


def _lines(label: Any, *, numeric: bool = False) -> forms.CharField:
    attrs: dict[str, Any] = {"rows": 2, **(PID_ATTRS if numeric else {})}
    return forms.CharField(label=label, max_length=2000, required=False, widget=forms.Textarea(attrs=attrs))


QUEUE_SORT_CHOICES = [
    ("", _("Hạn xử lý, sắp đến hạn trước")),
    ("-due", _("Hạn xử lý, muộn nhất trước")),
    ("number", _("Số hồ sơ")),
    ("name", _("Tên tổ chức (A–Z)")),
]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Số hồ sơ, mã số hoặc tên tổ chức"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), choices=QUEUE_STATUS_CHOICES, required=False)
    overdue = forms.BooleanField(label=_("Chỉ hồ sơ quá hạn"), required=False)
    sort = forms.ChoiceField(label=_("Sắp xếp"), choices=QUEUE_SORT_CHOICES, required=False)
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)
    # Keyset cursors of the pager's links (http.keyset); a malformed one falls back to the page number.
    after = forms.CharField(max_length=600, required=False)
    before = forms.CharField(max_length=600, required=False)


# --- review actions ---------------------------------------------------------------------------------------


class ApproveForm(forms.Form):
    # Shown only when a check failed; the service decides whether it is needed (the API asks the same).
    acknowledge_failed_checks = forms.BooleanField(
        label=_("Tôi đã xem các kiểm tra không đạt và vẫn duyệt; lý do ở ô ghi chú."), required=False
    )
    note = _reason(_("Ghi chú"), required=False, rows=2)


def approve_form(failed_checks: bool) -> ApproveForm:
    """The approve form of the review page: the acknowledgement is asked only where a check failed."""
    form = ApproveForm(auto_id="approve_%s")
    if not failed_checks:
        del form.fields["acknowledge_failed_checks"]
    return form


class RejectForm(forms.Form):
    reason = _reason(_("Lý do từ chối (người nộp hồ sơ sẽ đọc được)"))


class SupplementForm(forms.Form):
    reason = _reason(_("Nội dung cần bổ sung (người nộp hồ sơ sẽ đọc được)"))


class CancelVerificationForm(forms.Form):
    reason = _reason(_("Lý do hủy yêu cầu xác minh"), rows=2)


class RecheckForm(forms.Form):
    """No field: the button alone; the form exists so every action goes through the same path."""


class VerificationForm(forms.Form):
    target = forms.ChoiceField(label=_("Gửi đến"), choices=())
    question = _reason(_("Nội dung cần xác minh"))

    def __init__(self, *args: Any, units: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partners = [(f"source:{s.value}", s.label) for s in Source if s not in (Source.SURVEY, Source.POLICE)]
        choices: list[tuple[str, Any]] = [("", _("— chọn cơ quan —")), *partners]
        choices += [(f"unit:{pk}", _("Công an %(unit)s") % {"unit": name}) for pk, name in units]
        self.fields["target"].choices = choices  # type: ignore[attr-defined]

    def target_kwargs(self) -> dict[str, Any]:
        """``partner_source`` or ``unit_id`` for ``verification_ask``, from the chosen option."""
        kind, _sep, value = str(self.cleaned_data["target"]).partition(":")
        if kind == "source":
            return {"partner_source": value}
        return {"unit_id": int(value)}


class AssignForm(forms.Form):
    officer = forms.TypedChoiceField(label=_("Cán bộ xử lý"), coerce=int, choices=())

    def __init__(self, *args: Any, officers: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", _("— chọn cán bộ —")), *officers]  # type: ignore[attr-defined]


# --- in-person intake (TK02) ------------------------------------------------------------------------------


class IntakeLookupForm(forms.Form):
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân trên thẻ căn cước của người nộp"),
        max_length=20,
        widget=forms.TextInput(attrs=PID_ATTRS),
    )


class IntakeForm(forms.Form):
    """Form TK02 as the officer types it in, with the scanned papers."""

    id_card_checked = forms.BooleanField(
        label=_("Tôi đã kiểm tra thẻ căn cước bản gốc của người nộp hồ sơ."),
        error_messages={"required": _("Hãy kiểm tra thẻ căn cước của người nộp trước khi tiếp nhận.")},
    )
    capacity = forms.ChoiceField(label=_("Tư cách người nộp"), choices=Capacity.choices)
    category = forms.ChoiceField(label=_("Loại tổ chức"), choices=Category.choices)
    name = forms.CharField(label=_("Tên tổ chức (tiếng Việt)"), max_length=400)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=200, required=False)
    foreign_name = forms.CharField(label=_("Tên tiếng nước ngoài"), max_length=400, required=False)
    code = forms.CharField(label=_("Mã số thuế / mã số đăng ký"), max_length=40, required=False)
    established_on = forms.CharField(
        label=_("Ngày thành lập"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    founding_document_number = forms.CharField(
        label=_("Số văn bản thành lập (khi không có mã số)"), max_length=100, required=False
    )
    founding_document_date = forms.CharField(
        label=_("Ngày ban hành văn bản"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    founding_document_issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=300, required=False)
    head_office = forms.ChoiceField(label=_("Xã/phường nơi đặt trụ sở"), choices=())
    street = forms.CharField(label=_("Số nhà, đường, thôn/tổ"), max_length=300, required=False)
    phone = forms.CharField(label=_("Số điện thoại liên hệ"), max_length=20, required=False)
    email = forms.CharField(label=_("Thư điện tử"), max_length=254, required=False)
    representative_id = forms.CharField(
        label=_("Số định danh cá nhân của người đại diện theo pháp luật"),
        max_length=20,
        widget=forms.TextInput(attrs=PID_ATTRS),
    )
    representative_name = forms.CharField(label=_("Họ và tên người đại diện"), max_length=200)
    representative_position = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    representative_is_foreigner = forms.BooleanField(
        label=_("Người đại diện là người nước ngoài (số định danh của người nước ngoài)"), required=False
    )
    co_representative_names = _lines(_("Họ và tên những người đại diện khác (mỗi dòng một người, nếu có)"))
    co_representative_ids = _lines(_("Số định danh của họ (cùng thứ tự, mỗi dòng một số)"), numeric=True)
    co_representative_positions = _lines(_("Chức vụ của họ (cùng thứ tự)"))
    id_card_scan = forms.FileField(
        label=_("Bản chụp thẻ căn cước của người nộp"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )
    request_form = forms.FileField(
        label=_("Tờ khai TK02 đã ký"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )
    authorization_letter = forms.FileField(
        label=_("Văn bản ủy quyền (khi người nộp không phải người đại diện)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    founding_document = forms.FileField(
        label=_("Văn bản thành lập (nếu có)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    ORGANIZATION_KEYS = (
        "name", "short_name", "foreign_name", "code", "established_on", "founding_document_number",
        "founding_document_date", "founding_document_issuer", "street", "phone", "email",
        "representative_id", "representative_name", "representative_position", "co_representative_names",
        "co_representative_ids", "co_representative_positions",
    )  # fmt: skip

    def __init__(self, *args: Any, communes: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["head_office"].choices = [("", _("— chọn xã/phường —")), *communes]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("capacity") == Capacity.AUTHORIZED and not data.get("authorization_letter"):
            self.add_error(
                "authorization_letter", _("Người được ủy quyền phải nộp văn bản ủy quyền của người đại diện.")
            )
        return data

    def organization_data(self) -> dict[str, object]:
        """The raw input ``application_start`` validates and normalizes (strings, as typed)."""
        data: dict[str, object] = {key: self.cleaned_data.get(key) or "" for key in self.ORGANIZATION_KEYS}
        data["head_office_id"] = self.cleaned_data["head_office"]
        data["representative_is_foreigner"] = "1" if self.cleaned_data.get("representative_is_foreigner") else ""
        return data

    def documents(self) -> list[tuple[str, UploadedFile[bytes]]]:
        kinds = ("id_card_scan", "request_form", "authorization_letter", "founding_document")
        return [(kind, self.cleaned_data[kind]) for kind in kinds if self.cleaned_data.get(kind)]


# --- partner clerks ---------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class AnswerForm(forms.Form):
    answer = _reason(_("Kết quả xác minh"), rows=5)
    attachments = MultipleFileField(label=_("Tài liệu kèm theo (PDF, JPEG, PNG)"), required=False)
