"""What Binance says of a key's permissions, in plain words (reference/binance.md §1, §3).

Live keys: ``GET /sapi/v1/account/apiRestrictions``'s ``enable…``/``permits…`` flags. The demo and the
testnet serve no wallet API: there only ``/api/v3/account``'s ``canTrade`` and ``canWithdraw`` say
anything, and they are the account's flags rather than the key's. A flag we do not know, when true,
is shown as Binance names it, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

READING = "read"
SPOT_TRADING = "spot & margin trading"
MARGIN = "margin loans"
FUTURES = "futures"
OPTIONS = "options"
PORTFOLIO_MARGIN = "portfolio margin trading"
FIX_TRADING = "FIX trading"
FIX_READING = "FIX read-only"
WITHDRAWALS = "withdrawals"
INTERNAL_TRANSFER = "internal transfer"
UNIVERSAL_TRANSFER = "universal transfer"

SPOT_TRADING_LAPSE = timedelta(days=30)
"""How long after its creation Binance leaves spot trading on for a key without an IP restriction."""

FLAGS = {
    "enableReading": READING,
    "enableSpotAndMarginTrading": SPOT_TRADING,
    "enableMargin": MARGIN,
    "enableFutures": FUTURES,
    "enableVanillaOptions": OPTIONS,
    "enablePortfolioMarginTrading": PORTFOLIO_MARGIN,
    "enableFixApiTrade": FIX_TRADING,
    "enableFixReadOnly": FIX_READING,
    "enableWithdrawals": WITHDRAWALS,
    "enableInternalTransfer": INTERNAL_TRANSFER,
    "permitsUniversalTransfer": UNIVERSAL_TRANSFER,
}
"""Binance's flags to our words, in the order they are shown."""

TRADING = frozenset({SPOT_TRADING, MARGIN, FUTURES, OPTIONS, PORTFOLIO_MARGIN, FIX_TRADING})
MOVING_FUNDS = frozenset({WITHDRAWALS, INTERNAL_TRANSFER, UNIVERSAL_TRANSFER})
NOT_PERMISSIONS = frozenset({"ipRestrict", "createTime", "tradingAuthorityExpirationTime"})

UI_NAMES = {
    READING: "Enable Reading",
    SPOT_TRADING: "Enable Spot & Margin Trading",
    FUTURES: "Enable Futures",
    WITHDRAWALS: "Enable Withdrawals",
    UNIVERSAL_TRANSFER: "Permits Universal Transfer",
}
"""What Binance's API Management page calls a permission, where a source gives its name."""


@dataclass(frozen=True)
class KeyPermissions:
    granted: tuple[str, ...] = ()
    ip_restricted: bool | None = None
    """Whether the key is restricted to trusted IPs (``None`` where Binance does not say: demo, testnet)."""
    created_at: datetime | None = None
    trading_expires_at: datetime | None = None
    """When Binance turns Spot & Margin Trading off (a key without an IP restriction), where it says."""

    @property
    def can_trade(self) -> bool:
        return SPOT_TRADING in self.granted or FUTURES in self.granted

    @property
    def can_withdraw(self) -> bool:
        return WITHDRAWALS in self.granted

    @property
    def read_only(self) -> bool:
        return not any(word in TRADING or word in MOVING_FUNDS for word in self.granted)

    def words(self) -> list[str]:
        return list(self.granted)

    @property
    def trading_lapse(self) -> datetime | None:
        """When Binance turns spot trading off on a key without an IP restriction: as it says, else 30 days
        after the key's creation; ``None`` for a restricted key, one that cannot trade spot, or where unknown."""
        if self.ip_restricted is not False or SPOT_TRADING not in self.granted:
            return None
        return self.trading_expires_at or (self.created_at + SPOT_TRADING_LAPSE if self.created_at else None)


def decode_restrictions(data: Mapping[str, Any]) -> KeyPermissions:
    """``apiRestrictions``'s answer as permissions: the true flags in our words, in :data:`FLAGS`' order,
    then any true flag we do not know as Binance names it."""
    known = [word for flag, word in FLAGS.items() if data.get(flag) is True]
    unknown = [flag for flag, value in data.items() if value is True and flag not in FLAGS and flag not in NOT_PERMISSIONS]
    ip = data.get("ipRestrict")
    return KeyPermissions(
        granted=tuple(known + unknown),
        ip_restricted=None if ip is None else str(ip).lower() == "true",
        created_at=_instant(data.get("createTime")),
        trading_expires_at=_instant(data.get("tradingAuthorityExpirationTime")),
    )


def decode_account_flags(account: Mapping[str, Any]) -> KeyPermissions:
    """Where there is no wallet API (demo, testnet): the account's ``canTrade``/``canWithdraw``."""
    granted = [READING]
    if account.get("canTrade") is True:
        granted.append(SPOT_TRADING)
    if account.get("canWithdraw") is True:
        granted.append(WITHDRAWALS)
    return KeyPermissions(granted=tuple(granted))


def _instant(ms: Any) -> datetime | None:
    """A Binance time in Unix milliseconds; ``None`` for none (``null`` means "does not expire")."""
    try:
        return datetime.fromtimestamp(int(ms) / 1000, UTC) if ms not in (None, "", 0) else None
    except (TypeError, ValueError):
        return None
