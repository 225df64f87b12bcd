"""Checking a passkey assertion (W3C WebAuthn Level 3, §7.2) apart from recording it, via py_webauthn.

``check_assertion`` reads and verifies, writing nothing; ``record_use`` moves the counter. The callers
put the recording in the transaction that records what the assertion led to (``people.passkey_signin``
for a passwordless sign-in; ``people.passkeys`` for a known person's second factor or step-up).

Nothing here logs a credential id, a public key, a challenge or client data; a refusal logs a fixed
reason or the library's exception class only. py_webauthn is imported where it is used
(``people.passkeys`` says why).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils import timezone

from dinhdanh.core.keys import blind_index
from dinhdanh.people import rows
from dinhdanh.people.models import Passkey, User

__all__ = [
    "Checked",
    "check_assertion",
    "check_found",
    "find_with_block",
    "owner_of",
    "record_use",
    "rp_context",
    "user_handle",
]

log = logging.getLogger("dinhdanh.people.passkeys")


# --- relying party ---------------------------------------------------------------------------------------


def rp_context(request: HttpRequest) -> tuple[str, str]:
    """The RP ID and the origin the browser must report (§5.1.4.1 step 7, §7.1 step 9).

    ``get_host`` has already checked the host against ALLOWED_HOSTS, so a forged Host header cannot
    make us accept assertions made for another site.
    """
    host = request.get_host()
    rp_id = settings.WEBAUTHN_RP_ID or split_domain_port(host)[0]
    scheme = "https" if request.is_secure() else "http"
    return rp_id, f"{scheme}://{host}"


def user_handle(user: User) -> bytes:
    """The WebAuthn user.id (§5.4.3): opaque, stable and free of personal data, as the spec asks.

    A keyed digest of the primary key needs no column and reveals neither the personal ID number nor
    how many accounts there are.
    """
    return bytes.fromhex(blind_index("webauthn-user-handle", str(user.pk)))


def _raw_id(credential: object) -> bytes | None:
    from webauthn.helpers import base64url_to_bytes  # noqa: PLC0415  (lazy: see the module's note)

    if not isinstance(credential, Mapping):
        return None
    raw = credential.get("rawId")
    # Base64url of 1023 bytes is 1364 characters; anything longer cannot be ours.
    if not isinstance(raw, str) or not raw or len(raw) > 1400:
        return None
    try:
        return base64url_to_bytes(raw)
    except ValueError:  # binascii.Error included; also non-ASCII text
        return None


def _find(credential: object) -> Passkey | None:
    raw = _raw_id(credential)
    found = rows.PASSKEY_WITH_OWNER.first(raw) if raw else None
    return found[0] if found is not None else None


def find_with_block(
    credential: object, *, key: tuple[str, str], now: datetime
) -> tuple[Passkey | None, datetime | None]:
    """The passkey an assertion names (with its owner) and the end of the block on the throttle ``key``
    (the client's address), read together; for an unknown credential (None, None): the caller reads
    the block itself."""
    raw = _raw_id(credential)
    found = rows.PASSKEY_OWNER_BLOCK.first(raw, key=key, now=now) if raw else None
    return found if found is not None else (None, None)


def owner_of(credential: object) -> User | None:
    """Whose passkey an assertion names, to file a failed attempt under that account's history."""
    passkey = _find(credential)
    return passkey.user if passkey is not None else None


def _user_handle_matches(credential: Mapping[str, Any], owner: User, *, required: bool) -> bool:
    """§7.2 step 6: the userHandle, required when nobody was identified beforehand, must be the owner's."""
    from webauthn.helpers import base64url_to_bytes  # noqa: PLC0415  (lazy: see the module's note)

    response = credential.get("response")
    given = response.get("userHandle") if isinstance(response, Mapping) else None
    if given is None or given == "":
        return not required
    if not isinstance(given, str) or len(given) > 200:
        return False
    try:
        handle = base64url_to_bytes(given)
    except ValueError:
        return False
    return hmac.compare_digest(handle, user_handle(owner))


@dataclass(frozen=True)
class Checked:
    """An assertion checked against its challenge, nothing recorded yet: the passkey it names (when it
    names one of ours), and what to record, or why it is refused."""

    passkey: Passkey | None
    sign_count: int = 0
    backed_up: bool = False
    refusal: str = ""  # a fixed reason or an exception's class name, never client data

    @property
    def owner(self) -> User | None:
        return self.passkey.user if self.passkey is not None else None


def check_assertion(
    *, request: HttpRequest, challenge: bytes, credential: dict[str, Any], user: User | None
) -> Checked:
    """Check an assertion (§7.2) without writing anything; ``user``: the person identified beforehand,
    None for a passwordless sign-in. A refusal is logged by its reason only."""
    return check_found(
        request=request, challenge=challenge, credential=credential, user=user, passkey=_find(credential)
    )


def check_found(
    *,
    request: HttpRequest,
    challenge: bytes,
    credential: dict[str, Any],
    user: User | None,
    passkey: Passkey | None,
) -> Checked:
    """:func:`check_assertion` with the passkey already looked up (``find_with_block``)."""
    from webauthn import verify_authentication_response  # noqa: PLC0415  (lazy: see the module's note)

    if passkey is None:
        return _refused(None, "unknown credential")
    # §7.2 step 5/6: the credential must belong to the person identified beforehand, if any.
    if user is not None and passkey.user_id != user.pk:
        return _refused(passkey, "credential of another account")
    if not _user_handle_matches(credential, passkey.user, required=user is None):
        return _refused(passkey, "user handle mismatch")
    rp_id, origin = rp_context(request)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            # §7.2 step 17; the library also refuses a signature counter that did not increase while
            # either side is non-zero (step 21: a possibly cloned authenticator).
            require_user_verification=True,
        )
    except Exception as exc:
        # Malformed input reaches the library's parsers and surfaces as any of a dozen exception types.
        return _refused(passkey, type(exc).__name__)
    return Checked(passkey, verified.new_sign_count, verified.credential_backed_up)


def _refused(passkey: Passkey | None, reason: str) -> Checked:
    log.info("passkey authentication refused: %s", reason)
    return Checked(passkey, refusal=reason)


def record_use(checked: Checked) -> Passkey | None:
    """Move the passkey's counter and last use to what a good assertion says; None when the assertion
    was refused or the counter moved meanwhile (two requests with one counter value: one wins)."""
    passkey = checked.passkey
    if passkey is None or checked.refusal:
        return None
    now = timezone.now()
    moved = rows.MOVE_COUNTER.run(
        # §7.2 step 18: the backup state may change over time.
        [checked.sign_count, now, checked.backed_up],
        [passkey.pk, passkey.sign_count],
    )
    if moved != 1:
        log.info("passkey authentication refused: counter changed concurrently")
        return None
    passkey.sign_count, passkey.last_used_at, passkey.backed_up = checked.sign_count, now, checked.backed_up
    return passkey
