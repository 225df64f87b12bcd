"""Recurring jobs of the trust services: attestations' status follows the organization (lock suspends, unlock restores, end revokes)."""

from __future__ import annotations
