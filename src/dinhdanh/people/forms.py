"""Forms only shape input; every rule lives in the services, which raise DomainError. A view turns
that error into a message on the field it names (``attach``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dinhdanh.core.errors import DomainError
from dinhdanh.people.models.accounts import CardKind

PID_ATTRS = {"autocomplete": "username", "inputmode": "numeric", "maxlength": 20, "spellcheck": "false"}
CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 12, "autofocus": True}


def attach(form: forms.Form, exc: DomainError, *, keep_existing: bool = False) -> None:
    """Show a service refusal on its field when the form has it, else at the top of the form. With
    ``keep_existing`` a field the form already refused keeps its own message."""
    for part in exc.each():
        field = part.field if part.field in form.fields else None
        if keep_existing and field is not None and field in form.errors:
            continue
        form.add_error(field, part.message())


def _needs(message: Any) -> dict[str, Any]:
    return {"required": message}


class PasswordInput(forms.CharField):
    def __init__(self, label: Any, autocomplete: str = "new-password", **kwargs: Any) -> None:
        super().__init__(
            label=label,
            strip=False,
            max_length=256,
            widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
            **kwargs,
        )


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=64,
        widget=forms.TextInput(attrs={**PID_ATTRS, "autofocus": True}),
    )
    password = PasswordInput(_("Mật khẩu"), autocomplete="current-password")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators = []  # a malformed number must fail like a wrong one: one message


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Mã xác thực"), max_length=40, widget=forms.TextInput(attrs=CODE_ATTRS))


class RegisterForm(forms.Form):
    """Every message says what to do (issue 15.1); the service's own refusals use the same words."""

    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=20,
        widget=forms.TextInput(attrs=PID_ATTRS),
        error_messages=_needs(_("Nhập số định danh cá nhân.")),
    )
    is_foreigner = forms.BooleanField(label=_("Tôi là người nước ngoài có số định danh"), required=False)
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages=_needs(_("Nhập họ và tên.")),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Nhập ngày sinh."),
            "invalid": _("Nhập ngày sinh dạng ngày/tháng/năm, ví dụ 15/03/1990."),
        },
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages=_needs(_("Nhập số điện thoại di động.")),
    )
    email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    portrait = forms.FileField(
        label=_("Ảnh chân dung (JPEG hoặc PNG, tối đa 2 MB)"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
        error_messages=_needs(_("Chọn ảnh chân dung để tải lên.")),
    )
    password = PasswordInput(_("Mật khẩu (ít nhất 10 ký tự)"), error_messages=_needs(_("Nhập mật khẩu.")))
    password_confirm = PasswordInput(_("Nhập lại mật khẩu"), error_messages=_needs(_("Nhập lại mật khẩu.")))
    consent = forms.BooleanField(
        label=_("Tôi đồng ý để cơ quan công an xử lý dữ liệu cá nhân của tôi cho việc định danh điện tử."),
        required=False,
    )

    def keep_passwords(self) -> None:
        """On the error response only (no-store): the passwords stay typed, so no error forces retyping."""
        for name in ("password", "password_confirm"):
            widget = self.fields[name].widget
            if isinstance(widget, forms.PasswordInput):
                widget.render_value = True


class PasswordChangeForm(forms.Form):
    current = PasswordInput(_("Mật khẩu hiện tại"), autocomplete="current-password")
    new = PasswordInput(_("Mật khẩu mới"))
    confirm = PasswordInput(_("Nhập lại mật khẩu mới"))


class PasswordResetStartForm(forms.Form):
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"), max_length=20, widget=forms.TextInput(attrs=PID_ATTRS)
    )
    phone = forms.CharField(label=_("Số điện thoại đã đăng ký"), max_length=20)


class PasswordResetFinishForm(forms.Form):
    code = forms.CharField(label=_("Mã OTP"), max_length=12, widget=forms.TextInput(attrs=CODE_ATTRS))
    new = PasswordInput(_("Mật khẩu mới"))
    confirm = PasswordInput(_("Nhập lại mật khẩu mới"))


class LockSelfForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=500, required=False)
    confirm = forms.BooleanField(
        label=_("Tôi hiểu rằng tài khoản sẽ bị khóa ngay và chỉ được mở tại cơ quan công an."),
        error_messages={"required": _("Hãy đánh dấu xác nhận để khóa tài khoản.")},
    )


class FindPersonForm(forms.Form):
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=20,
        widget=forms.TextInput(attrs={**PID_ATTRS, "autocomplete": "off"}),
    )


class PersonCreateForm(forms.Form):
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=20,
        widget=forms.TextInput(attrs={**PID_ATTRS, "autocomplete": "off"}),
    )
    is_foreigner = forms.BooleanField(label=_("Người nước ngoài"), required=False)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)


class Level2Form(forms.Form):
    card_kind = forms.ChoiceField(label=_("Loại giấy tờ"), choices=CardKind.choices)
    card_number = forms.CharField(
        label=_("Số giấy tờ"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    card_expired = forms.BooleanField(label=_("Giấy tờ đã hết hạn / không có thẻ căn cước"), required=False)
    unit = forms.ChoiceField(label=_("Nơi kiểm tra"), choices=())
    confirm = forms.BooleanField(label=_("Tôi đã đối chiếu giấy tờ bản gốc với người đến làm thủ tục."))


class PhoneResetForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại mới"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.CharField(label=_("Thư điện tử (để trống: không có)"), max_length=254, required=False)
    card_kind = forms.ChoiceField(label=_("Loại giấy tờ"), choices=CardKind.choices)
    card_number = forms.CharField(
        label=_("Số giấy tờ"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    unit = forms.ChoiceField(label=_("Nơi tiếp nhận"), choices=())
    confirm = forms.BooleanField(
        label=_(
            "Tôi đã đối chiếu giấy tờ bản gốc với người đề nghị. Mật khẩu, yếu tố xác thực và mọi phiên đăng nhập "
            "cũ sẽ bị hủy."
        )
    )


class AuthorityLockForm(forms.Form):
    authority = forms.CharField(label=_("Cơ quan đề nghị"), max_length=300)
    document_ref = forms.CharField(label=_("Số văn bản đề nghị"), max_length=120)
    reason = forms.CharField(label=_("Lý do"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class UnlockForm(forms.Form):
    reason = forms.CharField(label=_("Lý do mở khóa"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", pgettext_lazy("decision", "Duyệt")),
            ("reject", pgettext_lazy("decision", "Từ chối")),
        ],
        widget=forms.RadioSelect,
        label=_("Quyết định"),
        error_messages={
            "required": _("Hãy chọn duyệt hoặc từ chối."),
            "invalid_choice": _("Hãy chọn duyệt hoặc từ chối."),
        },
    )
    reason = forms.CharField(
        label=_("Lý do (bắt buộc khi từ chối)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
