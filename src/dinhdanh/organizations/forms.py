"""Forms of the organization pages. They only shape input; the services decide (and raise DomainError,
which the views show on the field it names)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.organizations.models import MemberRole

PID_ATTRS = {"autocomplete": "off", "inputmode": "numeric", "maxlength": 20, "spellcheck": "false"}


class ServicesField(forms.MultipleChoiceField):
    """Checkboxes of the registry's services (the view sets the choices); the service layer decides
    whether a code exists and is in use, so a code posted by hand gets its message, not a form error."""

    def valid_value(self, value: str) -> bool:
        return True


class GrantForm(forms.Form):
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân của người được ủy quyền"),
        max_length=20,
        widget=forms.TextInput(attrs=PID_ATTRS),
    )
    role = forms.ChoiceField(
        label=_("Vai trò"),
        choices=[
            (MemberRole.MEMBER, MemberRole.MEMBER.label),
            (MemberRole.ADMINISTRATOR, MemberRole.ADMINISTRATOR.label),
        ],
        initial=MemberRole.MEMBER,
        error_messages={"invalid_choice": _("Vai trò không hợp lệ.")},
    )
    full_powers = forms.BooleanField(label=_("Toàn quyền (mọi dịch vụ)"), required=False)
    services = ServicesField(
        label=_("Hoặc chỉ các dịch vụ sau"), required=False, widget=forms.CheckboxSelectMultiple
    )
    valid_until = forms.DateField(
        label=_("Hiệu lực đến hết ngày (để trống là không thời hạn)"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày hết hiệu lực không hợp lệ.")},
    )

    def clean_valid_until(self) -> datetime | None:
        day: date | None = self.cleaned_data.get("valid_until")
        if day is None:
            return None
        if day < timezone.localdate():
            raise forms.ValidationError(_("Ngày hết hiệu lực phải từ hôm nay trở đi."))
        # The grant holds through the whole day the representative chose.
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Hãy nêu lý do thu hồi.")},
    )


class ChangeRequestForm(forms.Form):
    """Request to change the organization's data (kind UPDATE): only the fields that change."""

    name = forms.CharField(label=_("Tên tiếng Việt mới"), max_length=400, required=False)
    short_name = forms.CharField(label=_("Tên viết tắt mới"), max_length=200, required=False)
    foreign_name = forms.CharField(label=_("Tên nước ngoài mới"), max_length=400, required=False)
    street = forms.CharField(label=_("Số nhà, đường, thôn/tổ mới"), max_length=300, required=False)
    phone = forms.CharField(label=_("Số điện thoại mới"), max_length=20, required=False)
    email = forms.CharField(label=_("Thư điện tử mới"), max_length=254, required=False)

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(k) for k in ("name", "short_name", "foreign_name", "street", "phone", "email")):
            raise forms.ValidationError(_("Hãy nhập ít nhất một thông tin cần thay đổi."))
        return cleaned


class LockRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do đề nghị khóa"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy nêu lý do đề nghị khóa.")},
    )
    confirm = forms.BooleanField(
        label=_("Tôi hiểu rằng khi tài khoản bị khóa, không ai có thể thao tác với tư cách tổ chức."),
        error_messages={"required": _("Hãy đánh dấu xác nhận để gửi đề nghị khóa.")},
    )


# The officers' pages (inner zone): search in the jurisdiction, lock and unlock on an authority's request.


class OrganizationSearchForm(forms.Form):
    q = forms.CharField(label=_("Tên, mã số hoặc số định danh tổ chức"), max_length=100, required=False)
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)
    # Keyset cursors of the pager's links (http.keyset); a malformed one falls back to the page number.
    after = forms.CharField(max_length=600, required=False)
    before = forms.CharField(max_length=600, required=False)


class OrganizationLockForm(forms.Form):
    authority = forms.CharField(label=_("Cơ quan có thẩm quyền yêu cầu"), max_length=300)
    document_reference = forms.CharField(label=_("Số, ngày văn bản yêu cầu"), max_length=200)
    reason = forms.CharField(label=_("Lý do"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class OrganizationUnlockForm(forms.Form):
    reason = forms.CharField(label=_("Lý do mở khóa"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
