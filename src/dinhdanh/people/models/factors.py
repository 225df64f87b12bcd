"""Second factors (TOTP with recovery codes, passkeys) and one-time codes sent by SMS or e-mail."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.people.models.accounts import User


class TotpDevice(models.Model):
    """An authenticator app (RFC 6238). The secret is sealed; ``last_step`` refuses a replayed code."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    secret_sealed = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP #{self.pk}"


class RecoveryCode(models.Model):
    """A single-use code for when the phone is lost; only its keyed digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="people_recovery_code_unique")]

    def __str__(self) -> str:
        return f"recovery #{self.pk}"


class Passkey(models.Model):
    """A WebAuthn credential registered with user verification ("vân tay/khuôn mặt")."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    aaguid = models.CharField(max_length=36, blank=True)
    backed_up = models.BooleanField(default=False)
    name = models.CharField(_("tên khóa"), max_length=80)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class SpentChallenge(models.Model):
    """A passwordless sign-in challenge already answered (decision 0051).

    The challenge itself travels in a signed cookie, so nothing is stored when it is issued; the first
    answer stores its digest here, and any later answer to the same challenge finds it and is refused.
    Kept until the challenge would have expired anyway, then pruned (``people.challenges``)."""

    digest = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"challenge until {self.expires_at:%Y-%m-%d %H:%M}"


class OneTimeCode(models.Model):
    """A short code sent to a phone or mailbox. ``subject`` names what it confirms ("reg:<uuid>")."""

    purpose = models.CharField(max_length=32)
    subject = models.CharField(max_length=80, db_index=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} #{self.pk}"
