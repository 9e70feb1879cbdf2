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


CREDENTIAL_FIELDS = ("api_key", "secret_key", "passphrase")


class Credentials(BaseModel):
    """One exchange API key: every part is secret. The passphrase is there where the exchange has one;
    the secret may be an HMAC string or a PEM private key."""

    model_config = ConfigDict(frozen=True)

    api_key: SecretStr
    secret_key: SecretStr
    passphrase: SecretStr | None = None

    @property
    def key_prefix(self) -> str:
        return mask_key(self.api_key.get_secret_value())

    def document(self) -> dict[str, str]:
        """The parts as plain text, for the one write that stores them (the caller clears it)."""
        return {
            name: value.get_secret_value()
            for name in CREDENTIAL_FIELDS
            if (value := getattr(self, name)) is not None
        }

    @classmethod
    def from_document(cls, document: dict[str, object]) -> Credentials:
        """The credentials a stored document holds (``KeyError``, ``TypeError`` or ``ValidationError`` if broken)."""
        return cls(**{name: document[name] for name in CREDENTIAL_FIELDS if name in document or name != "passphrase"})


class AccountMode(StrEnum):
    """How the exchange runs the account, in words every exchange's mode maps onto."""

    CLASSIC = "classic"
    UNIFIED = "unified"
    SPOT = "spot"
    """Spot only: no futures positions."""
    FUTURES = "futures"
    """Spot and futures, each coin its own margin."""
    MULTI_CURRENCY = "multi-currency margin"
    PORTFOLIO = "portfolio margin"


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


class Reason(StrEnum):
    """What a refusal means, whatever the exchange's code for it."""

    KEY_UNKNOWN = "key_unknown"
    """The exchange has no such key: copied wrong, deleted, expired, or of another site or environment."""
    SECRET_WRONG = "secret_wrong"
    """The signature does not match: the secret is wrong or of another key."""
    PASSPHRASE_WRONG = "passphrase_wrong"
    CREDENTIAL_MISSING = "credential_missing"
    """A part of the key was not sent (``credential`` names it)."""
    KEY_DISABLED = "key_disabled"
    """The key exists but is frozen or expired: only a new key helps."""
    IP_REFUSED = "ip_refused"
    CLOCK_OFF = "clock_off"
    WRONG_ENVIRONMENT = "wrong_environment"
    """A demo-trading (or testnet) key on live trading, or the other way round."""
    WRONG_SITE = "wrong_site"
    """The key belongs to another site or region of the exchange."""
    TWO_FACTOR_MISSING = "two_factor_missing"
    ACCOUNT_RESTRICTED = "account_restricted"
    ACCOUNT_MODE = "account_mode"
    PERMISSION_MISSING = "permission_missing"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    REJECTED = "rejected"
    """Refused for a reason we have no better word for (see the exchange's message)."""


CREDENTIAL_OF = {
    Reason.SECRET_WRONG: "secret_key",
    Reason.PASSPHRASE_WRONG: "passphrase",
    Reason.KEY_UNKNOWN: "api_key",
}
"""The credential field a reason points at, where it points at one."""

KEY_GONE = frozenset({Reason.KEY_UNKNOWN, Reason.KEY_DISABLED, Reason.PASSPHRASE_WRONG})
"""Refusals a key that was replaced elsewhere meets once its old key is deleted: look for a new one."""


class ErrorInfo(BaseModel):
    """A refusal as data: the exchange's code and message, our hint, and what it means."""

    kind: str
    code: str
    message: str
    hint: str
    reason: Reason | None = None
    credential: str | None = None
    permission: str | None = None

    @property
    def key_gone(self) -> bool:
        return self.reason in KEY_GONE


class KeyFacts(BaseModel):
    """What a check learned of a key that its exchange's expiry rule reads; the index keeps it, so the
    rule can be worked out again without asking the exchange."""

    model_config = ConfigDict(frozen=True)

    permissions: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    ip_restricted: bool | None = None
    expires_at: datetime | None = None
    """When the exchange said the key (or one of its permissions) stops working, where it said so."""
    demo_trading: bool = False


class KeyReport(BaseModel):
    """Everything one check of a key found out, connected or not."""

    exchange: str
    connected: bool
    checked_at: datetime
    demo_trading: bool = False
    testnet: bool = False
    site: str | None = None
    """The exchange's site the key was found on, where it has several."""
    expires_at: datetime | None = None
    """When the key (or one of its permissions) stops working: as the exchange says, or by its rule
    (:attr:`exchange_tui.exchanges.base.ExchangeSpec.key_expiry`)."""
    account_mode: AccountMode | None = None
    uid: str | None = None
    permissions: list[str] = Field(default_factory=list)
    read_only: bool | None = None
    can_withdraw: bool = False
    futures_access: dict[str, bool] = Field(default_factory=dict)
    ips: list[str] = Field(default_factory=list)
    ip_restricted: bool | None = None
    """Whether the key is bound to IPs, where the exchange says so without listing them (``ips`` empty)."""
    warnings: list[str] = Field(default_factory=list)
    balances: list[Balance] = Field(default_factory=list)
    overview: list[AccountTotal] = Field(default_factory=list)
    total_usdt: Decimal | None = None
    error: ErrorInfo | None = None

    @property
    def facts(self) -> KeyFacts:
        return KeyFacts(
            permissions=tuple(self.permissions),
            ips=tuple(self.ips),
            ip_restricted=self.ip_restricted,
            expires_at=self.expires_at,
            demo_trading=self.demo_trading,
        )


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
