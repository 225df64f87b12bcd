"""Vietnamese phone numbers, one rule for the whole platform (issue 11.7), by Google's libphonenumber
metadata (``phonenumbers``) rather than our own patterns, which disagreed in three places.

Numbers are kept in the national form people read and type ("0912345678", "02963812345"); a number
given as "+84 912 345 678" or "84912345678" is the same number.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

__all__ = ["as_e164", "is_phone_number", "parse_vn_phone"]

_MOBILE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_ALLOWED = frozenset("0123456789+ .-()")
_MAX_INPUT = 40  # no phone number is longer, separators included; the parser is never fed a novel


def parse_vn_phone(raw: object, *, mobile_only: bool = False) -> str | None:
    """The national form of a valid Vietnamese number, or None; ``mobile_only`` for SMS codes."""
    text = str(raw or "").strip()
    if not text or len(text) > _MAX_INPUT or not set(text) <= _ALLOWED:
        return None  # letters would be read as a keypad spelling ("1800-FLOWERS"), which no form means
    if text.isdigit() and text.startswith("84") and len(text) in (11, 12):
        text = "+" + text  # "84912345678": the country code without its plus sign
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        return None
    if mobile_only and phonenumbers.number_type(number) not in _MOBILE:
        return None
    return f"0{number.national_number}"


def as_e164(national: str) -> str | None:
    """ "0912345678" → "+84912345678" for SMS gateways; None when not a valid number."""
    parsed = parse_vn_phone(national)
    return None if parsed is None else f"+84{parsed[1:]}"


def is_phone_number(raw: str) -> bool:
    """A valid number of any country ("+33 6 12 34 56 78") or a Vietnamese one without its prefix:
    what an SMS gateway can be asked to deliver to (a foreigner's account may carry a foreign number)."""
    if not raw or len(raw) > _MAX_INPUT or not raw.lstrip("+").isdigit():
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(raw, "VN"))
    except phonenumbers.NumberParseException:
        return False
