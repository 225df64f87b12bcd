"""What the trust services keep (issue 13). Decision 0037 says why each table exists.

Nothing here holds a personal identification number: questions carry one only for the time of the
call, attestations name the person by their stable subject and name.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- Power-of-Representation attestations and their status list (IETF Token Status List) -------------


class TokenStatus(models.IntegerChoices):
    """The status values of draft-ietf-oauth-status-list §7.1 (two bits an entry here)."""

    VALID = 0, _("còn hiệu lực")
    INVALID = 1, _("đã thu hồi")
    SUSPENDED = 2, _("tạm dừng")


class StatusList(models.Model):
    """One published status list: ``size`` entries of ``bits`` bits, served as a signed
    ``statuslist+jwt`` at ``/trust/status-lists/<id>``. Entries are handed out at random indexes so
    that an index says nothing about when or for whom an attestation was issued (§12.5 herd privacy)."""

    purpose = models.CharField(max_length=32, default="attestation")
    bits = models.PositiveSmallIntegerField(default=2)
    size = models.PositiveIntegerField(default=1 << 16)
    used = models.PositiveIntegerField(default=0)  # entries handed out; full when used == size
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("danh sách trạng thái")
        verbose_name_plural = _("danh sách trạng thái")

    def __str__(self) -> str:
        return f"status list {self.pk} ({self.used}/{self.size})"


class Attestation(models.Model):
    """A signed Power-of-Representation attestation (EUDI wallet's PoR shape): this person may act for
    this organization, with full powers or for these services, from … until …. The token itself is
    not kept (it names the person); its facts are, with its status entry."""

    jti = models.CharField(max_length=64, unique=True)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(
        "organizations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=16)  # organizations.MemberRole at issuance
    full_powers = models.BooleanField(default=False)
    services = models.JSONField(default=list, blank=True)  # service codes when not full powers
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    issued_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(  # the person who downloaded it, when not a relying party
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey(  # the relying party that asked for it through the API
        "federation.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_index = models.PositiveIntegerField()
    status = models.PositiveSmallIntegerField(choices=TokenStatus.choices, default=TokenStatus.VALID)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=64, blank=True)  # the domain event type that changed it

    class Meta:
        verbose_name = _("chứng thư quyền đại diện")
        verbose_name_plural = _("chứng thư quyền đại diện")
        constraints = [
            models.UniqueConstraint(fields=["status_list", "status_index"], name="trust_attestation_status_entry"),
        ]
        indexes = [models.Index(fields=["organization", "status"]), models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"attestation {self.jti}"


# --- Security Event Tokens to relying parties (RFC 8417, 8935 push, 8936 poll) --------------------------


class DeliveryMethod(models.TextChoices):
    PUSH = "push", _("đẩy qua HTTPS (RFC 8935)")
    POLL = "poll", _("bên sử dụng tự lấy (RFC 8936)")


class Receiver(models.Model):
    """How a relying party receives its notices. Push needs an HTTPS endpoint (HTTP on loopback only)
    and may carry an ``Authorization`` value for it, sealed at rest."""

    client = models.OneToOneField("federation.Client", on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=8, choices=DeliveryMethod.choices, default=DeliveryMethod.POLL)
    endpoint_url = models.URLField(max_length=500, blank=True)
    authorization_sealed = models.BinaryField(default=b"", blank=True, editable=False)  # core.sealed
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("nơi nhận thông báo")
        verbose_name_plural = _("nơi nhận thông báo")

    def __str__(self) -> str:
        return f"{self.client_id}: {self.method}"


class Subscription(models.Model):
    """A relying party follows an organization it serves (a member grant names its service, or a
    consent was given while acting for it)."""

    client = models.ForeignKey("federation.Client", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đăng ký nhận thông báo")
        verbose_name_plural = _("đăng ký nhận thông báo")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "organization"],
                condition=Q(ended_at__isnull=True),
                name="trust_subscription_live",
            ),
        ]
        indexes = [models.Index(fields=["organization"], condition=Q(ended_at__isnull=True), name="trust_sub_org")]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.organization_id}"


class NoticeState(models.TextChoices):
    PENDING = "pending", _("chờ gửi")
    DELIVERED = "delivered", _("đã gửi")  # push answered 202, or poll acknowledged
    DEAD = "dead", _("không gửi được")  # retries spent or refused for good: the dead-letter list


class Notice(models.Model):
    """One Security Event Token for one relying party, made from one domain event. Unique per
    (client, domain event, SET event type), so dispatching an event twice sends it once."""

    jti = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey("federation.Client", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    domain_event_id = models.BigIntegerField()
    event_type = models.CharField(max_length=200)  # the CAEP/RISC event URI
    token = models.TextField()  # the signed SET (it names the organization, never a person's number)
    state = models.CharField(max_length=12, choices=NoticeState.choices, default=NoticeState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo thay đổi")
        verbose_name_plural = _("thông báo thay đổi")
        constraints = [
            models.UniqueConstraint(fields=["client", "domain_event_id", "event_type"], name="trust_notice_once"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["client", "state"]),
        ]

    def __str__(self) -> str:
        return f"notice {self.jti} ({self.state})"


class EventCursor(models.Model):
    """How far a reader of ``core.DomainEvent`` has gone: events up to ``last_id`` that are older than
    the re-read window are done (newer ones are read again, so a transaction that committed late is
    not skipped; notices are unique, so reading twice sends once)."""

    name = models.CharField(max_length=64, unique=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_id}"


# --- the verification API ---------------------------------------------------------------------------


class RateWindow(models.Model):
    """Questions a client asked in one fixed window (per minute), for 429 and ``Retry-After``."""

    client = models.ForeignKey("federation.Client", on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "window_start"], name="trust_rate_window")]

    def __str__(self) -> str:
        return f"{self.client_id} @ {self.window_start:%H:%M}: {self.count}"


class Question(models.Model):
    """One verification question, kept so an organization sees who asked about it (audit both ways).
    The personal number asked about is never kept, only which kind of question and the answer."""

    client = models.ForeignKey("federation.Client", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=32)  # organization_active | representative | member
    service = models.CharField(max_length=64, blank=True)
    answer = models.CharField(max_length=16)  # yes | no | unknown
    asked_at = models.DateTimeField(default=timezone.now)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("câu hỏi xác minh")
        verbose_name_plural = _("câu hỏi xác minh")
        indexes = [models.Index(fields=["organization", "asked_at"]), models.Index(fields=["client", "asked_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.answer}"


# --- credentials that expire --------------------------------------------------------------------------


class CredentialKind(models.TextChoices):
    CLIENT_KEY = "client_key", _("khóa công khai của bên sử dụng")
    CLIENT_CERTIFICATE = "client_certificate", _("chứng thư số của bên sử dụng")
    PARTNER_CERTIFICATE = "partner_certificate", _("chứng thư số của cơ quan đối tác")


class TrackedCredential(models.Model):
    """A key or certificate of a relying party or a partner agency, with the day it stops working.
    Alerts go out 30, 7 and 1 days before (``alerts_sent`` keeps which were sent)."""

    kind = models.CharField(max_length=24, choices=CredentialKind.choices)
    client = models.ForeignKey(
        "federation.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    partner_source = models.CharField(max_length=20, blank=True)  # registries.Source for a partner agency
    label = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=128)  # RFC 7638 thumbprint or SHA-256 of the certificate
    not_after = models.DateTimeField()
    contact_email = models.EmailField(blank=True)
    alerts_sent = models.JSONField(default=list, blank=True)  # days-before values already alerted
    first_seen_at = models.DateTimeField(default=timezone.now)
    gone_at = models.DateTimeField(null=True, blank=True)  # no longer registered: no more alerts

    class Meta:
        verbose_name = _("khóa, chứng thư được theo dõi hạn")
        verbose_name_plural = _("khóa, chứng thư được theo dõi hạn")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "fingerprint"], condition=Q(gone_at__isnull=True), name="trust_credential_live"
            ),
        ]
        indexes = [models.Index(fields=["not_after"])]

    def __str__(self) -> str:
        return f"{self.label} ({self.not_after:%Y-%m-%d})"
