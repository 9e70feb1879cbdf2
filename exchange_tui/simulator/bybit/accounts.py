"""The simulated Bybit keys: one entry per API key, with its environment, permissions, IPs, expiry and balances.

An accounts file (``exchange-tui simulator --exchange bybit --accounts FILE``) is JSON::

    {"accounts": [
      {"label": "demo", "uid": "1448939",
       "parent_uid": "0",                  # the master's uid for a sub-account's key; "0" for a master (ref. §3)
       "api_key": "<18 letters/digits>",   # reference §1, "Key formats"
       "secret_key": "<36 letters/digits>",  # HMAC (system-generated); an RSA key's is its PEM private key
       "rsa_public_key": null,             # PEM public key of a self-generated (RSA) key; the simulator
                                           # verifies with it and never reads an RSA key's secret_key
       "environment": "mainnet",           # mainnet, demo or testnet: four key spaces in Bybit (ref. §6)
       "read_only": false,                 # readOnly 1 / 0 (ref. §3)
       "permissions": {"ContractTrade": ["Order", "Position"], "Spot": ["SpotTrade"],
                       "Wallet": ["AccountTransfer"]},   # the query-api codes (ref. §3)
       "ips": [],                          # bound IPs or networks; empty: "No IP restriction" (served ["*"])
       "expires_in_days": null,            # days from the server's start until the key expires; null: the
                                           # 90-day rule for a key bound to no IP, never for a bound one (§1);
                                           # zero or less: expired, 33004
       "unified_margin_status": 6,         # 1 classic, 3/4 uta1.0, 5/6 uta2.0 (ref. §3, DOCS-MODE)
       "kyc_level": "LEVEL_1", "vip_level": "No VIP",
       "refused_reads": [],                # "UNIFIED", "FUND": balance reads refused with 10005
       "unified": [{"coin": "USDT", "walletBalance": "1520.5", "locked": "120"}],
       "fund": [{"coin": "USDT", "walletBalance": "45.5"}]}]}

Keys sharing a ``uid`` share its balances, the first such key's. Amounts are exact decimals, served as strings.
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
API_KEY_PATTERN = r"^[A-Za-z0-9]{18}$"
"""An API key: 18 characters (reference §1, "Key formats")."""
Environment = Literal["mainnet", "demo", "testnet"]
AccountType = Literal["UNIFIED", "FUND"]
NO_IP_DAYS = 90
""""An API key created without binding IP address(es) will expire after 90 days" (DOCS-FAQ, reference §1)."""


class _Coin(core_accounts.CamelFields):
    """A balance entry: Bybit's camelCase names in files and answers, snake_case in Python."""

    @field_validator("coin", check_fields=False)
    @classmethod
    def _upper(cls, coin: str) -> str:
        return core_accounts.currency_name(coin, "coin")


class UnifiedCoin(_Coin):
    """One coin of the Unified Trading Account (``/v5/account/wallet-balance`` ``coin[]``)."""

    coin: str
    wallet_balance: Amount
    locked: Amount = ZERO


class FundCoin(_Coin):
    """One coin of the Funding wallet (``/v5/asset/transfer/query-account-coins-balance`` ``balance[]``)."""

    coin: str
    wallet_balance: Amount


class SimAccount(BaseModel):
    """One Bybit API key and the account it belongs to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(min_length=1)
    uid: str = Field(pattern=r"^[0-9]{1,20}$")
    parent_uid: str = Field(default="0", pattern=r"^[0-9]{1,20}$")
    api_key: str = Field(pattern=API_KEY_PATTERN)
    secret_key: str = Field(min_length=1, repr=False)
    rsa_public_key: str | None = Field(default=None, repr=False)
    environment: Environment = "mainnet"
    read_only: bool = False
    permissions: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: {"ContractTrade": ("Order", "Position"), "Spot": ("SpotTrade",),
                                 "Wallet": ("AccountTransfer",)}
    )
    ips: tuple[str, ...] = ()
    expires_in_days: int | None = None
    created_days_ago: int = Field(default=7, ge=0)
    unified_margin_status: Literal[1, 3, 4, 5, 6] = 6
    kyc_level: Literal["LEVEL_DEFAULT", "LEVEL_1", "LEVEL_2"] = "LEVEL_1"
    kyc_region: str = "MYS"
    vip_level: str = "No VIP"
    note: str = ""
    refused_reads: tuple[AccountType, ...] = ()
    unified: tuple[UnifiedCoin, ...] = ()
    fund: tuple[FundCoin, ...] = ()

    @field_validator("ips")
    @classmethod
    def _networks(cls, ips: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(str(ipaddress.ip_network(ip.strip(), strict=False)) for ip in ips)

    @model_validator(mode="after")
    def _consistent(self) -> SimAccount:
        if self.rsa_public_key is None and not _is_hmac_secret(self.secret_key):
            raise ValueError("a system-generated key's secret is 36 letters or digits")
        if self.rsa_public_key is not None and "PRIVATE KEY" not in self.secret_key:
            raise ValueError("a self-generated (RSA) key's secret is its PEM private key")
        if self.parent_uid == self.uid:
            raise ValueError('a master key has parent_uid "0"; a sub-account\'s its master\'s uid')
        for wallet in (self.unified, self.fund):
            coins = [b.coin for b in wallet]
            if len(coins) != len(set(coins)):
                raise ValueError("a coin is listed twice in one account")
        return self

    @property
    def is_master(self) -> bool:
        return self.parent_uid == "0"

    @property
    def lifetime_days(self) -> int | None:
        """Days from the server's start until the key expires; None for a key that does not (§1)."""
        if self.expires_in_days is not None:
            return self.expires_in_days
        return None if self.ips else NO_IP_DAYS


def _is_hmac_secret(secret: str) -> bool:
    return len(secret) == 36 and secret.isascii() and secret.isalnum()


def parse_accounts(text: str | bytes) -> tuple[SimAccount, ...]:
    return core_accounts.parse_accounts(SimAccount, text)


def load_accounts(path: str | Path) -> tuple[SimAccount, ...]:
    """The accounts of a JSON accounts file; raises ``OSError`` or pydantic's ``ValidationError``."""
    return core_accounts.load_accounts(SimAccount, path)


def demo_accounts() -> tuple[SimAccount, ...]:
    """The built-in keys (``demo``, ``demo-readonly``, ``demo-rsa``...) served without a file."""
    return core_accounts.packaged_accounts(SimAccount, __package__)
