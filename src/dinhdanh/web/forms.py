from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

# Longer input cannot be a personal ID number (12 digits, perhaps spaced) or a password we issued.
USERNAME_MAX_LENGTH = 64
PASSWORD_MAX_LENGTH = 256


class SignInForm(AuthenticationForm):
    """One message for every failure: an unknown number and a wrong password look the same.

    Length and null-character checks are not field validators, whose own messages ("at most 20
    characters", "null characters are not allowed") would tell a malformed number apart from a
    wrong password; they end in the same ``invalid_login`` error, before any hashing.
    """

    username = forms.CharField(
        label=_("Số định danh cá nhân"),
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "numeric", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages: dict[str, Any] = {
        "invalid_login": _("Số định danh hoặc mật khẩu không đúng."),
        "inactive": _("Số định danh hoặc mật khẩu không đúng."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("username", "password"):
            self.fields[name].validators = []  # drops ProhibitNullCharactersValidator, see above
        self.fields["username"].widget.attrs["maxlength"] = USERNAME_MAX_LENGTH

    @sensitive_variables()
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password and not _plausible(username, password):
            raise self.get_invalid_login_error()
        return super().clean()


def _plausible(username: str, password: str) -> bool:
    return (
        len(username) <= USERNAME_MAX_LENGTH
        and len(password) <= PASSWORD_MAX_LENGTH
        and "\x00" not in username
        and "\x00" not in password
    )
