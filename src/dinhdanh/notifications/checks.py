"""Deploy check notifications.E001 (issue 16.1): the SMS backend is one of ours for development (a file,
the console, a gateway that always fails). In production one-time codes would land in a file in clear
or nowhere, and nobody could sign in with a code or reset a password; the deployment names its own
gateway class (docs/notifications.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

DEVELOPMENT_BACKENDS = frozenset({
    "dinhdanh.notifications.backends.FileSmsBackend",
    "dinhdanh.notifications.backends.ConsoleSmsBackend",
    "dinhdanh.notifications.backends.FailingSmsBackend",
})  # fmt: skip


@checks.register(checks.Tags.security, deploy=True)
def check_sms_backend(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    backend = str(settings.NOTIFY_SMS_BACKEND)
    if backend not in DEVELOPMENT_BACKENDS:
        return []
    return [
        checks.Error(
            f"Tin nhắn SMS (mã dùng một lần) đi vào lớp gửi dành cho phát triển / SMS (one-time codes) go to a "
            f"development backend: {backend}",
            hint="DINHDANH_SMS_BACKEND=<module.GatewaySmsBackend của nhà mạng / of the gateway> (docs/notifications.md)",
            id="notifications.E001",
        )
    ]
