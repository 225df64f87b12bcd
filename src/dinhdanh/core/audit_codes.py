"""Stable audit action codes, grouped by entity. Never rename a value: verifiers and reports key on it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # access
    ACCESS_DENIED = "access.denied", _("Từ chối truy cập")
    ROLE_GRANTED = "access.role_granted", _("Giao vai trò")
    ROLE_REVOKED = "access.role_revoked", _("Thu hồi vai trò")
    # authentication
    SIGNIN_SUCCEEDED = "auth.signin_succeeded", _("Đăng nhập thành công")
    SIGNIN_FAILED = "auth.signin_failed", _("Đăng nhập thất bại")
    SIGNOUT = "auth.signout", _("Đăng xuất")
    # people
    USER_CREATED = "people.user_created", _("Tạo tài khoản cá nhân")
    # administrative units
    UNITS_LOADED = "geo.units_loaded", _("Nạp danh mục đơn vị hành chính")
    # calendar
    DAY_OVERRIDE_SET = "calendar.day_override_set", _("Khai báo ngày nghỉ / ngày làm bù")
    # system
    DEMO_LOADED = "system.demo_loaded", _("Nạp dữ liệu mẫu")
