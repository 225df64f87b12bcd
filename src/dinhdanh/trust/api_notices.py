"""The subscriptions of relying parties to organizations and Security Event polling (/api/v1/notices/)."""

from __future__ import annotations

from ninja import Router

from dinhdanh.http.zones import Zone

ZONE = Zone.OUTER
router = Router(tags=["notices"])
