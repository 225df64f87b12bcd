"""The verification API (/api/v1/verify/)."""

from __future__ import annotations

from ninja import Router

from dinhdanh.http.zones import Zone

ZONE = Zone.OUTER
router = Router(tags=[" questions about organizations and their people, signed answers:verify"])
