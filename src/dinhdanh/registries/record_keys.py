"""What tells one source's records apart (its unique key): the code, or, for an organization listed
without one, its name and commune.

Home-affairs, survey and police lists may list organizations without a code (religious bodies,
village groups, units without registration: ``fields``), matched on name and commune. Two of them in
one list once collided on the records' unique (source, code) and stopped the whole import with a
database error. Their key is a digest of the name key and the commune code behind ``UNCODED``, a
character no accepted code has (tax, agency and registration codes are ASCII letters, digits, dots
and hyphens), so the code column stays what the source wrote: empty.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dinhdanh.registries.fields import RegistryRow

__all__ = ["UNCODED", "code_of", "is_uncoded", "key_of", "record_key", "uncoded_key"]

UNCODED = "~"


def uncoded_key(name_key: str, commune_code: str) -> str:
    """The key of a record without a code: 33 characters, within the column's 40."""
    digest = hashlib.blake2b(f"{name_key}\x1f{commune_code}".encode(), digest_size=16).hexdigest()
    return UNCODED + digest


def key_of(code: str, name_key: str, commune_code: str) -> str:
    return code or uncoded_key(name_key, commune_code)


def record_key(row: RegistryRow) -> str:
    return key_of(row.code, row.name_key, row.commune_code)


def is_uncoded(key: str) -> bool:
    return key.startswith(UNCODED)


def code_of(key: str) -> str:
    """The code column of the record with ``key``."""
    return "" if is_uncoded(key) else key
