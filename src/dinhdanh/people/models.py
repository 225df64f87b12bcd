"""Personal e-ID accounts. The login name (the personal identification number) is sensitive data
(Law 91/2025): it is stored only as a keyed digest for lookup and a masked form for display."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountLevel(models.IntegerChoices):
    NONE = 0, _("Chưa định danh")
    LEVEL_1 = 1, _("Mức độ 1")
    LEVEL_2 = 2, _("Mức độ 2")


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(login_digest=username)


class User(AbstractBaseUser, PermissionsMixin):
    login_digest = models.CharField(max_length=64, unique=True, editable=False)
    personal_id_masked = models.CharField(_("số định danh (che)"), max_length=20)
    full_name = models.CharField(_("họ và tên"), max_length=200)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    level = models.PositiveSmallIntegerField(_("mức độ tài khoản"), choices=AccountLevel.choices, default=0)
    is_foreigner = models.BooleanField(_("người nước ngoài"), default=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    is_staff = models.BooleanField(_("vào trang quản trị"), default=False)
    preferred_language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "login_digest"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        verbose_name = _("tài khoản cá nhân")
        verbose_name_plural = _("tài khoản cá nhân")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.personal_id_masked})"

    @property
    def audit_label(self) -> str:
        return f"{self.full_name} ({self.personal_id_masked})"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1]
