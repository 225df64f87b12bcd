"""The Power-of-Representation attestations requested by relying parties (/api/v1/attestations/)."""

from __future__ import annotations

from ninja import Router

from dinhdanh.http.zones import Zone

ZONE = Zone.OUTER
router = Router(tags=["attestations"])
