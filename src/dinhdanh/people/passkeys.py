"""Passkeys: the WebAuthn registration and authentication ceremonies (W3C WebAuthn Level 3, §7), via py_webauthn.

User verification is required in both ceremonies: a passkey here stands for "something you have and
something you are" (the plans' "vân tay/khuôn mặt"), so it serves alone for a passwordless sign-in
and as the second factor after a password.

Each ceremony's challenge is used once (``people.challenges``): a known person's waits in their session,
a passwordless sign-in's in a signed cookie, spent in the transaction that records its outcome
(``people.passkey_signin``). Assertions are checked in ``people.assertions``.

Nothing here logs a credential id, a public key, a challenge or client data; a refusal logs the
library's exception class only.

py_webauthn (with its CBOR, COSE and ASN.1 parsers) is imported by the ceremonies that use it, not when
the module loads: the URL configuration imports this module, and a process that never runs a ceremony
should not hold the library (about 14 MB; decision 0049).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError
from dinhdanh.core.text import clean, nfc
from dinhdanh.notifications.services import notify_user
from dinhdanh.people import challenges
from dinhdanh.people.assertions import check_assertion, record_use, rp_context, user_handle
from dinhdanh.people.assurance import require_fresh_factor
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import Passkey, User
from dinhdanh.people.totp import drop_orphan_recovery_codes, has_totp

if TYPE_CHECKING:
    from webauthn.helpers.cose import COSEAlgorithmIdentifier
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

__all__ = [
    "REGISTER",
    "SECOND_FACTOR",
    "SIGNIN",
    "STEP_UP",
    "authentication_options",
    "authentication_verify",
    "passkey_remove",
    "passkey_rename",
    "registration_options",
    "registration_verify",
    "rp_context",
    "signin_options",
    "user_handle",
]

log = logging.getLogger(__name__)

REGISTER: Final = "register"
SIGNIN: Final = "signin"
SECOND_FACTOR: Final = "second_factor"
STEP_UP: Final = "step_up"
_PURPOSES = frozenset({REGISTER, SIGNIN, SECOND_FACTOR, STEP_UP})

NAME_MAX_LENGTH = 80
# §7.1 step 24 (WebAuthn L3): credential ids longer than 1023 bytes must be refused.
CREDENTIAL_ID_MAX_BYTES = 1023


def _algorithms() -> list[COSEAlgorithmIdentifier]:
    """ES256 first: every platform authenticator offers it; EdDSA and RS256 for security keys and Windows Hello."""
    from webauthn.helpers.cose import COSEAlgorithmIdentifier  # noqa: PLC0415  (lazy: see the module's note)

    return [
        COSEAlgorithmIdentifier.ECDSA_SHA_256,
        COSEAlgorithmIdentifier.EDDSA,
        COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
    ]


def _transport_names() -> frozenset[str]:
    from webauthn.helpers.structs import AuthenticatorTransport  # noqa: PLC0415  (lazy: see the module's note)

    return frozenset(t.value for t in AuthenticatorTransport)


def _timeout_ms() -> int:
    return int(settings.WEBAUTHN_CHALLENGE_SECONDS) * 1000


# --- challenge state (people.challenges) ---------------------------------------------------------------


def _store_state(request: HttpRequest, purpose: str, challenge: bytes, user: User | None) -> None:
    if purpose not in _PURPOSES or purpose == SIGNIN:
        raise ValueError(f"no session challenge for purpose {purpose!r}")
    challenges.store(request, purpose, challenge, user)


def _take_state(request: HttpRequest, purpose: str, user: User | None) -> bytes:
    if purpose not in _PURPOSES or purpose == SIGNIN:
        raise ValueError(f"no session challenge for purpose {purpose!r}")
    return challenges.take(request, purpose, user)


def _refuse(ceremony: str, exc: Exception | None = None, reason: str = "") -> DomainError:
    # The class name or a fixed reason only: exception texts may quote client data.
    log.info("passkey %s refused: %s", ceremony, type(exc).__name__ if exc is not None else reason)
    return DomainError(PeopleError.PASSKEY_INVALID)


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    from webauthn.helpers.structs import (  # noqa: PLC0415  (lazy: see the module's note)
        AuthenticatorTransport,
        PublicKeyCredentialDescriptor,
    )

    known = {t.value: t for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=bytes(credential_id),
            transports=[known[t] for t in transports if isinstance(t, str) and t in known] or None,
        )
        for credential_id, transports in Passkey.objects.filter(user=user).values_list(
            "credential_id", "transports"
        )
    ]


# --- registration (§7.1) --------------------------------------------------------------------------------


def registration_options(*, request: HttpRequest, user: User) -> dict[str, Any]:
    """``PublicKeyCredentialCreationOptionsJSON`` for ``navigator.credentials.create``."""
    from webauthn import generate_registration_options  # noqa: PLC0415  (lazy: see the module's note)
    from webauthn.helpers import options_to_json_dict  # noqa: PLC0415
    from webauthn.helpers.structs import (  # noqa: PLC0415
        AttestationConveyancePreference,
        AuthenticatorSelectionCriteria,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    if has_totp(user) or Passkey.objects.filter(user=user).exists():
        require_fresh_factor()  # the first factor follows a password sign-in; another is a sensitive change
    rp_id, _origin = rp_context(request)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_id=user_handle(user),
        # What the authenticator shows in its account picker: never the full personal ID number.
        user_name=user.personal_id_masked,
        user_display_name=user.full_name,
        timeout=_timeout_ms(),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            # Discoverable where possible, so the same passkey also signs in without a password.
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        # §5.4.3 excludeCredentials: one authenticator is not registered twice for the same person.
        exclude_credentials=_descriptors(user),
        supported_pub_key_algs=_algorithms(),
    )
    _store_state(request, REGISTER, options.challenge, user)
    return options_to_json_dict(options)


def _name(name: object) -> str:
    text = name if isinstance(name, str) else ""
    if not nfc(text):
        return _("Khóa truy cập")
    return clean(text, field="name", max_length=NAME_MAX_LENGTH)


def _transports(credential: Mapping[str, Any]) -> list[str]:
    response = credential.get("response")
    given = response.get("transports") if isinstance(response, Mapping) else None
    if not isinstance(given, list):
        return []
    known = _transport_names()
    return sorted({t for t in given[:16] if isinstance(t, str) and t in known})


def registration_verify(*, request: HttpRequest, user: User, credential: dict[str, Any], name: str) -> Passkey:
    """Check the attestation response and store the new credential for ``user``."""
    from webauthn import verify_registration_response  # noqa: PLC0415  (lazy: see the module's note)

    label = _name(name)
    challenge = _take_state(request, REGISTER, user)
    rp_id, origin = rp_context(request)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
            supported_pub_key_algs=_algorithms(),
        )
    except Exception as exc:
        # Malformed input reaches the library's parsers (base64, CBOR, COSE) and surfaces as any of
        # a dozen exception types; every one of them means the same thing to the person.
        raise _refuse("registration", exc) from None
    if len(verified.credential_id) > CREDENTIAL_ID_MAX_BYTES:
        raise _refuse("registration", reason="credential id too long")
    # §7.1 step 25: a credential id already registered (to anyone) is refused.
    if Passkey.objects.filter(credential_id=verified.credential_id).exists():
        raise _refuse("registration", reason="credential already registered")
    try:
        with transaction.atomic():
            passkey = Passkey.objects.create(
                user=user,
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=_transports(credential),
                aaguid=str(verified.aaguid)[:36],
                backed_up=verified.credential_backed_up,
                name=label,
            )
            audit.record(
                PeopleAction.PASSKEY_ADDED,
                actor=user,
                obj=passkey,
                after={"name": label, "aaguid": passkey.aaguid, "backed_up": passkey.backed_up},
            )

            notify_user(user, "factor_added", {"factor": "passkey"})
    except IntegrityError:
        # The same credential registered by a concurrent request between the check and the insert.
        raise _refuse("registration", reason="credential already registered") from None
    return passkey


# --- authentication (§7.2) ------------------------------------------------------------------------------


def _request_options(
    request: HttpRequest, allowed: list[PublicKeyCredentialDescriptor]
) -> tuple[dict[str, Any], bytes]:
    from webauthn import generate_authentication_options  # noqa: PLC0415  (lazy: see the module's note)
    from webauthn.helpers import options_to_json_dict  # noqa: PLC0415
    from webauthn.helpers.structs import UserVerificationRequirement  # noqa: PLC0415

    rp_id, _origin = rp_context(request)
    options = generate_authentication_options(
        rp_id=rp_id,
        timeout=_timeout_ms(),
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json_dict(options), options.challenge


def signin_options(*, request: HttpRequest) -> tuple[dict[str, Any], bytes]:
    """Options for a passwordless sign-in, and their challenge, which the caller hands to the browser
    (``challenges.hand_over``): allowCredentials stays empty, and the authenticator offers its
    discoverable credentials for this RP."""
    return _request_options(request, [])


def authentication_options(*, request: HttpRequest, purpose: str, user: User) -> dict[str, Any]:
    """``PublicKeyCredentialRequestOptionsJSON`` for ``navigator.credentials.get`` by a known person
    (second factor, step-up): only that person's passkeys are allowed; the challenge waits in the
    session."""
    if purpose in (REGISTER, SIGNIN):
        raise ValueError(f"purpose {purpose!r} has its own options")
    allowed = _descriptors(user)
    if not allowed:
        raise DomainError(PeopleError.PASSKEY_NOT_FOUND)
    options, challenge = _request_options(request, allowed)
    _store_state(request, purpose, challenge, user)
    return options


def authentication_verify(
    *, request: HttpRequest, purpose: str, credential: dict[str, Any], user: User
) -> Passkey:
    """Check a known person's assertion against the challenge in their session; returns the passkey
    used, its counter and last use already updated.

    Raises CHALLENGE_EXPIRED (no live challenge for this purpose and user) or PASSKEY_INVALID
    (anything about the response itself), and nothing else.
    """
    if purpose in (REGISTER, SIGNIN):
        raise ValueError(f"purpose {purpose!r} is verified elsewhere")
    challenge = _take_state(request, purpose, user)
    used = record_use(check_assertion(request=request, challenge=challenge, credential=credential, user=user))
    if used is None:
        raise DomainError(PeopleError.PASSKEY_INVALID)
    return used


# --- managing one's passkeys ----------------------------------------------------------------------------


def _own(user: User, passkey_id: int) -> Passkey:
    passkey = Passkey.objects.filter(pk=passkey_id, user=user).first()
    if passkey is None:
        # Another person's passkey and a missing one look the same.
        raise DomainError(PeopleError.PASSKEY_NOT_FOUND)
    return passkey


def passkey_remove(*, user: User, passkey_id: int) -> None:
    require_fresh_factor()
    with transaction.atomic():
        passkey = _own(user, passkey_id)
        audit.record(PeopleAction.PASSKEY_REMOVED, actor=user, obj=passkey, before={"name": passkey.name})
        passkey.delete()
        drop_orphan_recovery_codes(user)


def passkey_rename(*, user: User, passkey_id: int, name: str) -> Passkey:
    label = clean(name, field="name", max_length=NAME_MAX_LENGTH)
    with transaction.atomic():
        passkey = _own(user, passkey_id)
        before = passkey.name
        passkey.name = label
        passkey.save(update_fields=["name"])
        audit.record(
            PeopleAction.PASSKEY_RENAMED, actor=user, obj=passkey, before={"name": before}, after={"name": label}
        )
    return passkey
