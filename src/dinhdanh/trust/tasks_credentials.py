"""Recurring jobs of the trust services: expiry alerts for relying parties' and partners' keys and certificates."""

from __future__ import annotations
