from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """One message for every failure: an unknown number and a wrong password look the same."""

    username = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "numeric", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages: dict[str, Any] = {
        "invalid_login": _("Số định danh hoặc mật khẩu không đúng."),
        "inactive": _("Số định danh hoặc mật khẩu không đúng."),
    }
