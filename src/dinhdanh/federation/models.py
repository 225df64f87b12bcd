"""Federation tables (issue 12). Signing keys first: the rest of the provider (clients, grants,
tokens, consent) comes with the flows that use it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SigningAlg(models.TextChoices):
    """What ID tokens and JWT access tokens are signed with: FAPI 2.0 §5.4 allows PS256, ES256 and
    EdDSA (Ed25519); nothing else is ever issued or accepted."""

    ES256 = "ES256", "ES256"
    PS256 = "PS256", "PS256"
    EDDSA = "EdDSA", "EdDSA"


class SigningKey(models.Model):
    """One key pair. It signs while it is the newest of its algorithm and not retired; it is published
    in the JWKS until ``publish_until`` (after every token it signed has expired), then dropped — its
    private half erased at retirement already."""

    kid = models.CharField(max_length=64, unique=True)  # the RFC 7638 thumbprint of the public key
    alg = models.CharField(max_length=8, choices=SigningAlg.choices)
    public_jwk = models.JSONField()
    private_sealed = models.BinaryField(default=b"", blank=True, editable=False)  # core.sealed
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    publish_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khóa ký")
        verbose_name_plural = _("khóa ký")
        indexes = [models.Index(fields=["alg", "retired_at"])]

    def __str__(self) -> str:
        return f"{self.alg} {self.kid}"
