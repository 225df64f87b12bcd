"""Requests (hồ sơ) about an organization and everything kept with them.

The state machine (django-fsm-2, ``status`` is protected) is declared here and driven only from
``applications.services``; each transition method only changes the status — the service records the
``StatusChange`` row, the audit event and the side effects in the same transaction.

    draft ─┬─► awaiting_consent ─► submitted ─► checking ─┬─► approved
           └──────────────────────►             ▲  │  │   ├─► rejected
                                                │  │  └─► awaiting_verification ─► checking
                                                │  └────► needs_supplement ─► checking
    withdrawn: from any open state, by the applicant; rejected: also when a co-representative refuses.

``open_key`` is the organization's code (or eid) while a request is open and NULL once it is closed:
the unique constraint makes "a second request while one is open" impossible even under a race.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from dinhdanh.organizations.categories import Category


class Kind(models.TextChoices):
    NEW = "new", _("Cấp tài khoản mới")
    UPDATE = "update", _("Cập nhật thông tin")
    REPRESENTATIVE_CHANGE = "representative_change", _("Thay đổi người đại diện theo pháp luật")
    LOCK = "lock", _("Khóa tài khoản")
    UNLOCK = "unlock", _("Mở khóa tài khoản")
    REVOKE = "revoke", _("Chấm dứt tài khoản")


class ApplicationChannel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    IN_PERSON = "in_person", _("Trực tiếp tại cơ quan Công an")


class Capacity(models.TextChoices):
    REPRESENTATIVE = "representative", _("Người đại diện theo pháp luật / người đứng đầu")
    AUTHORIZED = "authorized", _("Người được ủy quyền")


class Status(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    AWAITING_CONSENT = "awaiting_consent", _("Chờ người đại diện khác đồng ý")
    SUBMITTED = "submitted", _("Đã nộp")
    CHECKING = "checking", _("Đang thẩm định")
    AWAITING_VERIFICATION = "awaiting_verification", _("Chờ xác minh")
    NEEDS_SUPPLEMENT = "needs_supplement", _("Chờ bổ sung")
    APPROVED = "approved", _("Đã duyệt")
    REJECTED = "rejected", _("Từ chối")
    WITHDRAWN = "withdrawn", _("Đã rút")


OPEN_STATUSES = frozenset(
    {
        Status.DRAFT,
        Status.AWAITING_CONSENT,
        Status.SUBMITTED,
        Status.CHECKING,
        Status.AWAITING_VERIFICATION,
        Status.NEEDS_SUPPLEMENT,
    }
)
# States where the clock of the legal time limit runs and an officer has something to do.
QUEUE_STATUSES = frozenset({Status.SUBMITTED, Status.CHECKING, Status.AWAITING_VERIFICATION})


class Application(models.Model):
    number = models.CharField(_("số hồ sơ"), max_length=24, unique=True)
    kind = models.CharField(_("loại yêu cầu"), max_length=24, choices=Kind.choices)
    channel = models.CharField(_("kênh"), max_length=12, choices=ApplicationChannel.choices)
    status = FSMField(_("trạng thái"), max_length=24, choices=Status.choices, default=Status.DRAFT, protected=True)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    capacity = models.CharField(_("tư cách người nộp"), max_length=16, choices=Capacity.choices)
    intake_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Empty for a new account until approval; the organization concerned for every other kind.
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    category = models.CharField(_("loại tổ chức"), max_length=20, choices=Category.choices)
    # What the applicant submitted, normalized (Art. 6 fields; see applications.forms / services).
    data = models.JSONField(default=dict)
    name = models.CharField(_("tên tổ chức"), max_length=400)
    name_key = models.CharField(max_length=400, db_index=True)
    code = models.CharField(_("mã số"), max_length=40, blank=True)
    head_office = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    # The police unit's territory the request is routed to (its geo path) and the unit itself.
    unit = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=40, db_index=True)
    in_registry = models.BooleanField(default=False)  # decides the time limit (3 working days or 15 days)
    open_key = models.CharField(max_length=60, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)  # complete dossier: the clock starts
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The reason the applicant reads: for a rejection, or what to supply.
    decision_reason = models.TextField(_("lý do"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["unit_path", "status", "due_at"]),
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(fields=["code"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # Transitions: status only. Services call them, then save with update_fields.
    @transition(field=status, source=Status.DRAFT, target=Status.AWAITING_CONSENT)
    def ask_consent(self) -> None: ...

    @transition(field=status, source=[Status.DRAFT, Status.AWAITING_CONSENT], target=Status.SUBMITTED)
    def submit(self) -> None: ...

    @transition(field=status, source=Status.SUBMITTED, target=Status.CHECKING)
    def start_review(self) -> None: ...

    @transition(field=status, source=Status.CHECKING, target=Status.AWAITING_VERIFICATION)
    def await_verification(self) -> None: ...

    @transition(field=status, source=Status.AWAITING_VERIFICATION, target=Status.CHECKING)
    def resume(self) -> None: ...

    @transition(field=status, source=[Status.SUBMITTED, Status.CHECKING], target=Status.NEEDS_SUPPLEMENT)
    def ask_supplement(self) -> None: ...

    @transition(field=status, source=Status.NEEDS_SUPPLEMENT, target=Status.CHECKING)
    def supplement(self) -> None: ...

    @transition(field=status, source=Status.CHECKING, target=Status.APPROVED)
    def approve(self) -> None: ...

    @transition(
        field=status,
        source=[
            Status.AWAITING_CONSENT,
            Status.SUBMITTED,
            Status.CHECKING,
            Status.AWAITING_VERIFICATION,
            Status.NEEDS_SUPPLEMENT,
        ],
        target=Status.REJECTED,
    )
    def reject(self) -> None: ...

    @transition(field=status, source=list(OPEN_STATUSES), target=Status.WITHDRAWN)
    def withdraw(self) -> None: ...


class StatusChange(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=24, choices=Status.choices)
    to_status = models.CharField(max_length=24, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.from_status}→{self.to_status}"


class CheckKind(models.TextChoices):
    CODE_VALID = "code_valid", _("Mã số hợp lệ")
    CODE_KNOWN = "code_known", _("Có trong cơ sở dữ liệu đăng ký")
    STATUS_ACTIVE = "status_active", _("Đang hoạt động theo đăng ký")
    NAME_MATCH = "name_match", _("Tên khớp với đăng ký")
    REPRESENTATIVE_MATCH = "representative_match", _("Người đại diện khớp với đăng ký")
    JURISDICTION = "jurisdiction", _("Trụ sở thuộc địa bàn")
    DUPLICATE = "duplicate", _("Không trùng hoặc tranh chấp với hồ sơ khác")
    ALREADY_ISSUED = "already_issued", _("Tổ chức chưa được cấp tài khoản")


class CheckOutcome(models.TextChoices):
    PASS = "pass", _("Khớp")
    MISMATCH = "mismatch", _("Không khớp")
    NOT_FOUND = "not_found", _("Không tìm thấy")
    SKIPPED = "skipped", _("Không áp dụng")


class Check(models.Model):
    """One automatic check, with both values so the officer sees what differs."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=24, choices=CheckKind.choices)
    outcome = models.CharField(max_length=12, choices=CheckOutcome.choices)
    submitted_value = models.CharField(max_length=500, blank=True)
    registry_value = models.CharField(max_length=500, blank=True)
    registry_source = models.CharField(max_length=20, blank=True)
    score = models.FloatField(null=True, blank=True)  # name similarity, 0–100
    detail = models.CharField(max_length=500, blank=True)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["application", "kind"], name="applications_one_check_kind")]

    def __str__(self) -> str:
        return f"{self.kind}={self.outcome}"


class DocumentKind(models.TextChoices):
    AUTHORIZATION_LETTER = "authorization_letter", _("Văn bản ủy quyền")
    FOUNDING_DOCUMENT = "founding_document", _("Văn bản thành lập")
    ID_CARD_SCAN = "id_card_scan", _("Bản chụp thẻ căn cước")
    REQUEST_FORM = "request_form", _("Tờ khai (TK02)")
    AUTHORITY_REQUEST = "authority_request", _("Văn bản yêu cầu của cơ quan có thẩm quyền")
    SUPPLEMENT = "supplement", _("Tài liệu bổ sung")
    VERIFICATION_ANSWER = "verification_answer", _("Tài liệu trả lời xác minh")
    OTHER = "other", _("Khác")


class Document(models.Model):
    """A PDF/JPEG/PNG kept sealed (core.sealed) with its request; SHA-256 of the plain bytes."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    verification = models.ForeignKey(
        "VerificationRequest", on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("loại tài liệu"), max_length=24, choices=DocumentKind.choices)
    file_ref = models.CharField(max_length=80, editable=False)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.file_name


class ConsentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ đồng ý")
    GIVEN = "given", _("Đã đồng ý")
    REFUSED = "refused", _("Từ chối")


class Consent(models.Model):
    """Another legal representative's consent (Decree 69 Art. 12), asked before the request goes on."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="consents")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person_digest = models.CharField(max_length=64)
    person_masked = models.CharField(max_length=24)
    person_name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("lý do không đồng ý"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "person_digest"], name="applications_one_consent"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.person_masked} {self.status}"


class VerificationStatus(models.TextChoices):
    OPEN = "open", _("Chờ trả lời")
    ANSWERED = "answered", _("Đã trả lời")
    CANCELLED = "cancelled", _("Đã hủy")


class VerificationRequest(models.Model):
    """A question to a partner agency (by source) or to a lower police unit; the request waits."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="verifications")
    partner_source = models.CharField(max_length=20, blank=True)  # registries.sources.Source
    unit = models.ForeignKey(
        "geo.AdministrativeUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    question = models.TextField(_("nội dung cần xác minh"))
    status = models.CharField(max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.OPEN)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    answer = models.TextField(_("kết quả xác minh"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["partner_source", "status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.application_id} → {self.partner_source or self.unit_id}"


class SignOff(models.Model):
    """One officer's approval of a request that needs two (four-eyes, decision 0011).

    ``evidence`` fingerprints what the officer saw (the request's data and its checks): a sign-off
    counts only while the request still shows the same, so new checks or a supplement need a new one.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="sign_offs")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    evidence = models.CharField(max_length=64)
    reasons = models.JSONField(default=list)  # the check kinds / request kind that asked for two officers
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "officer", "evidence"], name="applications_one_sign_off_per_evidence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.officer_id}"
