"""The unit in which client addresses are counted, by every limit that counts them (sign-in throttles,
rate limits)."""

from __future__ import annotations

import ipaddress


def address_bucket(ip: str | None) -> str:
    """One IPv4 address, or one IPv6 /64: a single subscriber gets a whole /64, so counting single IPv6
    addresses would hand an attacker 2**64 fresh counters. IPv4-mapped addresses count as IPv4."""
    try:
        address = ipaddress.ip_address(str(ip or "").strip())
    except ValueError:
        return ip or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
