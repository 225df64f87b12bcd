"""Sign-in sessions, history and throttling. At national scale SignInEvent is partitioned by month."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.people.models.accounts import User


class SignInMethod(models.TextChoices):
    PASSWORD = "password", _("Mật khẩu")
    PASSWORD_TOTP = "password_totp", _("Mật khẩu + mã xác thực (TOTP)")
    PASSWORD_RECOVERY = "password_recovery", _("Mật khẩu + mã khôi phục")
    PASSWORD_PASSKEY = "password_passkey", _("Mật khẩu + khóa truy cập")
    PASSWORD_SMS = "password_sms", _("Mật khẩu + mã gửi qua tin nhắn")
    PASSKEY = "passkey", _("Khóa truy cập (vân tay/khuôn mặt)")


class SignInOutcome(models.TextChoices):
    SUCCEEDED = "succeeded", _("Thành công")
    BAD_CREDENTIALS = "bad_credentials", _("Sai thông tin đăng nhập")
    BAD_SECOND_FACTOR = "bad_second_factor", _("Sai yếu tố xác thực thứ hai")
    THROTTLED = "throttled", _("Bị chặn tạm thời do thử sai nhiều lần")
    LOCKED = "locked", _("Tài khoản đang bị khóa")


class AccountSession(models.Model):
    """A signed-in browser or API client, listed to its owner, who may end it from anywhere.

    The Django session holds this row's id; a middleware ends the session once the row is revoked.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_sessions")
    method = models.CharField(max_length=24, choices=SignInMethod.choices)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"session {self.pk}"


class SignInEvent(models.Model):
    """One sign-in attempt. Unknown accounts have no user; the number tried is never stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="signins")
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=SignInOutcome.choices)
    method = models.CharField(max_length=24, choices=SignInMethod.choices, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.outcome} {self.at:%Y-%m-%d %H:%M}"


class Throttle(models.Model):
    """Failed attempts under one key (an account's login digest, or a client address digest)."""

    scope = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="people_throttle_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.failures}"
