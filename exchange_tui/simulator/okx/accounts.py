"""The simulated OKX keys: one entry per API key, with its permissions, whitelist, site, account mode and balances.

An accounts file (``exchange-tui simulator --exchange okx --accounts FILE``) is JSON::

    {"accounts": [
      {"label": "demo", "uid": "44705892343619584",
       "main_uid": null,                  # the main account's uid for a sub-account's key (uid != mainUid)
       "type": "0",                       # account type: 0 main, 1 standard sub-account, 2 managed … (ref. §3)
       "api_key": "<UUID>", "secret_key": "<32 upper-case hex>", "passphrase": "<1-32 printable>",
       "perm": ["read_only", "trade"],    # OKX's words for Read, Trade, Withdraw (ref. §1, §3)
       "ips": [],                         # the key's IP allowlist: addresses or networks; empty means not bound
       "demo": false,                     # a Demo-trading key: valid only with "x-simulated-trading: 1" (ref. §6)
       "site": "global",                  # "global" (www.okx.com), "eea" (my.okx.com) or "us" (app.okx.com)
       "acct_lv": "2",                    # 1 Spot, 2 Futures, 3 Multi-currency margin, 4 Portfolio margin
       "pos_mode": "net_mode", "kyc_lv": "2", "level": "Lv1",
       "refused_reads": [],               # "trading", "funding": balance reads this key is refused with 50120
       "trading": [{"ccy": "USDT", "cashBal": "1520.5", "frozenBal": "120"}],
       "funding": [{"ccy": "USDT", "bal": "45.5", "frozenBal": "0"}]}]}

Keys sharing a ``uid`` are keys of one account: they share its balances, which are the first such
key's (a later key's balances are not read). Amounts may be JSON strings or numbers; they are kept
as exact decimals and served as strings, as OKX serves them.
"""

from __future__ import annotations

import ipaddress
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exchange_tui.simulator.core import accounts as core_accounts
from exchange_tui.simulator.core.numbers import Amount

ZERO = Decimal(0)
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
"""An OKX API key: a UUID, 36 characters (reference §1, "Key formats")."""
Site = Literal["global", "eea", "us"]
Permission = Literal["read_only", "trade", "withdraw"]
Wallet = Literal["trading", "funding"]


class _OkxFields(core_accounts.CamelFields):
    """A balance entry: OKX's camelCase names in files and answers, snake_case in Python."""

    @field_validator("ccy", check_fields=False)
    @classmethod
    def _upper(cls, ccy: str) -> str:
        return core_accounts.currency_name(ccy, "currency")


class TradingBalance(_OkxFields):
    """One currency of the trading account (``/api/v5/account/balance`` ``details[]``)."""

    ccy: str
    cash_bal: Amount
    frozen_bal: Amount = ZERO
    u_time: int | None = None


class FundingBalance(_OkxFields):
    """One currency of the funding account (``/api/v5/asset/balances``)."""

    ccy: str
    bal: Amount
    frozen_bal: Amount = ZERO


class SimAccount(BaseModel):
    """One OKX API key and the account it belongs to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(min_length=1)
    uid: str = Field(pattern=r"^[0-9]{1,20}$")
    main_uid: str | None = Field(default=None, pattern=r"^[0-9]{1,20}$")
    type: Literal["0", "1", "2", "5", "9", "12"] = "0"
    api_key: str = Field(pattern=UUID_PATTERN)
    secret_key: str = Field(pattern=r"^[0-9A-F]{32}$", repr=False)
    passphrase: str = Field(pattern=r"^[\x21-\x7e]{1,32}$", repr=False)
    perm: tuple[Permission, ...] = ("read_only",)
    ips: tuple[str, ...] = ()
    demo: bool = False
    site: Site = "global"
    acct_lv: Literal["1", "2", "3", "4"] = "2"
    pos_mode: Literal["long_short_mode", "net_mode"] = "net_mode"
    kyc_lv: Literal["0", "1", "2", "3"] = "2"
    level: str = "Lv1"
    refused_reads: tuple[Wallet, ...] = ()
    trading: tuple[TradingBalance, ...] = ()
    funding: tuple[FundingBalance, ...] = ()

    @field_validator("ips")
    @classmethod
    def _networks(cls, ips: tuple[str, ...]) -> tuple[str, ...]:
        """At most 20 addresses or networks (DOCS "API key security", reference §1)."""
        if len(ips) > 20:
            raise ValueError("an OKX key binds at most 20 IP addresses")
        return tuple(str(ipaddress.ip_network(ip.strip(), strict=False)) for ip in ips)

    @model_validator(mode="after")
    def _consistent(self) -> SimAccount:
        if (self.type == "0") != (self.main_uid in (None, self.uid)):
            raise ValueError('a main account (type "0") has main_uid equal to uid; a sub-account another one')
        for wallet in (self.trading, self.funding):
            coins = [b.ccy for b in wallet]
            if len(coins) != len(set(coins)):
                raise ValueError("a currency is listed twice in one account")
        return self

    @property
    def main_account_uid(self) -> str:
        return self.main_uid or self.uid


def parse_accounts(text: str | bytes) -> tuple[SimAccount, ...]:
    return core_accounts.parse_accounts(SimAccount, text)


def load_accounts(path: str | Path) -> tuple[SimAccount, ...]:
    """The accounts of a JSON accounts file; raises ``OSError`` or pydantic's ``ValidationError``."""
    return core_accounts.load_accounts(SimAccount, path)


def demo_accounts() -> tuple[SimAccount, ...]:
    """The built-in keys (``demo``, ``demo-readonly``, ``demo-eea``...) served without a file."""
    return core_accounts.packaged_accounts(SimAccount, __package__)
