"""Recipients: checked before storing and again before sending, masked for display, kept out of errors."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from dinhdanh.core.phones import is_phone_number
from dinhdanh.notifications.backends import PermanentDeliveryError
from dinhdanh.notifications.models import REDACTED, Channel

MAX_LENGTH = 254
ERROR_LENGTH = 300
_PHONE_SEPARATORS = str.maketrans("", "", " .-()")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# PostgreSQL refuses NUL and nothing encodes a lone surrogate: either would fail the caller's transaction.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
_ADDRESS = re.compile(r"[^\s@<>\"']+@[^\s@<>\"']+")
_LONG_NUMBER = re.compile(r"\d{5,}")


class InvalidRecipientError(PermanentDeliveryError):
    """Not an address this channel can send to; sending again will not help."""


def normalized(channel: Channel, to: str) -> str:
    to = to.strip()
    if channel == Channel.SMS:
        return to.translate(_PHONE_SEPARATORS)
    return to


def check(channel: Channel, to: str) -> None:
    """Raise :class:`InvalidRecipientError` unless ``to`` is one plain phone number or e-mail address.

    A control character in an e-mail address is how headers get injected ("a@b.vn\\nBcc: ..."), and a
    comma or a display name would turn one recipient into several: only a bare address passes.
    """
    if _CONTROL.search(to):
        raise InvalidRecipientError("the recipient contains control characters")
    if len(to) > MAX_LENGTH:
        raise InvalidRecipientError(f"the recipient is longer than {MAX_LENGTH} characters")
    if channel == Channel.SMS:
        if not is_phone_number(to):
            raise InvalidRecipientError("not a valid phone number (Vietnamese, or international after +)")
        return
    try:
        validate_email(to)
    except ValidationError:
        raise InvalidRecipientError("not a single e-mail address") from None


def storable(text: str) -> str:
    return _UNSTORABLE.sub("\ufffd", text)


def masked(channel: str, to: str) -> str:
    """``09******67`` or ``a***@example.com``: enough to tell messages apart, not to read the address."""
    to = _CONTROL.sub("?", to)
    if channel == Channel.EMAIL:
        local, at, domain = to.rpartition("@")
        if not at or not local:
            return "***"
        return f"{local[0]}***@{domain}"
    if len(to) <= 4:
        return "*" * len(to)
    return f"{to[:2]}{'*' * (len(to) - 4)}{to[-2:]}"


def describe(exc: BaseException, *, secrets: Iterable[str]) -> str:
    """The exception's class and message, short, without the recipient or any one-time code.

    Gateways and mail servers like to echo what they refused ("550 <an@example.com>: no such user"),
    sometimes escaped, so the known secrets go in both forms and anything shaped like an address or a
    phone number goes too.
    """
    text = str(exc)
    for secret in sorted({s for s in secrets if len(s) >= 2}, key=len, reverse=True):
        text = text.replace(secret, REDACTED).replace(repr(secret)[1:-1], REDACTED)
    text = _ADDRESS.sub(f"{REDACTED}@{REDACTED}", text)
    text = _LONG_NUMBER.sub(REDACTED, text)
    text = " ".join(_CONTROL.sub(" ", text).split())
    name = type(exc).__name__
    return (f"{name}: {text}" if text else name)[:ERROR_LENGTH]
