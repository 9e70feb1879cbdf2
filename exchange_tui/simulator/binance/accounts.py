"""The simulated Binance keys: one entry per API key, with its type, environment, permission flags, IPs and balances.

An accounts file (``exchange-tui simulator --exchange binance --accounts FILE``) is JSON::

    {"accounts": [
      {"label": "demo", "uid": 354937868,
       "api_key": "<64 alphanumerics>",
       "key_type": "hmac",                # "hmac" (system generated), "ed25519" or "rsa" (self-generated), ref. §1
       "secret_key": "<64 alphanumerics>",  # HMAC: the secret; Ed25519/RSA: the private key PEM (what a client keeps)
       "public_key": null,                # Ed25519/RSA: the public key PEM Binance was given, which verifies
       "environment": "live",             # "live", "demo" (demo.binance.com) or "testnet" (ref. §6)
       "enable_reading": true, "enable_spot_and_margin_trading": true, "enable_futures": true,
       "enable_withdrawals": false, "enable_internal_transfer": false, "enable_margin": false,
       "permits_universal_transfer": false,   # the apiRestrictions flags (ref. §1, §3)
       "ips": [],                         # trusted IPs; empty: unrestricted ("ipRestrict": false)
       "create_time": 1698645219000, "trading_authority_expiration_time": null,
       "can_trade": true, "can_withdraw": true, "can_deposit": true,   # account flags of /api/v3/account
       "spot": [{"asset": "USDT", "free": "1520.5", "locked": "120"}],
       "futures": [{"asset": "USDT", "balance": "300"}],           # the USDⓈ-M wallet balance
       "funding": [{"asset": "USDT", "free": "45.5", "locked": "0"}]}]}

Keys sharing a ``uid`` are keys of one account: they share the first such key's balances.
"""

from __future__ import annotations

import ipaddress
import time
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exchange_tui.simulator.core import accounts as core_accounts
from exchange_tui.simulator.core.numbers import Amount

ZERO = Decimal(0)
KEY_PATTERN = r"^[A-Za-z0-9]{64}$"
"""A Binance API key (and an HMAC secret): 64 alphanumerics (reference §1, "Formats")."""
MAX_IPS = 30
""""Max 30 for an API key" (reference §1, IP access restriction)."""
KeyType = Literal["hmac", "ed25519", "rsa"]
Environment = Literal["live", "demo", "testnet"]
Wallet = Literal["spot", "futures", "funding"]


class _Asset(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    asset: str

    @field_validator("asset")
    @classmethod
    def _upper(cls, asset: str) -> str:
        if not asset.strip():
            raise ValueError("an asset name cannot be empty")
        return asset.strip().upper()


class Holding(_Asset):
    """One asset of the spot or funding wallet: ``free`` and ``locked``."""

    free: Amount
    locked: Amount = ZERO


class FuturesHolding(_Asset):
    """One asset of the USDⓈ-M futures wallet: its wallet ``balance`` (no positions are simulated)."""

    balance: Amount


class SimAccount(BaseModel):
    """One Binance API key and the account it belongs to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(min_length=1)
    uid: int = Field(ge=1)
    api_key: str = Field(pattern=KEY_PATTERN)
    key_type: KeyType = "hmac"
    secret_key: str = Field(min_length=1, repr=False)
    public_key: str | None = None
    environment: Environment = "live"
    enable_reading: bool = True
    enable_spot_and_margin_trading: bool = False
    enable_futures: bool = False
    enable_withdrawals: bool = False
    enable_internal_transfer: bool = False
    enable_margin: bool = False
    permits_universal_transfer: bool = False
    ips: tuple[str, ...] = ()
    create_time: int = Field(default_factory=lambda: int(time.time() * 1000))
    """When the key was made (``createTime``, ms): when the simulator loaded it, unless the file says,
    so a demo key is as new as a key just made is (the reference's example is 1698645219000)."""
    trading_authority_expiration_time: int | None = None
    can_trade: bool = True
    can_withdraw: bool = True
    can_deposit: bool = True
    spot: tuple[Holding, ...] = ()
    futures: tuple[FuturesHolding, ...] = ()
    funding: tuple[Holding, ...] = ()

    @field_validator("ips")
    @classmethod
    def _networks(cls, ips: tuple[str, ...]) -> tuple[str, ...]:
        if len(ips) > MAX_IPS:
            raise ValueError(f"a Binance key trusts at most {MAX_IPS} IP addresses")
        return tuple(str(ipaddress.ip_network(ip.strip(), strict=False)) for ip in ips)

    @model_validator(mode="after")
    def _consistent(self) -> SimAccount:
        if self.key_type == "hmac":
            if self.public_key is not None or not _is_key(self.secret_key):
                raise ValueError("an HMAC key has a 64-alphanumeric secret and no public key")
        elif self.public_key is None or "PRIVATE KEY" not in self.secret_key:
            raise ValueError("an Ed25519 or RSA key has its private key PEM as secret and its public key PEM")
        if self.enable_withdrawals and not self.ips:
            raise ValueError("withdrawals need an IP access restriction (reference §1)")
        for wallet in (self.spot, self.futures, self.funding):
            assets = [h.asset for h in wallet]
            if len(assets) != len(set(assets)):
                raise ValueError("an asset is listed twice in one wallet")
        return self

    @property
    def ip_restrict(self) -> bool:
        return bool(self.ips)


def _is_key(text: str) -> bool:
    return len(text) == 64 and text.isascii() and text.isalnum()


def parse_accounts(text: str | bytes) -> tuple[SimAccount, ...]:
    return core_accounts.parse_accounts(SimAccount, text)


def load_accounts(path: str | Path) -> tuple[SimAccount, ...]:
    """The accounts of a JSON accounts file; raises ``OSError`` or pydantic's ``ValidationError``."""
    return core_accounts.load_accounts(SimAccount, path)


def demo_accounts() -> tuple[SimAccount, ...]:
    """The built-in keys (``demo``, ``demo-readonly``, ``demo-ed25519``...) served without a file."""
    return core_accounts.packaged_accounts(SimAccount, __package__)
