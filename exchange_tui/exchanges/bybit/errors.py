"""Bybit's ``retCode``s turned into our typed errors, each with advice a person can act on.

Codes: reference/bybit-v5.md §4 (DOCS-ERR, and ccxt's grouping of them). Match on the code, never on the
text: Bybit's live messages differ from its docs (``API key is invalid.``, ``error sign! origin_string[…]``).
A WebSocket ``auth`` refusal carries no code (``Params Error``…): it gets its own advice here.
"""

from __future__ import annotations

from collections.abc import Iterable

from exchange_tui.exchanges.base import Environment
from exchange_tui.exchanges.errors import (
    AccountModeMismatch,
    AccountRestricted,
    AuthenticationFailed,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    IpNotWhitelisted,
    PermissionMissing,
    RateLimited,
    RequestRejected,
)
from exchange_tui.models import Reason

KEY_INVALID = "10003"
"""A key Bybit does not know on this host: mistyped, deleted, or of another environment (reference §6)."""
PARAMS = "10001"
CLOCK = "10002"
HTTP_UNAUTHORIZED = "http-401"
WS_AUTH_REFUSED = "ws-auth"

ENVIRONMENT_NAMES = {
    Environment.LIVE: "mainnet (www.bybit.com)",
    Environment.DEMO: "demo trading (a key made while in Demo Trading mode, --demo-trading)",
    Environment.TESTNET: "testnet (testnet.bybit.com, --testnet)",
}

_PASTE = "check the API key and secret are not swapped and were copied whole"
_EXPIRED = (
    "The key expired: keys with no IP bound expire after 90 days (7 days after a password change). "
    "Extend it on Bybit (API Management → edit → IP access → Submit, with the email and 2FA codes), "
    "or create a new key bound to this box's IP"
)
_BUG = "Bybit refused a request of ours as malformed: this is a bug in exchange-tui"

ADVICE: dict[str, tuple[type[ExchangeError], str]] = {
    PARAMS: (RequestRejected, f"{_BUG} (or Bybit wants parameters this app does not send)"),
    CLOCK: (
        ClockSkew,
        "This computer's clock is off from Bybit's (5 s behind to 1 s ahead at most): turn on time sync (NTP) and retry",
    ),
    KEY_INVALID: (
        AuthenticationFailed,
        "Bybit does not know this API key here: it was deleted or mistyped, or it is a key of another environment "
        f"(mainnet, demo trading and testnet each have keys of their own); {_PASTE}",
    ),
    HTTP_UNAUTHORIZED: (AuthenticationFailed, f"Bybit refused the key (HTTP 401): {_PASTE}"),
    "10004": (
        AuthenticationFailed,
        f"The signature does not match: the secret is wrong or belongs to another key; {_PASTE}. "
        "Bybit cannot show a secret again, so if it is lost create a new key",
    ),
    "10005": (
        PermissionMissing,
        "The key lacks a permission this needs: edit the key on Bybit and enable it (Unified Trading and Spot; "
        "the funding wallet needs Wallet → Account Transfer)",
    ),
    "10006": (RateLimited, "Bybit says too many requests for this key: wait a moment and try again"),
    "10007": (AuthenticationFailed, f"Bybit could not authenticate the request: {_PASTE}"),
    "10008": (
        AccountModeMismatch,
        "Bybit bans this in the account's current mode: check the account mode on Bybit (unified trading account)",
    ),
    "10009": (
        AccountRestricted,
        "Bybit does not serve this computer's region: connect from where Bybit serves you",
    ),
    "10010": (
        IpNotWhitelisted,
        "This computer's IP is not among the key's bound IPs: add it to the key on Bybit, or use a key bound to it",
    ),
    "10016": (ExchangeUnavailable, "Bybit had a server error: try again in a moment"),
    "10018": (RateLimited, "Bybit says too many requests from this IP: wait a moment and try again"),
    "10024": (AccountRestricted, "Bybit's compliance rules refuse this account: read the account's notices on Bybit"),
    "10028": (
        AccountModeMismatch,
        "Only unified trading accounts can do this: upgrade the account to the unified trading account on Bybit",
    ),
    "100028": (
        AccountModeMismatch,
        "A unified trading account cannot do this (a classic-account call): this is a bug in exchange-tui",
    ),
    "33004": (AuthenticationFailed, _EXPIRED),
    "-2015": (AuthenticationFailed, _EXPIRED),
    "3100197": (
        AccountRestricted,
        "Bybit has banned the account for a while as it upgrades to the unified trading account: try again later",
    ),
    "81007": (AccountRestricted, "Bybit Europe cannot use API keys: use a key of www.bybit.com"),
    WS_AUTH_REFUSED: (
        AuthenticationFailed,
        f"Bybit refused the WebSocket login (its expiry or signature): check the key with a key check; {_PASTE}",
    ),
}

REASONS: dict[str, Reason] = {
    "10004": Reason.SECRET_WRONG,
    "10007": Reason.REJECTED,
    "33004": Reason.KEY_DISABLED,
    "-2015": Reason.KEY_DISABLED,
    "81007": Reason.WRONG_SITE,
    WS_AUTH_REFUSED: Reason.REJECTED,
}
"""Where a code means more than its class says (the class gives every other code's reason)."""

RETRYABLE = frozenset({"10016"})
"""Codes that may pass on a retry beyond those whose class is retryable."""


def from_code(code: str, message: str, *, http_status: int | None = None) -> ExchangeError:
    """The typed error for one of Bybit's ``{"retCode", "retMsg"}`` answers."""
    cls, hint = ADVICE.get(code, (RequestRejected, "Bybit refused the request: see its message"))
    error = cls(code, message, hint, http_status=http_status, reason=REASONS.get(code))
    if code in RETRYABLE:
        error.retryable = True
    return error


def is_key_invalid(error: ExchangeError) -> bool:
    """A refusal that says the key is unknown on this host: maybe a key of another environment."""
    return error.code in (KEY_INVALID, HTTP_UNAUTHORIZED)


def environment_hint(added_for: Environment, tried: Iterable[Environment]) -> str:
    """10003's hint once the other environments were tried: which ones, and which this account was added for."""
    others = [ENVIRONMENT_NAMES[e] for e in tried if e is not added_for]
    tried_too = f"; it is not one of {' or '.join(others)} either" if others else ""
    return (
        f"Bybit does not know this API key on {ENVIRONMENT_NAMES[added_for]}, which this account was added for"
        f"{tried_too}. Bybit's environments have keys of their own: mainnet, demo trading and testnet; "
        f"add the key for the environment it was made in, or {_PASTE}"
    )
