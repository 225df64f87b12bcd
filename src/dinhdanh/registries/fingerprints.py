"""A registry row's fingerprint: what the registry says about the organization, to tell "unchanged"
rows on the next import (issue 17.1: unchanged rows are not written)."""

from __future__ import annotations

import hashlib
import json

from dinhdanh.core.text import fold
from dinhdanh.registries.fields import RegistryRow
from dinhdanh.registries.statuses import RegistryStatus

__all__ = ["row_fingerprint"]

_FINGERPRINT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # as json.dumps with these


def row_fingerprint(row: RegistryRow) -> str:
    """SHA-256 (hex) of what the registry says about the organization, to detect "unchanged" rows.

    Derived values (``name_key``, repairs, flags) are left out: the same facts written differently in
    the file (NFD, extra spaces, a lost leading zero) give the same fingerprint. An unknown status
    counts by its folded text, a known one by its meaning. Stored in every record: changing what it
    covers or how it is written would report every record as updated on the next import.
    """
    facts = [
        "v1",
        row.source.value,
        row.code,
        row.name,
        row.short_name,
        row.foreign_name,
        row.established_on.isoformat() if row.established_on else "",
        row.address,
        row.commune_code,
        row.province_code,
        row.representative_name,
        row.representative_id,
        row.representative_foreign_doc,
        row.status.value,
        fold(row.status_text) if row.status == RegistryStatus.UNKNOWN else "",
    ]
    return hashlib.sha256(_FINGERPRINT_JSON.encode(facts).encode()).hexdigest()
