"""Personal e-ID accounts. The login name (the personal identification number) is sensitive data
(Law 91/2025): it is stored only as a keyed digest for lookup and a masked form for display."""

from __future__ import annotations

import secrets
import uuid
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


def new_subject() -> str:
    """A public subject identifier: random, opaque, never reused, never derived from the person's number
    (issue 12.0); relying parties of a sector get a pairwise one derived from it (``people.subjects``)."""
    return secrets.token_urlsafe(16)


class User(AbstractBaseUser, PermissionsMixin):
    login_digest = models.CharField(max_length=64, unique=True, editable=False)
    subject = models.CharField(max_length=32, unique=True, editable=False, default=new_subject)
    # The personal number itself, sealed (core.sealed, purpose PID_PURPOSE): released as a claim only
    # where the law allows, and what re-indexes ``login_digest`` when its key rotates. Empty for
    # accounts made before issue 12 until their holder next signs in (people.identifiers).
    personal_id_sealed = models.BinaryField(default=b"", blank=True, editable=False)
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
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    phone_confirmed_at = models.DateTimeField(_("xác nhận số điện thoại lúc"), null=True, blank=True)
    # A sealed file under DATA_DIR/documents/portraits (core.sealed); the portrait is sensitive data.
    portrait_ref = models.CharField(max_length=80, blank=True, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # Set and cleared only by people.locks; AccountLock keeps the reasons and the history.
    locked_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True)

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

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1]


class RequestKind(models.TextChoices):
    LEVEL1_ONLINE = "level1_online", _("Đăng ký mức độ 1 trực tuyến")
    LEVEL2_IN_PERSON = "level2_in_person", _("Nâng mức độ 2 trực tiếp")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xử lý")
    APPROVED = "approved", _("Đã duyệt")
    REJECTED = "rejected", _("Từ chối")


class CardKind(models.TextChoices):
    CCCD = "cccd", _("Thẻ căn cước / căn cước công dân")
    CMND = "cmnd", _("Chứng minh nhân dân")
    RESIDENCE_CARD = "residence_card", _("Thẻ thường trú / tạm trú (người nước ngoài)")
    PASSPORT = "passport", _("Hộ chiếu")


class LevelRequest(models.Model):
    """A request to issue or raise a personal account level (Decree 69 Art. 10, 13), with its deadline."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="level_requests")
    kind = models.CharField(max_length=24, choices=RequestKind.choices)
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    # Outcomes of the automatic checks, by check code: {"birth_year": "ok", ...}.
    checks = models.JSONField(default=dict, blank=True)
    # The identity document shown in person (level 2): number sealed, masked copy for display.
    card_kind = models.CharField(max_length=20, choices=CardKind.choices, blank=True)
    card_number_sealed = models.BinaryField(null=True, blank=True, editable=False)
    card_number_masked = models.CharField(max_length=24, blank=True)
    card_expired = models.BooleanField(default=False)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_unit = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class LockKind(models.TextChoices):
    HOLDER = "holder", _("Theo đề nghị của chủ tài khoản")
    AUTHORITY = "authority", _("Theo yêu cầu của cơ quan có thẩm quyền")


class AccountLock(models.Model):
    """One lock of a personal account and, once lifted, its unlock (Decree 69 Art. 15, 29-30)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="locks")
    kind = models.CharField(max_length=12, choices=LockKind.choices)
    reason = models.TextField()
    authority = models.CharField(max_length=300, blank=True)
    document_ref = models.CharField(max_length=120, blank=True)
    locked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    locked_at = models.DateTimeField(default=timezone.now)
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlocked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unlock_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            # At most one lock in force per account: the lock service relies on it under concurrency.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(unlocked_at__isnull=True), name="people_one_open_lock"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class PendingRegistration(models.Model):
    """Online self-registration before the phone is confirmed. Nothing is an account until then, so an
    abandoned or hostile registration never blocks the real holder of the number: it expires."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    login_digest = models.CharField(max_length=64, db_index=True)
    personal_id_masked = models.CharField(max_length=20)
    personal_id_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    full_name = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    phone = models.CharField(max_length=20)
    email = models.EmailField(blank=True)
    is_foreigner = models.BooleanField(default=False)
    password_hash = models.CharField(max_length=256)
    portrait_ref = models.CharField(max_length=80)
    language = models.CharField(max_length=8, default="vi")
    consent_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Whether the number checked out against the date of birth: drives level-1 review (1 working day).
    checks = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.full_name} ({self.personal_id_masked})"


class KeptNumber(models.Model):
    """A personal number (or foreign document number) that digests stored elsewhere name — a
    representative a registry or a request records, who may have no account — kept sealed so those
    digests can be recomputed when the login index key rotates (decision 0036). One row per number,
    found by its digest under the current key of its index."""

    key_name = models.CharField(max_length=32, default="login-index")  # the core.keys index it is digested under
    digest = models.CharField(max_length=64, unique=True)
    sealed = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.key_name}:{self.digest[:12]}"
