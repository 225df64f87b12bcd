"""Federation tables (issue 12): signing keys, the relying-party registry, consent, and the codes,
tokens and pushed requests the protocol issues (only keyed digests or ids of them, never the values)."""

from __future__ import annotations

from django.conf import settings
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


class Profile(models.TextChoices):
    """A client's security posture, as data (ARCHITECTURE rule 5)."""

    BASIC = "basic", _("Cơ bản (OpenID Connect)")
    FAPI2 = "fapi2", _("FAPI 2.0 (PAR, private_key_jwt, DPoP)")


class AuthMethod(models.TextChoices):
    """How a client proves itself at the token endpoint (RFC 7591 §2 names)."""

    SECRET_BASIC = "client_secret_basic", "client_secret_basic"
    PRIVATE_KEY_JWT = "private_key_jwt", "private_key_jwt"
    NONE = "none", _("không (ứng dụng công khai, PKCE)")


class SubjectType(models.TextChoices):
    PUBLIC = "public", _("Công khai")
    PAIRWISE = "pairwise", _("Riêng theo lĩnh vực")


class Client(models.Model):
    """A relying party, registered by a system administrator (issue 12.4)."""

    client_id = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    logo_uri = models.URLField(_("biểu trưng"), max_length=500, blank=True)
    redirect_uris = models.JSONField(default=list)  # exact strings (RFC 9700 §4.1.3)
    post_logout_redirect_uris = models.JSONField(default=list, blank=True)
    profile = models.CharField(max_length=8, choices=Profile.choices, default=Profile.BASIC)
    auth_method = models.CharField(max_length=24, choices=AuthMethod.choices)
    # A keyed digest of the secret (decision 0032); the secret itself is shown once, when made.
    secret_digest = models.CharField(max_length=64, blank=True, editable=False)
    jwks = models.JSONField(null=True, blank=True)  # public keys for private_key_jwt and signed requests
    jwks_uri = models.URLField(max_length=500, blank=True)
    scopes = models.JSONField(default=list)  # what it may ask for
    service = models.ForeignKey(
        "organizations.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # what a member's grant must cover for them to sign in here as their organization
    subject_type = models.CharField(max_length=8, choices=SubjectType.choices, default=SubjectType.PUBLIC)
    sector = models.CharField(max_length=255, blank=True)  # the host pairwise subjects are derived for
    id_token_alg = models.CharField(max_length=8, choices=SigningAlg.choices, default=SigningAlg.ES256)
    # The law that lets this relying party receive the personal identification number (Decree 69/2024
    # Art. 13, Law 91/2025 on personal data); without one the ``personal_id`` scope cannot be registered.
    legal_basis = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bên sử dụng")
        verbose_name_plural = _("bên sử dụng")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class AuthorizationCode(models.Model):
    """A code handed to the client's redirect URI (RFC 6749 §4.1.2): single use, 60 seconds (FAPI 2.0
    §5.3.2.1), bound to the PKCE challenge (RFC 7636) and to the organization the person chose to act
    for in this authorization. Only a keyed digest of the code is stored."""

    digest = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    redirect_uri = models.CharField(max_length=512)
    scope = models.CharField(max_length=500)
    nonce = models.CharField(max_length=255, blank=True)
    code_challenge = models.CharField(max_length=128)
    dpop_jkt = models.CharField(max_length=64, blank=True)  # RFC 9449 §10: the key the code is bound to
    consent = models.ForeignKey("Consent", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    acr = models.CharField(max_length=64)
    auth_time = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.client_id}:{self.pk}"


class AccessToken(models.Model):
    """A person's access token this provider issued (a JWT, RFC 9068): its ``jti`` is what
    introspection, revocation and userinfo look up; the token itself is never stored. It names the
    organization they act for (chosen in that authorization), if any, and the code, consent and refresh
    token it came from, which revoke it when they are revoked. A client's own tokens (client
    credentials) have no row: they are checked from their signature, and a revoked one is a
    ``RevokedJti`` (decision 0034)."""

    jti = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    # The nullable links are indexed only where set (the indexes below): a row without one costs no
    # index entry, and every query by them names a value.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        db_index=False,
    )  # fmt: skip
    code = models.ForeignKey(
        AuthorizationCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    consent = models.ForeignKey(
        "Consent", on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    refresh = models.ForeignKey(
        "RefreshToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    dpop_jkt = models.CharField(max_length=64, blank=True)  # RFC 9449 §6: the key it is bound to
    scope = models.CharField(max_length=500, blank=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=[name], condition=models.Q(**{f"{name}__isnull": False}), name=f"federation_at_{name}"
            )
            for name in ("user", "organization", "code", "consent", "refresh")
        ]

    def __str__(self) -> str:
        return self.jti


class RevokedJti(models.Model):
    """A client-credentials access token revoked before its expiry (RFC 7009): such tokens have no row
    of their own, so introspection refuses one whose ``jti`` is here. Kept until the token expires,
    then pruned (``protocol.tokens.prune_expired``)."""

    jti = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.jti


class AssertionJti(models.Model):
    """A client assertion's ``jti``, kept until the assertion expires: the same one twice is a replay
    (RFC 7523 §3, FAPI 2.0 §5.3.2.1)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "jti"], name="federation_assertion_jti_once")]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.jti}"


class Consent(models.Model):
    """What a person allowed a relying party to know, as themselves or as one organization: listed and
    revocable on their account page; revoking it revokes every token it covered (issue 12.4)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    scope = models.CharField(max_length=500)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.client_id}:{self.organization_id}"


class RefreshToken(models.Model):
    """A refresh token (RFC 6749 §6), kept as a keyed digest. For ``basic`` clients it is rotated on
    every use and a used one presented again revokes its whole family (OAuth 2.0 Security BCP §4.14.2);
    for ``fapi2`` clients it is bound to the DPoP key and not rotated (FAPI 2.0 §5.3.2.1)."""

    digest = models.CharField(max_length=64, unique=True)
    family = models.CharField(max_length=32, db_index=True)  # every rotation of one grant shares it
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    code = models.ForeignKey(AuthorizationCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    scope = models.CharField(max_length=500)
    acr = models.CharField(max_length=64)
    auth_time = models.DateTimeField()
    dpop_jkt = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)  # rotated: presenting it again is reuse
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.client_id}:{self.family}"


class PushedRequest(models.Model):
    """A pushed authorization request (RFC 9126): the client's parameters, authenticated at the PAR
    endpoint, referenced by a single-use ``request_uri`` that lives less than 600 s (FAPI 2.0 §5.3.2.2)."""

    reference = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    params = models.JSONField()
    dpop_jkt = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.client_id}:{self.pk}"


class DpopProof(models.Model):
    """A DPoP proof's ``jti`` (RFC 9449 §11.1), kept while its ``iat`` is acceptable: twice is a replay."""

    jkt = models.CharField(max_length=64)
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["jkt", "jti"], name="federation_dpop_jti_once")]

    def __str__(self) -> str:
        return f"{self.jkt}:{self.jti}"


class ActingDefault(models.Model):
    """The organization a person signs in as by default (preselected on the consent page; used by
    ``prompt=none`` when the relying party names none). None: as themselves."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}:{self.organization_id}"
