"""Bitget's permission codes decoded into plain words (reference/bitget-v2.md §6).

Decoding is defensive: a code we do not know is shown as it is, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# code -> (permission in plain words, grants write access)
CLASSIC_AUTHORITIES: dict[str, tuple[str, bool]] = {
    "coor": ("futures orders", False),
    "coow": ("futures orders", True),
    "cpor": ("futures holdings", False),
    "cpow": ("futures holdings", True),
    "stor": ("spot trade", False),
    "stow": ("spot trade", True),
    "smor": ("margin trade", False),
    "smow": ("margin trade", True),
    "ttor": ("copy trading", False),
    "ttow": ("copy trading", True),
    "wtor": ("transfer", False),
    "wtow": ("transfer", True),
    "wwow": ("withdraw", True),
    "taxr": ("tax", False),
    "taxw": ("tax", True),
    "chor": ("sub-account", False),
    "chow": ("sub-account", True),
    "p2pr": ("P2P", False),
    "p2pw": ("P2P", True),
    "p2p": ("P2P", True),
    "pllr": ("pledge loan", False),
    "pllw": ("pledge loan", True),
    "trade": ("trade", True),
    "readonly": ("read", False),
}

UNIFIED_PERMISSIONS: dict[str, tuple[str, bool]] = {
    "uta_mgt": ("unified account management", True),
    "uta_trade": ("unified trading", True),
    "transfer": ("transfer", True),
    "withdraw": ("withdraw", True),
}

WITHDRAW = "withdraw"
FUTURES_ORDERS = "futures orders"
FUTURES_HOLDINGS = "futures holdings"


@dataclass
class DecodedPermissions:
    """A key's permissions: each named once, with the strongest access it has."""

    access: dict[str, bool] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    def grant(self, name: str, write: bool) -> None:
        self.access[name] = self.access.get(name, False) or write

    @property
    def read_only(self) -> bool:
        return not any(self.access.values())

    @property
    def can_withdraw(self) -> bool:
        return self.access.get(WITHDRAW, False)

    def can_write(self, name: str) -> bool:
        return self.access.get(name, False)

    def words(self) -> list[str]:
        described = [
            name if name == WITHDRAW else f"{name} ({'read-write' if write else 'read-only'})"
            for name, write in self.access.items()
        ]
        return described + self.unknown


def _decode(codes: list[str], table: dict[str, tuple[str, bool]]) -> DecodedPermissions:
    decoded = DecodedPermissions()
    for raw in codes:
        code = str(raw).strip()
        if code in table:
            decoded.grant(*table[code])
        elif code and code not in decoded.unknown:
            decoded.unknown.append(code)
    return decoded


def decode_classic(authorities: list[str]) -> DecodedPermissions:
    return _decode(authorities, CLASSIC_AUTHORITIES)


def decode_unified(perm_type: str, permissions: list[str]) -> DecodedPermissions:
    """A unified account key: ``permType`` says read-only or read-write for the whole key."""
    decoded = _decode(permissions, UNIFIED_PERMISSIONS)
    if perm_type.replace("-", "_").lower() in {"read_only", "readonly"}:
        decoded.access = dict.fromkeys(decoded.access, False)
    return decoded
