"""An organization's e-identity (Decree 69 Art. 6), who acts for it, and every change to it.

The platform identification number (``eid``) is issued once, from a counter that only grows
(``core.models.Sequence``), with a check digit; it is never reused, even after termination.
The legal representative's personal ID number is kept only as the login digest (to find the account)
and a masked form (to show), like ``people.User``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.organizations.categories import Category


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    LOCKED = "locked", _("Đang bị khóa")
    REVOKED = "revoked", _("Đã chấm dứt")  # termination is a permanent lock (LEGAL §4)


class Organization(models.Model):
    eid = models.CharField(_("số định danh tổ chức"), max_length=16, unique=True)
    category = models.CharField(_("loại tổ chức"), max_length=20, choices=Category.choices)
    name = models.CharField(_("tên tiếng Việt"), max_length=400)
    name_key = models.CharField(max_length=400, db_index=True)  # core.text.name_key, for search and matching
    short_name = models.CharField(_("tên viết tắt"), max_length=200, blank=True)
    foreign_name = models.CharField(_("tên nước ngoài"), max_length=400, blank=True)
    # Tax code (10 or 13 digits, NNNNNNNNNN-NNN), cooperative registration code, or the Decision 20/2020
    # agency code (up to 35 characters); empty for category 4 without any registration.
    code = models.CharField(_("mã số thuế / mã số đăng ký"), max_length=40, blank=True)
    established_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    # Where there is no registration code: the founding document.
    founding_document_number = models.CharField(_("số văn bản thành lập"), max_length=100, blank=True)
    founding_document_date = models.DateField(_("ngày ban hành văn bản"), null=True, blank=True)
    founding_document_issuer = models.CharField(_("cơ quan ban hành"), max_length=300, blank=True)
    head_office = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("xã/phường trụ sở")
    )
    head_office_path = models.CharField(max_length=40, db_index=True)  # geo path, for jurisdiction filters
    street = models.CharField(_("số nhà, đường, thôn/tổ"), max_length=300, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    representative_digest = models.CharField(max_length=64, blank=True)  # people.logins.login_digest
    representative_masked = models.CharField(_("số định danh người đại diện"), max_length=24, blank=True)
    representative_name = models.CharField(_("người đại diện theo pháp luật"), max_length=200)
    representative_position = models.CharField(_("chức vụ"), max_length=200, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=OrganizationStatus.choices, default=OrganizationStatus.ACTIVE
    )
    # The registry entry the organization was matched to (registries.Record source + code), if any.
    registry_source = models.CharField(max_length=20, blank=True)
    registry_code = models.CharField(max_length=40, blank=True)
    issued_at = models.DateTimeField(_("ngày cấp"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tổ chức")
        verbose_name_plural = _("tổ chức")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="organizations_code_unique"),
        ]
        indexes = [
            models.Index(fields=["category", "head_office_path"]),
            models.Index(fields=["registry_source", "registry_code"]),
            models.Index(fields=["representative_digest"]),
            # SQLite uses the partial unique index only when a query repeats its condition.
            models.Index(fields=["code"], name="organizations_code"),
            # The officers' list sorts by name and pages by keyset on (name_key, id) (issue 17.4).
            models.Index(fields=["name_key", "id"], name="organizations_name_order"),
        ]

    def __str__(self) -> str:
        return f"{self.eid} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status == OrganizationStatus.ACTIVE


class ChangeOrigin(models.TextChoices):
    APPLICATION = "application", _("Hồ sơ được duyệt")
    REGISTRY = "registry", _("Cơ sở dữ liệu đăng ký (Điều 8)")
    OFFICER = "officer", _("Cán bộ")
    ORGANIZATION = "organization", _("Tổ chức")
    SYSTEM = "system", _("Hệ thống")


class OrganizationChange(models.Model):
    """The history of every change to an organization: field → [before, after]."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    origin = models.CharField(max_length=16, choices=ChangeOrigin.choices)
    changes = models.JSONField(default=dict)
    # Why (organizations.origins): a request's number or a registry snapshot, kept as plain values so
    # that organizations references no app above it (issue 11.1).
    reference = models.CharField(max_length=40, blank=True)
    reference_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.origin} {self.changed_at:%Y-%m-%d}"


class MemberRole(models.TextChoices):
    REPRESENTATIVE = "representative", _("Người đại diện theo pháp luật")
    ADMINISTRATOR = "administrator", _("Quản trị")
    MEMBER = "member", _("Người được ủy quyền")


class Service(models.Model):
    """A service that relying parties name and member grants authorize (issue 12.0): e.g. the tax
    declaration portal. Kept by system administrators (page and ``dinhdanh services``)."""

    code = models.CharField(_("mã dịch vụ"), max_length=64, unique=True)  # a-z 0-9 . _ -
    name = models.CharField(_("tên dịch vụ"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dịch vụ")
        verbose_name_plural = _("dịch vụ")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class GrantPeriod(models.Model):
    """Who granted it, when, for which period, and its revocation: a membership and each of its
    service grants have one."""

    valid_from = models.DateTimeField(_("hiệu lực từ"), default=timezone.now)
    valid_until = models.DateTimeField(_("hiệu lực đến"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


class Membership(GrantPeriod):
    """A level-2 person acting for an organization. The legal representative holds the
    ``representative`` membership (first administrator); only they grant the others (LEGAL §5), for a
    period, with full powers (``full_powers``: every service, as the representative and administrators
    have) or for named services, one ``MemberGrant`` row each — never "an empty list means all"."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=16, choices=MemberRole.choices)
    full_powers = models.BooleanField(_("toàn quyền"), default=False)
    revoke_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("thành viên tổ chức")
        verbose_name_plural = _("thành viên tổ chức")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(revoked_at__isnull=True),
                name="organizations_one_live_membership",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.organization_id} {self.role}"


class MemberGrant(GrantPeriod):
    """One service a member may act for the organization in, for a period (within the membership's)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="grants")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("quyền theo dịch vụ")
        verbose_name_plural = _("quyền theo dịch vụ")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "service"],
                condition=Q(revoked_at__isnull=True),
                name="organizations_one_live_grant_per_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}:{self.service_id}"


class LockGround(models.TextChoices):
    ORGANIZATION_REQUEST = "organization_request", _("Theo đề nghị của tổ chức")
    AUTHORITY_REQUEST = "authority_request", _("Theo yêu cầu của cơ quan có thẩm quyền")
    BREACH = "breach", _("Vi phạm thỏa thuận sử dụng")
    REGISTRY_TERMINATION = "registry_termination", _("Giải thể, phá sản hoặc bị thu hồi mã số")


class OrganizationLock(models.Model):
    """One lock and, later, its lifting. A termination lock is permanent (``permanent``)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="locks")
    ground = models.CharField(_("căn cứ"), max_length=24, choices=LockGround.choices)
    permanent = models.BooleanField(default=False)
    authority = models.CharField(_("cơ quan yêu cầu"), max_length=300, blank=True)
    document_reference = models.CharField(_("số văn bản"), max_length=200, blank=True)
    reason = models.CharField(_("lý do"), max_length=1000, blank=True)
    locked_at = models.DateTimeField(default=timezone.now)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why (organizations.origins): a request's number or a registry snapshot, kept as plain values so
    # that organizations references no app above it (issue 11.1).
    reference = models.CharField(max_length=40, blank=True)
    reference_id = models.BigIntegerField(null=True, blank=True)
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unlock_reason = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-locked_at"]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.ground}"


class LockProposal(models.Model):
    """An officer's lock on an authority's written request, waiting for a second officer (four-eyes,
    decision 0011). The second officer confirming the same document carries the lock out."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="lock_proposals")
    reason = models.TextField()
    authority = models.CharField(max_length=300)
    document_reference = models.CharField(max_length=200)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    lock = models.ForeignKey("OrganizationLock", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(resolved_at__isnull=True),
                name="organizations_one_open_lock_proposal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.document_reference}"
