"""OKX's error codes turned into our typed errors, each with advice a person can act on.

Codes and messages: reference/okx-v5.md §4 (REST, 5xxxx) and §4's WebSocket list (6xxxx). Match
on the code, never on the text: OKX words its messages differently across editions of its docs.
A WebSocket login refusal gets the advice of its REST twin (60024 is 50105's), so both paths tell
a person the same thing. The one thing taken from a message is the IP 50110 names, to say it back.
"""

from __future__ import annotations

import ipaddress

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
    WrongEnvironment,
)
from exchange_tui.models import Reason

RESYNC_CODES = frozenset({"50102"})
"""The clock refusal a sync with OKX's clock fixes; 50112 (a malformed timestamp) is not one."""

WS_CLOCK_CODES = frozenset({"60004", "60006"})

_PASTE = "check that the API key, secret key and passphrase are not swapped and were copied whole"
_NEW_KEY = "OKX cannot show it again, so if it is lost create a new key"
_CLOCK = "This computer's clock is too far from OKX's (30 s at most): turn on time sync (NTP) and retry"
_BUG = "OKX refused a request of ours as malformed: this is a bug in exchange-tui"
_SUPPORT = "log in to OKX and read the account's notices, or ask OKX support"

KEY_UNKNOWN_HINT = (
    "OKX has no such API key here: it was deleted, mistyped, expired (a key with Trade or Withdraw and no "
    "IP bound expires after 14 days unused), or belongs to another OKX site: for an EEA (my.okx.com) or "
    f"US (app.okx.com) account add it with --site eea or --site us; {_PASTE}"
)

ADVICE: dict[str, tuple[type[ExchangeError], str]] = {
    "50011": (RateLimited, "OKX says too many requests: wait a moment and try again"),
    "50013": (ExchangeUnavailable, "OKX says its systems are busy: try again in a moment"),
    "50030": (
        PermissionMissing,
        "The key lacks a permission this needs: edit the key on OKX and enable it (Read, and Trade for bots)",
    ),
    "50035": (
        IpNotWhitelisted,
        "OKX serves this only to a key bound to an IP address: bind this computer's IP to the key on OKX",
    ),
    "50038": (
        WrongEnvironment,
        "OKX's demo trading cannot do this: use a live key, or leave this out for the demo account",
    ),
    "50051": (
        AccountRestricted,
        "OKX refuses this account, not the key: compliance rules of its country or region forbid this",
    ),
    "50060": (
        AccountRestricted,
        "OKX requires identity verification (KYC) for this account: complete it on OKX, then connect again",
    ),
    "50100": (AuthenticationFailed, f"OKX has frozen this API key: create a new key, or {_SUPPORT}"),
    "50101": (
        WrongEnvironment,
        "Demo-trading and live keys are not interchangeable: switch the key's demo-trading setting",
    ),
    "50102": (ClockSkew, _CLOCK),
    "50103": (AuthenticationFailed, "The API key was not sent: enter the API key"),
    "50104": (AuthenticationFailed, "The passphrase was not sent: enter the passphrase you set when creating the key"),
    "50105": (
        AuthenticationFailed,
        "The passphrase does not match this key: re-enter the key's own passphrase (not your OKX login "
        f"password); {_NEW_KEY}",
    ),
    "50106": (AuthenticationFailed, "The request was not signed: enter the secret key"),
    "50107": (RequestRejected, f"{_BUG} (no timestamp)"),
    "50110": (
        IpNotWhitelisted,
        "This computer's IP{ip} is not on the key's IP allowlist: add it to the key on OKX, or use a key bound to it",
    ),
    "50111": (AuthenticationFailed, f"OKX does not recognise this API key: {_PASTE}"),
    "50112": (ClockSkew, "OKX could not read the request's timestamp: check this computer's clock and retry"),
    "50113": (
        AuthenticationFailed,
        f"The signature does not match: the secret key is wrong or belongs to another key; {_PASTE}",
    ),
    "50114": (AuthenticationFailed, f"OKX refused the key's authorization: {_PASTE}"),
    "50119": (AuthenticationFailed, KEY_UNKNOWN_HINT),
    "50120": (
        PermissionMissing,
        "This key lacks the permission for this: edit the key on OKX and enable it (Read shows balances)",
    ),
    "50121": (
        AccountRestricted,
        "OKX refuses this computer's IP address for its region, not the key: connect from where OKX serves you",
    ),
    "51010": (
        AccountModeMismatch,
        "OKX does not do this in the account's current mode: switch the account mode on OKX's web or app",
    ),
}

ADVICE |= {
    "60004": ADVICE["50112"],
    "60005": ADVICE["50111"],
    "60006": ADVICE["50102"],
    "60007": ADVICE["50113"],
    "60009": (AuthenticationFailed, f"OKX refused the WebSocket login: check the key with a key check; {_PASTE}"),
    "60011": (RequestRejected, f"{_BUG} (it subscribed before logging in)"),
    "60012": (RequestRejected, _BUG),
    "60014": (RateLimited, "OKX says too many WebSocket messages: wait a moment and reconnect"),
    "60018": (
        RequestRejected,
        "OKX's WebSocket does not know that URL or channel: use the private URL (…/ws/v5/private)",
    ),
    "60024": ADVICE["50105"],
    "60031": (RequestRejected, "OKX refused a second login on one WebSocket: this is a bug in exchange-tui"),
    "60032": ADVICE["50119"],
    "63999": (ExchangeUnavailable, "OKX could not log in because of its own error: try again in a moment"),
    "64008": (ExchangeUnavailable, "OKX is closing the WebSocket for a service upgrade: reconnecting"),
}

REASONS: dict[str, Reason] = {
    "50100": Reason.KEY_DISABLED,
    "50103": Reason.CREDENTIAL_MISSING,
    "50104": Reason.CREDENTIAL_MISSING,
    "50106": Reason.CREDENTIAL_MISSING,
    "50105": Reason.PASSPHRASE_WRONG,
    "60024": Reason.PASSPHRASE_WRONG,
    "50113": Reason.SECRET_WRONG,
    "60007": Reason.SECRET_WRONG,
    "60009": Reason.REJECTED,
}
"""Where a code means more than its class says (the class gives every other code's reason)."""

CREDENTIALS: dict[str, str] = {"50103": "api_key", "50104": "passphrase", "50106": "secret_key"}
"""The part of the key a "cannot be empty" code names."""


def from_code(code: str, message: str, *, http_status: int | None = None) -> ExchangeError:
    """The typed error for one of OKX's ``{"code", "msg"}`` answers."""
    cls, hint = ADVICE.get(code, (RequestRejected, "OKX refused the request: see its message"))
    if code == "50110":
        ip = ip_in(message)
        hint = hint.format(ip=f" ({ip})" if ip else "")
    return cls(code, message, hint, http_status=http_status, reason=REASONS.get(code), credential=CREDENTIALS.get(code))


def ip_in(message: str) -> str | None:
    """The IP address a message names (50110's is the caller's), if it names one."""
    for word in message.split():
        try:
            return str(ipaddress.ip_address(word.strip(".,;:()[]'\"")))
        except ValueError:
            continue
    return None
