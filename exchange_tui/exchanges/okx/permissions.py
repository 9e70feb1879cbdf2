"""What OKX's key check says of a key, in plain words (reference/okx-v5.md §3, ``/api/v5/account/config``).

``perm`` is comma separated (``read_only,withdraw,trade``); ``acctLv`` is the account mode, 1 to 4.
Decoding is defensive: a permission we do not know is shown as it is, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from exchange_tui.models import AccountMode

READ = "read"
TRADE = "trade"
WITHDRAW = "withdraw"
PERMISSIONS = {"read_only": READ, "trade": TRADE, "withdraw": WITHDRAW}
"""OKX's names (its web page's Read, Trade and Withdraw) to ours, in the order they are shown."""

ACCOUNT_MODES = {
    "1": AccountMode.SPOT,
    "2": AccountMode.FUTURES,
    "3": AccountMode.MULTI_CURRENCY,
    "4": AccountMode.PORTFOLIO,
}


@dataclass(frozen=True)
class KeyPermissions:
    known: frozenset[str] = frozenset()
    unknown: tuple[str, ...] = ()

    @property
    def can_trade(self) -> bool:
        return TRADE in self.known

    @property
    def can_withdraw(self) -> bool:
        return WITHDRAW in self.known

    @property
    def read_only(self) -> bool:
        return not (self.can_trade or self.can_withdraw)

    def words(self) -> list[str]:
        return [word for word in PERMISSIONS.values() if word in self.known] + list(self.unknown)


def decode_perm(perm: object) -> KeyPermissions:
    """``"read_only,withdraw,trade"`` -> read, trade, withdraw."""
    codes = [code.strip() for code in str(perm or "").split(",") if code.strip()]
    known = frozenset(PERMISSIONS[code] for code in codes if code in PERMISSIONS)
    unknown = tuple(dict.fromkeys(code for code in codes if code not in PERMISSIONS))
    return KeyPermissions(known, unknown)


def account_mode(acct_lv: object) -> AccountMode | None:
    """``acctLv`` as an account mode; ``None`` for a level OKX has not documented."""
    return ACCOUNT_MODES.get(str(acct_lv or "").strip())
