"""Plain data shared by the core, the CLI and the TUI.

Secrets are ``SecretStr`` from the moment they are read, so a ``repr``, a log
line or Textual's crash report (which prints every local) shows ``**********``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr

KEY_PREFIX_LENGTH = 7


def mask_key(api_key: str) -> str:
    """The short prefix of an API key that may be shown on screen, then an ellipsis."""
    return api_key[:KEY_PREFIX_LENGTH] + "…"


class Credentials(BaseModel):
    """One exchange API key: all three parts are secret."""

    model_config = ConfigDict(frozen=True)

    api_key: SecretStr
    secret_key: SecretStr
    passphrase: SecretStr

    @property
    def key_prefix(self) -> str:
        return mask_key(self.api_key.get_secret_value())


class AccountMode(StrEnum):
    CLASSIC = "classic"
    UNIFIED = "unified"


class Balance(BaseModel):
    """One coin in one account (spot, a futures product type, or the unified account)."""

    account: str
    coin: str
    available: Decimal
    frozen: Decimal = Decimal(0)
    locked: Decimal = Decimal(0)
    debt: Decimal = Decimal(0)
    """What a unified account owes in this coin (borrowed, or its debts): taken off its worth."""
    usdt_value: Decimal | None = None


class AccountTotal(BaseModel):
    """One line of the exchange's all-account overview (spot, futures, funding, earn, bots, margin)."""

    account: str
    usdt_value: Decimal


class ErrorInfo(BaseModel):
    kind: str
    code: str
    message: str
    hint: str


class KeyReport(BaseModel):
    """Everything one check of a key found out, connected or not."""

    exchange: str
    connected: bool
    checked_at: datetime
    demo_trading: bool = False
    account_mode: AccountMode | None = None
    uid: str | None = None
    permissions: list[str] = Field(default_factory=list)
    read_only: bool | None = None
    can_withdraw: bool = False
    futures_access: dict[str, bool] = Field(default_factory=dict)
    ips: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    balances: list[Balance] = Field(default_factory=list)
    overview: list[AccountTotal] = Field(default_factory=list)
    total_usdt: Decimal | None = None
    error: ErrorInfo | None = None


class BalanceSource(StrEnum):
    """Where live balance figures came from: the exchange's push stream, or a REST poll."""

    LIVE = "live"
    POLLING = "polling"


class BalanceReading(BaseModel):
    """One reading of an account's balances while watching it.

    ``balances`` is ``None`` when the reading failed (``error`` says why): keep showing
    the last good figures, marked as stale.
    """

    source: BalanceSource
    at: datetime
    balances: list[Balance] | None = None
    total_usdt: Decimal | None = None
    error: ErrorInfo | None = None
