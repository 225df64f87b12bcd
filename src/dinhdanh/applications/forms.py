"""Forms of the applicant's pages. They only shape input: every rule lives in
``applications.validation`` and the services, whose ``DomainError`` lands on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dinhdanh.applications.models import Capacity
from dinhdanh.core.errors import DomainError
from dinhdanh.organizations.categories import Category

PID_ATTRS: dict[str, Any] = {"autocomplete": "off", "inputmode": "numeric", "maxlength": 20, "spellcheck": "false"}
# The validator's TEXT_TOO_LONG in the form's own words (Django fills limit_value), so both read the same.
TOO_LONG = _("Nhập tối đa %(limit_value)s ký tự.")
CO_MAX = 10  # = representatives.MAX_CO_REPRESENTATIVES; rows are added on demand, none shown by default
ROW_ACTIONS = ("add_co", "remove_co")
DOCUMENT_ACCEPT = "application/pdf,image/jpeg,image/png"

# What each category means (SPEC §2, the Đắk Lắk guide), shown where the applicant chooses.
CATEGORY_HELP: dict[str, Any] = {
    Category.ENTERPRISE: _(
        "Công ty, doanh nghiệp tư nhân, chi nhánh, có mã số doanh nghiệp (cũng là mã số thuế: 10 chữ số, "
        "hoặc 13 chữ số đối với đơn vị phụ thuộc)."
    ),
    Category.COOPERATIVE: _(
        "Hợp tác xã, liên hiệp hợp tác xã, tổ hợp tác; có mã số thuế hoặc mã số đăng ký hợp tác xã."
    ),
    Category.TAX_AGENCY: _(
        "Cơ quan nhà nước, đơn vị sự nghiệp, hội, đoàn thể (ví dụ Hội Phụ nữ, Tỉnh đoàn) có mã số thuế "
        "nhưng không đăng ký kinh doanh."
    ),
    Category.OTHER: _(
        "Các tổ chức còn lại, không có đăng ký doanh nghiệp, hợp tác xã hay mã số thuế (ví dụ tổ chức "
        "tôn giáo, tổ chức ở thôn, tổ dân phố); ghi văn bản thành lập."
    ),
}

CODE_LABELS: dict[str, Any] = {
    Category.ENTERPRISE: _("Mã số doanh nghiệp / mã số thuế"),
    Category.COOPERATIVE: _("Mã số thuế hoặc mã số đăng ký hợp tác xã"),
    Category.TAX_AGENCY: _("Mã số thuế"),
    Category.OTHER: _("Mã số thuế hoặc mã định danh cơ quan (nếu có)"),
}

# Service field names that are not form fields: where their message is shown.
FIELD_ALIASES = {
    "head_office": "head_office_code",
    "head_office_id": "head_office_code",
    "co_representative_ids": "co_id_1",
    "co_representative_names": "co_name_1",
    "co_representative_positions": "co_name_1",
}
ORGANIZATION_KEYS = (
    "name", "short_name", "foreign_name", "code", "established_on", "founding_document_number",
    "founding_document_date", "founding_document_issuer", "head_office_code", "street", "phone", "email",
    "representative_name", "representative_id", "representative_position",
)  # fmt: skip


def field_message(form: forms.Form, exc: DomainError) -> tuple[str | None, str]:
    """Where a service refusal goes in ``form`` and its text, naming the field by its label."""
    name = FIELD_ALIASES.get(exc.field or "", exc.field or "")
    if name not in form.fields:
        return None, exc.message()
    label = str(form.fields[name].label or name).rstrip(" *")
    try:
        text = str(exc.error.message).format(**{**exc.params, "field": label})
    except (KeyError, IndexError):
        text = exc.message()
    return name, text


def attach(form: forms.Form, exc: DomainError, *, keep_existing: bool = False) -> None:
    """Every refused field beside its input (``FieldErrors`` holds several). With ``keep_existing`` a
    field the form itself already refused keeps its own message (a value it dropped reads as empty)."""
    for part in exc.each():
        name, text = field_message(form, part)
        if keep_existing and name is not None and name in form.errors:
            continue
        form.add_error(name, text)


class CategoryForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Loại tổ chức"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Hãy chọn một loại tổ chức."),
            "invalid_choice": _("Hãy chọn một loại tổ chức."),
        },
    )


def _text(label: Any, max_length: int, *, required: bool = False, **attrs: Any) -> forms.CharField:
    # Required fields are checked by the service (one message set); the form keeps them optional.
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs=attrs),
        strip=False,
        error_messages={"max_length": TOO_LONG},
    )


def _date(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=20, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class OrganizationForm(forms.Form):
    """Step 5: the Art. 6 fields, the applicant's capacity and the representatives."""

    capacity = forms.ChoiceField(
        label=_("Bạn đăng ký với tư cách"),
        choices=Capacity.choices,
        widget=forms.RadioSelect,
        initial=Capacity.REPRESENTATIVE,
        error_messages={
            "required": _("Hãy chọn tư cách người đăng ký."),
            "invalid_choice": _("Hãy chọn tư cách người đăng ký."),
        },
    )
    name = _text(_("Tên tổ chức (tiếng Việt)"), 400, autocomplete="organization")
    short_name = _text(_("Tên viết tắt (nếu có)"), 200)
    foreign_name = _text(_("Tên nước ngoài (nếu có)"), 400)
    code = _text(_("Mã số"), 40, spellcheck="false", autocomplete="off")
    established_on = _date(_("Ngày thành lập"))
    founding_document_number = _text(_("Số văn bản thành lập"), 100)
    founding_document_date = _date(_("Ngày ban hành văn bản thành lập"))
    founding_document_issuer = _text(_("Cơ quan ban hành văn bản thành lập"), 300)
    # Plain text behind a select: an unknown value reaches the service, which names the problem.
    province = forms.CharField(label=_("Tỉnh, thành phố nơi đặt trụ sở"), max_length=8, required=False,
                               widget=forms.Select())  # fmt: skip
    head_office_code = forms.CharField(label=_("Xã, phường, đặc khu nơi đặt trụ sở"), max_length=8,
                                       required=False, widget=forms.Select())  # fmt: skip
    street = _text(_("Số nhà, đường, thôn/tổ"), 300, autocomplete="street-address")
    phone = _text(_("Số điện thoại liên hệ"), 20, autocomplete="tel", inputmode="tel")
    email = _text(_("Thư điện tử liên hệ"), 254, autocomplete="email", inputmode="email")
    representative_name = _text(_("Họ và tên người đại diện theo pháp luật / người đứng đầu"), 200)
    representative_id = _text(_("Số định danh cá nhân của người đại diện"), 20, **PID_ATTRS)
    representative_position = _text(_("Chức vụ của người đại diện"), 200)
    authorization_letter = forms.FileField(
        label=_("Văn bản ủy quyền có xác nhận của người đại diện (PDF, JPEG hoặc PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )

    def __init__(self, *args: Any, category: str, provinces: list[tuple[str, str]],
                 communes: list[tuple[str, str]], **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.category = category
        self.fields["code"].label = CODE_LABELS.get(category, _("Mã số"))
        self.fields["province"].widget.choices = [("", _("— Chọn tỉnh, thành phố —")), *provinces]
        self.fields["head_office_code"].widget.choices = [("", _("— Chọn xã, phường —")), *communes]
        self.co_count = _co_count(self.data if self.is_bound else self.initial, bound=self.is_bound)
        for index in range(1, self.co_count + 1):
            self.fields[f"co_name_{index}"] = _text(_("Họ và tên người đại diện khác %(n)s") % {"n": index}, 200)
            self.fields[f"co_id_{index}"] = _text(
                _("Số định danh của người đại diện khác %(n)s") % {"n": index}, 20, **PID_ATTRS
            )
        if category != Category.OTHER:
            for key in ("founding_document_number", "founding_document_date", "founding_document_issuer"):
                del self.fields[key]

    @property
    def co_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"co_name_{i}"], self[f"co_id_{i}"]) for i in range(1, self.co_count + 1)]

    @property
    def may_add_co(self) -> bool:
        return self.co_count < CO_MAX

    def raw_data(self) -> dict[str, object]:
        """What the service takes as ``data``: raw strings, co-representatives as parallel lists."""
        cleaned = self.cleaned_data
        data: dict[str, object] = {k: cleaned.get(k, "") or "" for k in ORGANIZATION_KEYS if k in self.fields}
        names: list[str] = []
        numbers: list[str] = []
        for index in range(1, self.co_count + 1):
            name, number = cleaned.get(f"co_name_{index}", "").strip(), cleaned.get(f"co_id_{index}", "").strip()
            if name or number:
                # A row with one half only reaches the service as unequal lists: its own message.
                if name:
                    names.append(name)
                if number:
                    numbers.append(number)
        data["co_representative_names"] = names
        data["co_representative_ids"] = numbers
        return data


def _co_count(source: Any, *, bound: bool) -> int:
    """Rows shown: every row with something in it, and as many as the page already showed."""
    filled = [
        i
        for i in range(1, CO_MAX + 1)
        if str(source.get(f"co_name_{i}") or "").strip() or str(source.get(f"co_id_{i}") or "").strip()
    ]
    count = max(filled, default=0)
    if bound:
        shown = str(source.get("co_rows") or "0")
        count = max(count, int(shown) if shown.isascii() and shown.isdigit() and len(shown) < 3 else 0)
    return min(count, CO_MAX)


def co_row_action(post: Any) -> Any:
    """A copy of ``post`` with a co-representative row added ("add_co") or removed ("remove_co" = its
    number, later rows moving up), or None when the person pressed neither. Works without JavaScript."""
    if post is None or not any(key in post for key in ROW_ACTIONS):
        return None
    data = post.copy()
    count = _co_count(post, bound=True)
    if "add_co" in post:
        data["co_rows"] = str(min(count + 1, CO_MAX))
        return data
    removed = str(post.get("remove_co") or "")
    if not (removed.isascii() and removed.isdigit() and 1 <= int(removed) <= count):
        return data
    for index in range(int(removed), count):
        for key in ("co_name", "co_id"):
            data[f"{key}_{index}"] = post.get(f"{key}_{index + 1}", "")
    for key in ("co_name", "co_id"):
        data.pop(f"{key}_{count}", None)
    data["co_rows"] = str(count - 1)
    return data


class SupplementForm(forms.Form):
    note = forms.CharField(
        label=_("Nội dung bổ sung"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    document = forms.FileField(
        label=_("Tài liệu bổ sung (PDF, JPEG hoặc PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("note") or "").strip() and not cleaned.get("document"):
            raise forms.ValidationError(_("Hãy ghi nội dung bổ sung hoặc đính kèm tài liệu."))
        return cleaned


class DocumentForm(forms.Form):
    document = forms.FileField(
        label=_("Văn bản ủy quyền có xác nhận của người đại diện (PDF, JPEG hoặc PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        error_messages={"required": _("Hãy chọn tệp văn bản ủy quyền.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    confirm = forms.BooleanField(
        label=_("Tôi muốn rút hồ sơ này. Hồ sơ đã rút không thể tiếp tục xử lý."),
        error_messages={"required": _("Hãy đánh dấu xác nhận để rút hồ sơ.")},
    )


class ConsentForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Ý kiến của bạn"),
        choices=[("give", _("Đồng ý")), ("refuse", _("Không đồng ý"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Hãy chọn đồng ý hoặc không đồng ý."),
            "invalid_choice": _("Hãy chọn đồng ý hoặc không đồng ý."),
        },
    )
    reason = forms.CharField(
        label=_("Lý do không đồng ý"),
        help_text=_("Người nộp hồ sơ sẽ đọc được lý do này."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
