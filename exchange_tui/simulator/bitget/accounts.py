"""The simulated Bitget accounts: one API key each, with its permissions, whitelist and balances.

An accounts file (``exchange-tui simulator --accounts FILE``) is JSON::

    {"accounts": [
      {"label": "demo", "uid": "2627733375",
       "api_key": "bg_<32 lowercase hex>", "secret_key": "<64 lowercase hex>",
       "passphrase": "<8-32 letters and digits>",
       "mode": "classic",                 # or "unified" (then "unified" below is required)
       "demo": false,                     # true: a Demo-trading key, valid only with "paptrading: 1"
       "authorities": ["stor", "stow", "coor", "coow", "cpor", "cpow"],
       "ips": [],                         # the key's IP whitelist; empty means not bound
       "spot": [{"coin": "USDT", "available": "1520.5", "frozen": "0", "locked": "0"}],
       "futures": {"USDT-FUTURES": [{"marginCoin": "USDT", "available": "820.1", "locked": "10"}]},
       "overview": {"funding": "0", "earn": "0", "bots": "0", "margin": "0"},
       "unified": {"perm_type": "read-and-write", "permissions": ["uta_mgt", "uta_trade"],
                   "uid_field": "uid",             # or "userId"
                   "classic_api": "40085",         # or "info-then-40731", "info-then-40085"
                   "assets": [{"coin": "USDT", "balance": "100", "available": "100"}],
                   "funding": [{"coin": "USDT", "balance": "5", "available": "5"}]}}]}

Balance entries use Bitget's own field names (``marginCoin``, ``crossedMaxAvailable``...); the
futures fields left out are derived from ``available``/``locked`` and the price table when served.
Amounts may be JSON strings or numbers; they are kept as exact decimals.
"""

from __future__ import annotations

import ipaddress
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exchange_tui.simulator.core import accounts as core_accounts
from exchange_tui.simulator.core.numbers import Amount

PRODUCT_TYPES = ("USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES", "SUSDT-FUTURES", "SCOIN-FUTURES", "SUSDC-FUTURES")
DEMO_COIN_PRODUCT_TYPES = frozenset(p for p in PRODUCT_TYPES if p.startswith("S"))
ZERO = Decimal(0)


class _BitgetFields(core_accounts.CamelFields):
    """A balance entry: Bitget's camelCase names in files and answers, snake_case in Python."""

    @field_validator("coin", "margin_coin", mode="after", check_fields=False)
    @classmethod
    def _upper(cls, coin: str) -> str:
        return core_accounts.currency_name(coin, "coin")


class SpotBalance(_BitgetFields):
    coin: str
    available: Amount
    frozen: Amount = ZERO
    locked: Amount = ZERO
    limit_available: Amount = ZERO
    u_time: int | None = Field(default=None, alias="uTime")

    @property
    def total(self) -> Decimal:
        return self.available + self.frozen + self.locked

    @property
    def is_zero(self) -> bool:
        return not (self.total or self.limit_available)


class FuturesAsset(_BitgetFields):
    coin: str
    balance: Amount
    available: Amount


class FuturesAccount(_BitgetFields):
    """One margin coin of one futures product type, as ``/api/v2/mix/account/accounts`` lists it."""

    margin_coin: str
    available: Amount
    locked: Amount = ZERO
    crossed_max_available: Amount | None = None
    isolated_max_available: Amount | None = None
    max_transfer_out: Amount | None = None
    account_equity: Amount | None = None
    usdt_equity: Amount | None = None
    btc_equity: Amount | None = None
    crossed_risk_rate: Amount = ZERO
    unrealized_pl: str = Field(default="", alias="unrealizedPL")
    coupon: Amount = ZERO
    union_total_margin: Amount | None = Field(default=None, alias="unionTotalMagin")
    union_available: Amount | None = None
    union_mm: Amount = ZERO
    asset_list: tuple[FuturesAsset, ...] = ()
    isolated_margin: Amount = ZERO
    crossed_margin: Amount = ZERO
    crossed_unrealized_pl: Amount = Field(default=ZERO, alias="crossedUnrealizedPL")
    isolated_unrealized_pl: Amount = Field(default=ZERO, alias="isolatedUnrealizedPL")
    asset_mode: Literal["single", "union"] = "single"

    @property
    def equity(self) -> Decimal:
        return self.account_equity if self.account_equity is not None else self.available + self.locked

    def with_balance(self, available: Decimal, locked: Decimal) -> FuturesAccount:
        """The same account holding new amounts; every derived figure is derived again."""
        derived = dict.fromkeys(
            (
                "crossed_max_available",
                "isolated_max_available",
                "max_transfer_out",
                "account_equity",
                "usdt_equity",
                "btc_equity",
                "union_total_margin",
                "union_available",
            )
        )
        return self.model_copy(update={"available": available, "locked": locked, **derived})


class UnifiedAsset(_BitgetFields):
    coin: str
    balance: Amount
    available: Amount
    locked: Amount = ZERO
    debt: Amount = ZERO

    @property
    def equity(self) -> Decimal:
        return self.balance - self.debt


class FundingAsset(_BitgetFields):
    """One coin of a unified account's funding wallet (``/api/v3/account/funding-assets``)."""

    coin: str
    balance: Amount
    available: Amount
    frozen: Amount = ZERO


class UnifiedAccount(BaseModel):
    """What a Unified Trading Account answers on the v3 endpoints.

    ``perm_type`` is Bitget's ``permType``: ``read-only`` or ``read-and-write`` on its UTA "Get Account
    Info" page; ``read_only`` and ``readonly`` are what third-party UTA clients read (reference §2, §9),
    so a file may serve those too. ``uid_field`` names the uid in that answer: ``uid`` on Bitget's page,
    ``userId`` in the SDKs (JKorf, tiagosiebler); which one Bitget sends is not confirmed.

    ``classic_api`` is what the account answers on classic v2 endpoints, which Bitget does not document
    for a unified account (reference §9), in each shape seen or left open: ``40085`` on every one
    (ccxt#26838); v2 account info answering while the balance calls say ``40731`` "This product does not
    support copy trading" (Elite keys, msei99/pbgui#129); or v2 account info answering while the balance
    calls say ``40085`` (whether account info refuses a unified key is unconfirmed).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    perm_type: Literal["read-only", "read_only", "readonly", "read-and-write"] = "read-and-write"
    permissions: tuple[str, ...] = ("uta_mgt", "uta_trade")
    uid_field: Literal["uid", "userId"] = "uid"
    classic_api: Literal["40085", "info-then-40731", "info-then-40085"] = "40085"
    assets: tuple[UnifiedAsset, ...] = ()
    funding: tuple[FundingAsset, ...] = ()
    account_level: str = "1"
    asset_mode: Literal["single", "union"] = "union"
    hold_mode: Literal["one_way_mode", "hedge_mode"] = "one_way_mode"


class Overview(BaseModel):
    """USDT values of the wallets the simulator keeps no coin list for (all-account-balance)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    funding: Amount = ZERO
    earn: Amount = ZERO
    bots: Amount = ZERO
    margin: Amount = ZERO


class SimAccount(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(min_length=1)
    uid: str = Field(pattern=r"^[0-9]{1,19}$")
    api_key: str = Field(pattern=r"^bg_[0-9a-f]{32}$")
    secret_key: str = Field(pattern=r"^[0-9a-f]{64}$", repr=False)
    passphrase: str = Field(pattern=r"^[A-Za-z0-9]{8,32}$", repr=False)
    mode: Literal["classic", "unified"] = "classic"
    demo: bool = False
    authorities: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    spot: tuple[SpotBalance, ...] = ()
    futures: dict[str, tuple[FuturesAccount, ...]] = Field(default_factory=dict)
    overview: Overview = Overview()
    unified: UnifiedAccount | None = None
    inviter_id: str = "0"
    parent_id: int | None = None
    trader_type: Literal["trader", "not_trader"] = "not_trader"
    channel_code: str = ""
    channel: str = ""
    regis_time: str = "1672531200000"

    @field_validator("ips")
    @classmethod
    def _ip_addresses(cls, ips: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(str(ipaddress.ip_address(ip.strip())) for ip in ips)

    @field_validator("futures", mode="before")
    @classmethod
    def _product_types(cls, futures: object) -> object:
        if not isinstance(futures, dict):
            return futures
        unknown = [p for p in futures if str(p).upper() not in PRODUCT_TYPES]
        if unknown:
            raise ValueError(f"unknown productType {unknown}; known: {', '.join(PRODUCT_TYPES)}")
        return {str(p).upper(): entries for p, entries in futures.items()}

    @model_validator(mode="after")
    def _consistent(self) -> SimAccount:
        if (self.mode == "unified") != (self.unified is not None):
            raise ValueError('"unified" is required for mode "unified" and only allowed there')
        coins = [b.coin for b in self.spot]
        if len(coins) != len(set(coins)):
            raise ValueError("a spot coin is listed twice")
        for product_type, entries in self.futures.items():
            margin_coins = [f.margin_coin for f in entries]
            if len(margin_coins) != len(set(margin_coins)):
                raise ValueError(f"a marginCoin is listed twice in {product_type}")
        return self

    @property
    def permission_codes(self) -> frozenset[str]:
        """The codes a permission check looks at: v2 ``authorities``, or a unified account's v3 permissions."""
        if self.unified is not None:
            return frozenset(self.unified.permissions)
        return frozenset(self.authorities)


def parse_accounts(text: str | bytes) -> tuple[SimAccount, ...]:
    return core_accounts.parse_accounts(SimAccount, text)


def load_accounts(path: str | Path) -> tuple[SimAccount, ...]:
    """The accounts of a JSON accounts file; raises ``OSError`` or pydantic's ``ValidationError``."""
    return core_accounts.load_accounts(SimAccount, path)


def demo_accounts() -> tuple[SimAccount, ...]:
    """The built-in accounts (``demo``, ``demo-readonly``, ``demo-unified``...) served without a file."""
    return core_accounts.packaged_accounts(SimAccount, __package__)
