"""Forms of the plan-editing and task pages (issue 14.1, 14.3, 14.8). They only read what was typed
(dates, whole numbers, lines); what is allowed — within the baseline, summing to the parent, phases
apart, a status that may follow — is the services' to decide, so the page and the service refuse alike.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.errors import PlanError
from dinhdanh.campaigns.models.plans import PlanStatus, TargetKind, TaskStatus
from dinhdanh.campaigns.plan_edits import share_field
from dinhdanh.campaigns.task_services import MAX_COORDINATING
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import nfc

if TYPE_CHECKING:
    from dinhdanh.campaigns.models.plans import Target

__all__ = [
    "AllocationForm",
    "PhaseForm",
    "PlanStatusForm",
    "TargetValueForm",
    "TaskFilterForm",
    "TaskForm",
    "TaskUpdateForm",
    "attach",
]

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
BAD_DATE = _("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 31/01/2025.")
# "2816", or grouped as people write them: "2.816", "2 816" (Vietnamese thousands are dots).
_WHOLE = re.compile(r"-?[0-9]{1,30}|[0-9]{1,3}(?:[. ][0-9]{3}){1,9}")


def attach(form: forms.Form, exc: DomainError) -> None:
    """A service's refusals beside the fields they name, in words that name the field by its label."""
    for part in exc.each():
        field = part.field if part.field in form.fields else None
        if field is not None and "{field}" in str(part.error.message):
            message = DomainError(part.error, field=str(form.fields[field].label), **part.params).message()
        else:
            message = part.message()
        form.add_error(field, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={"invalid": BAD_DATE, "required": _("Hãy nhập ngày.")},
    )


class WholeNumberField(forms.Field):
    """A whole number as typed; a negative one is kept for the service to refuse in its own words."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("Hãy nhập một số nguyên, chỉ gồm chữ số (ví dụ 2816 hoặc 2.816)."),
        "required": _("Hãy nhập một số."),
    }

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "numeric", "autocomplete": "off", "maxlength": "40"}

    def to_python(self, value: Any) -> int | None:
        text = nfc(str(value or ""))
        if not text:
            return None
        if len(text) > 40 or not _WHOLE.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text.replace(".", "").replace(" ", ""))


class PhaseForm(forms.Form):
    name = forms.CharField(label=_("Tên giai đoạn"), max_length=200)
    starts_on = date_field(_("Từ ngày"))
    ends_on = date_field(_("Đến ngày"))


class TargetValueForm(forms.Form):
    value = WholeNumberField(label=_("Giá trị chỉ tiêu"))

    def __init__(self, *args: Any, target: Target, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if target.kind == TargetKind.PERCENT:
            self.fields["value"].label = _("Tỷ lệ phần trăm (0–100)")
        elif target.baseline is not None:
            self.fields["value"].label = _("Số lượng (không quá tổng số %(baseline)s)") % {
                "baseline": target.baseline
            }


class AllocationForm(forms.Form):
    """Every share of one allocation on one form: ``share_<id>`` per sub-unit."""

    def __init__(self, *args: Any, shares: list[Target], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shares = shares
        for share in shares:
            label = share.unit.name
            if share.baseline is not None:
                label = _("%(unit)s (tổng số %(baseline)s)") % {
                    "unit": share.unit.name,
                    "baseline": share.baseline,
                }
            self.fields[share_field(share)] = WholeNumberField(label=label, initial=share.value)

    def values(self) -> dict[int, int]:
        return {s.pk: self.cleaned_data[share_field(s)] for s in self.shares}


class TaskForm(forms.Form):
    title = forms.CharField(
        label=_("Nội dung nhiệm vụ"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    lead_unit = forms.CharField(label=_("Đơn vị chủ trì"), max_length=300)
    coordinating_units = forms.CharField(
        label=_("Đơn vị phối hợp (mỗi dòng một đơn vị)"),
        required=False,
        max_length=MAX_COORDINATING * 301,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    regular = forms.BooleanField(label=_("Thường xuyên (không có thời hạn)"), required=False)
    deadline = date_field(_("Thời hạn"), required=False)
    timing = forms.CharField(label=_("Thời gian thực hiện (lời văn của kế hoạch)"), max_length=300, required=False)

    def clean_coordinating_units(self) -> list[str]:
        lines = [line.strip() for line in str(self.cleaned_data.get("coordinating_units") or "").splitlines()]
        units = [line for line in lines if line]
        if len(units) > MAX_COORDINATING:
            raise forms.ValidationError(_("Nhiều nhất %(limit)s đơn vị phối hợp.") % {"limit": MAX_COORDINATING})
        return units

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "deadline" in self.errors:
            return data
        if bool(data.get("regular")) == (data.get("deadline") is not None):
            self.add_error("deadline", str(PlanError.TASK_DEADLINE_OR_REGULAR.message))
        return data


class PlanStatusForm(forms.Form):
    # Every status is read; which one may follow is the service's to say.
    status = forms.ChoiceField(
        label=_("Trạng thái mới"),
        choices=PlanStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Trạng thái không hợp lệ."), "required": _("Hãy chọn trạng thái.")},
    )


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=TaskStatus.choices,
        error_messages={"invalid_choice": _("Trạng thái không hợp lệ.")},
    )
    note = forms.CharField(label=_("Nội dung cập nhật"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.CharField(label=_("Văn bản minh chứng (số, ký hiệu)"), max_length=300, required=False)
    # Empty files reach the service, which says so by name; the type is judged from the bytes there.
    file = forms.FileField(
        label=_("Tệp minh chứng (PDF, JPEG hoặc PNG)"),
        required=False,
        allow_empty_file=True,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**62)


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"), choices=[("", _("Tất cả")), *TaskStatus.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Chỉ nhiệm vụ quá hạn"), required=False)
    lead = forms.CharField(label=_("Đơn vị chủ trì"), max_length=100, required=False)
