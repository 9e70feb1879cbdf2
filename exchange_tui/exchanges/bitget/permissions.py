"""Bitget's permission codes decoded into plain words (reference/bitget-v2.md §6 classic, §9 unified).

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

# A unified account key's ``permissions`` (Bitget's UTA "Get Account Info" page, reference §9): the
# codes say what the key may touch, its one ``permType`` whether it may change anything. There is no
# transfer permission.
UTA_MANAGEMENT = "UTA management"
UTA_TRADING = "UTA trading"
UNIFIED_PERMISSIONS: dict[str, str] = {
    "uta_mgt": UTA_MANAGEMENT,
    "uta_trade": UTA_TRADING,
    "withdraw": "withdraw",
    "copy_futures_position": "futures copy-trading positions",
    "copy_futures_order": "futures copy-trading orders",
}
# ``permType`` as Bitget's page spells it (``read-only``), and as third-party UTA clients do (reference §2).
READ_ONLY_PERM_TYPES = {"read-only", "read_only", "readonly"}

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

    def has(self, name: str) -> bool:
        return name in self.access

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
    """A unified account key: ``permType`` says read-only or read-write for the whole key.

    A ``permType`` we do not know is not taken for read-only: the key's own answer is all we have.
    Withdraw always counts as withdraw, whatever ``permType`` says: its warning must never be missed.
    """
    write = perm_type.strip().lower() not in READ_ONLY_PERM_TYPES
    table = {code: (name, write or name == WITHDRAW) for code, name in UNIFIED_PERMISSIONS.items()}
    return _decode(permissions, table)
