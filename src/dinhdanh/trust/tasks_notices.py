"""Recurring jobs of the trust services: Security Event notices: dispatch from domain events, push delivery with retries."""

from __future__ import annotations
