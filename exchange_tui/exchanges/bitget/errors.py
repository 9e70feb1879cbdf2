"""Bitget's error codes turned into our typed errors, each with advice a person can act on.

Codes and messages: reference/bitget-v2.md §3 (REST) and §5 (WebSocket, 300xx);
the advice comes from what users actually got wrong (§8). Match on the code,
never on the text: Bitget may answer in Chinese, and other exchanges reuse the
same texts under other codes. A WebSocket login refusal gets the advice of its
REST twin (30012 is 40012's), so both paths tell a person the same thing.
"""

from __future__ import annotations

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

UTA_READ_MISSING = (
    "This key lacks UTA management (read): Bitget shows it no balances. Edit the key on Bitget and add "
    "UTA management (read) (the guide's permissions step)"
)
"""A unified account's 40014 on its balance reads (reference §9): the key works, one permission is missing."""

_SUPPORT = "log in to Bitget and read the account's notices, or ask Bitget support"
_ACCOUNT = "Bitget refuses this account itself, not the key"

ACCOUNT_STATE: dict[str, str] = {
    "40000": f"{_ACCOUNT}: it does not serve the Mainland China region",
    "40013": f"{_ACCOUNT}: its status is abnormal; {_SUPPORT}",
    "40016": (
        "Bitget requires two-factor authentication on this account: bind a phone number or Google "
        "Authenticator on Bitget (the guide's step 2), then connect again"
    ),
    "40021": f"{_ACCOUNT}: withdrawals are disabled on it; {_SUPPORT}",
    "40022": f"{_ACCOUNT}: its business is restricted; {_SUPPORT}",
    "40023": f"{_ACCOUNT}: its business is restricted; {_SUPPORT}",
    "40024": f"{_ACCOUNT}: the account is frozen; {_SUPPORT}",
    "40025": f"{_ACCOUNT}: its business is restricted; {_SUPPORT}",
    "40026": f"{_ACCOUNT}: the user is disabled; {_SUPPORT}",
    "40031": f"{_ACCOUNT}: the account was cancelled, so its keys no longer work; use another Bitget account",
    "40100": f"{_ACCOUNT}: from a Hong Kong IP it must complete identity verification (KYC) on Bitget first",
    "40104": f"{_ACCOUNT}: Bitget does not serve the country or region it (or this box's IP) is in",
    "40199": f"{_ACCOUNT}: Bitget does not let copy-trading traders use the API with it",
    "40752": f"{_ACCOUNT}: this business is disabled for it; {_SUPPORT}",
    "40753": f"{_ACCOUNT}: this business is disabled for it; {_SUPPORT}",
    "50012": f"{_ACCOUNT}: the account is suspended; {_SUPPORT}",
    "50013": f"{_ACCOUNT}: the account was deleted, so its keys no longer work; use another Bitget account",
}
"""The account-state codes of reference §9: the account, not the key, is what to look at."""

RESYNC_CODES = frozenset({"40004", "40008", "40911", "40078"})
"""Clock refusals (reference §1.3, §9) that syncing with Bitget's clock again fixes."""

_PASTE = "check that the API key, secret key and passphrase are not swapped and were copied whole"
_NEW_KEY = "Bitget cannot show a lost passphrase or secret again: create a new key if it is lost"

ADVICE: dict[str, tuple[type[ExchangeError], str]] = {
    "40001": (AuthenticationFailed, "The API key was not sent: enter the API key"),
    "40002": (AuthenticationFailed, "The request was not signed: enter the secret key"),
    "40003": (AuthenticationFailed, "The request was not signed: enter the secret key"),
    "40004": (ClockSkew, "This computer's clock is too far from Bitget's: turn on time sync (NTP) and retry"),
    "40005": (ClockSkew, "The request timestamp was malformed: check this computer's clock and retry"),
    "40006": (AuthenticationFailed, f"Bitget does not recognise this API key: {_PASTE}"),
    "40007": (RequestRejected, "Bitget refused the request's content type: this is a bug in exchange-tui"),
    "40008": (ClockSkew, "This computer's clock is more than 30 s off Bitget's: turn on time sync (NTP) and retry"),
    "40015": (ExchangeUnavailable, "Bitget says its system is abnormal: try again in a moment"),
    "40078": (ClockSkew, "The request arrived outside Bitget's time window: turn on time sync (NTP) and retry"),
    "40200": (ExchangeUnavailable, "Bitget is upgrading its servers: try again in a while"),
    "40911": (ClockSkew, "This computer's clock is more than 30 s off Bitget's: turn on time sync (NTP) and retry"),
    "40009": (
        AuthenticationFailed,
        f"The signature does not match: the secret key is wrong or belongs to another key; {_PASTE}",
    ),
    "40010": (ExchangeUnavailable, "Bitget timed out on the request: try again in a moment"),
    "40011": (AuthenticationFailed, "The passphrase was not sent: enter the passphrase you set when creating the key"),
    "40012": (
        AuthenticationFailed,
        "The passphrase does not match this key: re-enter the key's own passphrase "
        f"(not your Bitget login password); {_NEW_KEY}",
    ),
    "40014": (
        PermissionMissing,
        "The key lacks a permission this needs: edit the key on Bitget and enable it "
        "(for futures: Orders and Futures-Holdings)",
    ),
    "40018": (
        IpNotWhitelisted,
        "This computer's IP is not on the key's IP whitelist: add it on Bitget's API management page, "
        "or use a key bound to this IP",
    ),
    "40035": (AccountRestricted, "Bitget requires KYC for this account: complete identity verification on Bitget"),
    "40036": (
        AuthenticationFailed,
        f"The passphrase does not match this key: re-enter the key's own passphrase; {_NEW_KEY}",
    ),
    "40037": (
        AuthenticationFailed,
        "Bitget has no such API key: it was deleted or mistyped, is a Demo-trading key used on live, "
        f"or is another exchange's key; {_PASTE}",
    ),
    "40038": (
        IpNotWhitelisted,
        "This computer's IP is not on the key's IP whitelist: add it on Bitget's API management page",
    ),
    "40040": (
        PermissionMissing,
        "The key's permission settings are invalid: edit the key on Bitget and save its permissions again",
    ),
    "40041": (AuthenticationFailed, f"Bitget has no such API key: it was deleted or mistyped; {_PASTE}"),
    "40070": (
        AuthenticationFailed,
        "Bitget passphrases are 8 to 32 letters and digits: re-enter the key's passphrase",
    ),
    "40084": (
        AccountModeMismatch,
        "This is a classic account: the unified (v3) API does not apply to it",
    ),
    "40085": (
        AccountModeMismatch,
        "This is a Unified Trading Account: its balances are read through Bitget's v3 API",
    ),
    "40099": (
        WrongEnvironment,
        "Demo-trading and live keys are not interchangeable: switch the key's Demo-trading setting",
    ),
    "40101": (AccountRestricted, "Bitget requires KYC for this account: complete identity verification on Bitget"),
    "40731": (
        AccountRestricted,
        "This is a copy-trading (Elite) account: Bitget refuses classic balance calls for it",
    ),
    "49003": (
        IpNotWhitelisted,
        "Bitget refused this computer's IP address: add it to the key's whitelist",
    ),
    "429": (RateLimited, "Bitget says too many requests: wait a moment and try again"),
    # Sub-account and demo limits (reference/bitget-v2.md §9): which endpoints refuse them is not documented.
    "40048": (
        AccountRestricted,
        "Bitget wants the main account's key here: create the key on the main account, not a sub-account",
    ),
    "40061": (
        AccountRestricted,
        "Bitget does not allow sub-accounts here: use a key of the main account",
    ),
    "40068": (
        AccountRestricted,
        "This sub-account's access is disabled: enable it from the main account on Bitget",
    ),
    "22030": (
        WrongEnvironment,
        "Bitget's Demo trading cannot do this: use a live key, or leave this out for the demo account",
    ),
}

ADVICE |= {code: (AccountRestricted, hint) for code, hint in ACCOUNT_STATE.items()}

_WS_BUG = "Bitget refused a WebSocket request of ours: this is a bug in exchange-tui"

ADVICE |= {
    "30001": (RequestRejected, _WS_BUG),
    "30002": (RequestRejected, _WS_BUG),
    "30003": (
        RequestRejected,
        "That is Bitget's public WebSocket, which takes no login: use the private URL (…/v2/ws/private)",
    ),
    "30004": (RequestRejected, f"{_WS_BUG} (it subscribed before the login was answered)"),
    "30005": (
        AuthenticationFailed,
        f"Bitget refused the WebSocket login: check the key with a key check; {_PASTE}",
    ),
    "30006": (RateLimited, "Bitget says too many WebSocket messages: wait a moment and reconnect"),
    "30007": (RateLimited, "Bitget closed the WebSocket for too many messages: wait a moment and reconnect"),
    "30011": (
        AuthenticationFailed,
        "Bitget has no such API key on this WebSocket: it was deleted or mistyped, or a Demo-trading key "
        f"meets the live host (or a live key the demo host); {_PASTE}",
    ),
    "30012": ADVICE["40012"],
    "30013": ADVICE["40005"],
    "30014": ADVICE["40008"],
    "30015": ADVICE["40009"],
    "30016": (RequestRejected, _WS_BUG),
}


REASONS: dict[str, Reason] = {
    "40001": Reason.CREDENTIAL_MISSING,
    "40002": Reason.CREDENTIAL_MISSING,
    "40003": Reason.CREDENTIAL_MISSING,
    "40011": Reason.CREDENTIAL_MISSING,
    "40009": Reason.SECRET_WRONG,
    "30015": Reason.SECRET_WRONG,
    "40012": Reason.PASSPHRASE_WRONG,
    "30012": Reason.PASSPHRASE_WRONG,
    "40036": Reason.PASSPHRASE_WRONG,
    "40070": Reason.PASSPHRASE_WRONG,
    "40016": Reason.TWO_FACTOR_MISSING,
}
"""Where a code means more than its class says (the class gives every other code's reason)."""

CREDENTIALS: dict[str, str] = {"40001": "api_key", "40002": "secret_key", "40003": "secret_key", "40011": "passphrase"}
"""The part of the key a "not sent" code names."""


def from_code(code: str, message: str, *, http_status: int | None = None) -> ExchangeError:
    """The typed error for one of Bitget's ``{"code", "msg"}`` answers."""
    cls, hint = ADVICE.get(code, (RequestRejected, "Bitget refused the request: see its message"))
    return cls(code, message, hint, http_status=http_status, reason=REASONS.get(code), credential=CREDENTIALS.get(code))
