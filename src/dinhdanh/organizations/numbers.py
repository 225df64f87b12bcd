"""The organization identification number (Decree 69 Art. 6.1: a natural-number sequence the system
generates). Format: a 10-digit zero-padded serial from a counter that only grows, plus a Luhn check
digit, 11 digits in all — one digit longer than a tax code and one shorter than a personal ID number,
so the three are never mistaken for one another, and a mistyped digit or swapped neighbours are caught.

The counter (``core.sequences``) is taken in the issuing transaction: if the issuance rolls back, the
counter rolls back with it, so no organization ever holds a number another one held.
"""

from __future__ import annotations

import re

from stdnum import luhn

from dinhdanh.core.errors import DomainError
from dinhdanh.core.sequences import next_value
from dinhdanh.organizations.errors import OrganizationError

__all__ = ["EID_LENGTH", "SEQUENCE", "eid_for", "is_valid_eid", "next_eid"]

SEQUENCE = "organization_eid"
SERIAL_DIGITS = 10
EID_LENGTH = SERIAL_DIGITS + 1
_EID = re.compile(rf"[0-9]{{{EID_LENGTH}}}")  # ASCII digits only: str.isdigit() accepts "١" and "²"


def eid_for(serial: int) -> str:
    """The number for a serial: "0000000001" + its Luhn check digit."""
    if not 0 < serial < 10**SERIAL_DIGITS:
        raise DomainError(OrganizationError.EID_EXHAUSTED)
    body = f"{serial:0{SERIAL_DIGITS}d}"
    return body + luhn.calc_check_digit(body)


def is_valid_eid(value: object) -> bool:
    """11 ASCII digits whose last one is the Luhn check digit of the first ten (serial 0 never issued)."""
    if not isinstance(value, str) or not _EID.fullmatch(value) or value[:-1] == "0" * SERIAL_DIGITS:
        return False
    return bool(luhn.is_valid(value))


def next_eid() -> str:
    """The next number. Run inside the issuing transaction (``core.sequences``)."""
    return eid_for(next_value(SEQUENCE))
