"""What Bybit's key check says of a key, in plain words (reference/bybit-v5.md §3, ``/v5/user/query-api``).

``readOnly`` is 0 (Read-Write) or 1 (Read-Only); ``permissions`` maps each product to an array of codes.
A read-only key lists products too (what it may read), so it trades or withdraws only when Read-Write.
Decoding is defensive: a product or code we do not know is shown as it is, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from exchange_tui.exchanges.toolkit import split_ips
from exchange_tui.models import AccountMode

READ = "read"
TRADE = "trade"
WITHDRAW = "withdraw"

WORDS: dict[tuple[str, str], str] = {
    ("ContractTrade", "Order"): "contract orders",
    ("ContractTrade", "Position"): "contract positions",
    ("Spot", "SpotTrade"): "spot trade",
    ("Wallet", "AccountTransfer"): "account transfer",
    ("Wallet", "SubMemberTransfer"): "subaccount transfer",
    ("Wallet", "SubMemberTransferList"): "subaccount transfer",
    ("Wallet", "Withdraw"): WITHDRAW,
    ("Options", "OptionsTrade"): "options trade",
    ("Derivatives", "DerivativesTrade"): "derivatives trade",
    ("Exchange", "ExchangeHistory"): "convert history",
    ("Earn", "Earn"): "earn",
    ("FiatP2P", "FiatP2POrder"): "P2P orders",
    ("FiatP2P", "Advertising"): "P2P ads",
    ("FiatBitPay", "FaitPayOrder"): "Bybit Pay",
    ("FiatBybitPay", "FaitPayOrder"): "Bybit Pay",
    ("FiatConvertBroker", "FiatConvertBrokerOrder"): "fiat convert",
    ("BitCard", "BitCard"): "card",
    ("ByXPost", "ByXPost"): "ByX post",
    ("Affiliate", "Affiliate"): "affiliate",
    ("BlockTrade", "BlockTrade"): "block trade",
}
"""Bybit's (product, code) pairs to the words its API Management page would use."""

TRADING = frozenset(
    {("ContractTrade", "Order"), ("Spot", "SpotTrade"), ("Options", "OptionsTrade"), ("Derivatives", "DerivativesTrade")}
)
NO_EXPIRY_YEAR = 1970


@dataclass(frozen=True)
class KeyPermissions:
    read_only: bool
    granted: tuple[tuple[str, str], ...] = ()

    @property
    def can_trade(self) -> bool:
        return not self.read_only and any(pair in TRADING for pair in self.granted)

    @property
    def can_withdraw(self) -> bool:
        return not self.read_only and ("Wallet", "Withdraw") in self.granted

    def words(self) -> list[str]:
        """``read``, then ``trade`` and ``withdraw`` where the key may, then each product scope."""
        head = [READ] + ([TRADE] if self.can_trade else []) + ([WITHDRAW] if self.can_withdraw else [])
        scopes = [WORDS.get(pair, f"{pair[0]}: {pair[1]}") for pair in self.granted]
        return list(dict.fromkeys(head + [word for word in scopes if word != WITHDRAW]))


def decode(key_info: dict[str, Any]) -> KeyPermissions:
    """``{"readOnly": 0, "permissions": {"Spot": ["SpotTrade"], …}}`` as plain permissions."""
    raw = key_info.get("permissions")
    products = raw if isinstance(raw, dict) else {}
    granted = tuple(
        (str(product), str(code))
        for product, codes in products.items()
        if isinstance(codes, list)
        for code in codes
        if str(code).strip()
    )
    return KeyPermissions(read_only=str(key_info.get("readOnly", "0")) != "0", granted=granted)


def account_mode(key_info: dict[str, Any]) -> AccountMode | None:
    """``uta`` (1 unified trading account, 0 classic); ``None`` where Bybit does not say."""
    return {"1": AccountMode.UNIFIED, "0": AccountMode.CLASSIC}.get(str(key_info.get("uta", "")).strip())


def expires_at(key_info: dict[str, Any]) -> datetime | None:
    """``expiredAt``, or ``None`` for a key that does not expire (``1970-01-01T00:00:00Z``) or an unreadable date."""
    raw = str(key_info.get("expiredAt") or "")
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return None if when.year <= NO_EXPIRY_YEAR else when


def bound_ips(key_info: dict[str, Any]) -> list[str]:
    """The bound IPs; an unbound key's ``["*"]`` is none."""
    return [ip for ip in split_ips(key_info.get("ips")) if ip != "*"]
