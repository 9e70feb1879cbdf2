"""IP allowlists: whether a caller's address is on a key's list of addresses (or networks)."""

from __future__ import annotations

import ipaddress


def ip_allowed(allowlist: tuple[str, ...], client_ip: str) -> bool:
    """An empty list admits everyone; an IPv4-mapped IPv6 caller counts as its IPv4 address."""
    if not allowlist:
        return True
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(entry) for entry in allowlist)
