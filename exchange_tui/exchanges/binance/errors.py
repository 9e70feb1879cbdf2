"""Binance's error codes turned into our typed errors, each with advice a person can act on
(reference/binance.md §4).

Match on the code, never on the text; the one thing taken from a message is the request IP that
futures adds to -2015, to say it back. -2015 means several things at once (a wrong key, an IP not
on the key's trusted list, a permission the key lacks, a key of another environment): which comes
first depends on what the key's other calls showed, so :func:`ambiguous_refusal` orders them.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum

from exchange_tui.exchanges.errors import (
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

AMBIGUOUS = "-2015"
UNKNOWN_KEY_ID = "-2008"
CLOCK = "-1021"
LISTEN_KEY_GONE = "-1125"
RESYNC_CODES = frozenset({CLOCK})

_PASTE = "check that the API key and secret key are not swapped and were copied whole"
_NEW_KEY = "Binance shows an HMAC secret only once, so if it is lost create a new key"
_BUG = "Binance refused a request of ours as malformed: this is a bug in exchange-tui"

ADVICE: dict[str, tuple[type[ExchangeError], str]] = {
    "-1002": (PermissionMissing, "Binance says this key may not do this: edit the key on Binance and enable it"),
    "-1003": (RateLimited, "Binance says too much request weight was used: wait a moment and try again"),
    CLOCK: (
        ClockSkew,
        "This computer's clock is too far from Binance's (5 s window): turn on time sync (NTP) and retry",
    ),
    "-1022": (
        AuthenticationFailed,
        "The signature does not match: the secret key (or private key) is wrong or belongs to another key; "
        f"{_PASTE}; {_NEW_KEY}",
    ),
    "-1099": (
        AuthenticationFailed,
        "Binance does not know this key any more (deleted, or removed as unsafe): create a new key",
    ),
    "-1102": (RequestRejected, f"{_BUG} (a parameter was missing or out of range)"),
    LISTEN_KEY_GONE: (RequestRejected, "Binance's futures stream key (listenKey) has expired: the stream makes a new one"),
    UNKNOWN_KEY_ID: (
        AuthenticationFailed,
        "Binance's wallet API has no such key here: it was deleted or mistyped, or it is a demo or testnet key "
        f"(add it with --demo-trading or --testnet); {_PASTE}",
    ),
    "-2014": (AuthenticationFailed, f"The API key is not in Binance's format: {_PASTE}"),
}

REASONS: dict[str, Reason] = {
    "-1022": Reason.SECRET_WRONG,
    "-1099": Reason.KEY_DISABLED,
}
"""Where a code means more than its class says (the class gives every other code's reason)."""


class Cause(StrEnum):
    """What -2015 may mean, in the order a hint lists them."""

    KEY = "key"
    ENVIRONMENT = "environment"
    IP = "ip"
    PERMISSION = "permission"


CAUSE_TEXT = {
    Cause.KEY: f"the API key is wrong, deleted or of another key pair ({_PASTE})",
    Cause.ENVIRONMENT: "the key belongs to another environment: a Demo Mode key needs --demo-trading, a testnet key --testnet",
    Cause.IP: "this computer's IP{ip} is not on the key's trusted IPs: add it on Binance (API Management → Edit restrictions)",
    Cause.PERMISSION: "the key lacks {permission}: edit the key on Binance and tick it",
}

CAUSE_ERROR: dict[Cause, tuple[type[ExchangeError], Reason]] = {
    Cause.KEY: (AuthenticationFailed, Reason.KEY_UNKNOWN),
    Cause.ENVIRONMENT: (WrongEnvironment, Reason.WRONG_ENVIRONMENT),
    Cause.IP: (IpNotWhitelisted, Reason.IP_REFUSED),
    Cause.PERMISSION: (PermissionMissing, Reason.PERMISSION_MISSING),
}


def from_code(code: str, message: str, *, http_status: int | None = None) -> ExchangeError:
    """The typed error for one of Binance's ``{"code", "msg"}`` answers; -2015 read as most often meant
    (a wrong key first) until :func:`ambiguous_refusal` orders it from what the other calls showed."""
    if code == AMBIGUOUS:
        return ambiguous_refusal(message, (Cause.KEY, Cause.ENVIRONMENT, Cause.IP, Cause.PERMISSION), http_status=http_status)
    cls, hint = ADVICE.get(code, (RequestRejected, "Binance refused the request: see its message"))
    if http_status == 418:
        cls, hint = RateLimited, "Binance has banned this IP for a while after too many requests: wait and try again later"
    return cls(code, message, hint, http_status=http_status, reason=REASONS.get(code))


def ambiguous_refusal(
    message: str,
    causes: tuple[Cause, ...],
    *,
    permission: str = "the permission this call needs",
    http_status: int | None = None,
) -> ExchangeError:
    """A -2015 as the error of its first likely cause, the hint naming every cause in that order."""
    ip = ip_in(message)
    texts = [CAUSE_TEXT[cause].format(ip=f" ({ip})" if ip else "", permission=permission) for cause in causes]
    hint = "Binance refused the key (-2015 means one of these, most likely first): " + "; or ".join(texts)
    cls, reason = CAUSE_ERROR[causes[0]]
    return cls(
        AMBIGUOUS,
        message,
        hint,
        http_status=http_status,
        reason=reason,
        permission=permission if causes[0] is Cause.PERMISSION else None,
    )


def not_served(error: ExchangeError) -> bool:
    """An answer that says the host does not serve the call at all (the testnet has no wallet API)."""
    return isinstance(error, ExchangeUnavailable) or error.http_status == 404


def ip_in(message: str) -> str | None:
    """The IP address a message names (futures' -2015 adds ``request ip: x.x.x.x``), if it names one."""
    for word in message.split():
        try:
            return str(ipaddress.ip_address(word.strip(".,;:()[]'\"")))
        except ValueError:
            continue
    return None


def likely_causes(*, wallet_said: str | None, other_calls_answered: bool) -> tuple[Cause, ...]:
    """The order of -2015's causes for a call, from what the key's other calls showed.

    - another call answered (the wallet API's ``apiRestrictions``, the spot account): the key, its
      environment and its IP are fine here, so a permission first (Enable Futures for a futures call);
    - the wallet API refused with -2015 too, where it says -2008 for a key it does not know: the key
      exists, so the trusted-IP list first;
    - the wallet API said -2008, or is not served (the demo, the testnet): a wrong key or a key of
      another environment first, the IP next.
    """
    if other_calls_answered:
        return (Cause.PERMISSION, Cause.ENVIRONMENT, Cause.KEY)
    if wallet_said == AMBIGUOUS:
        return (Cause.IP, Cause.PERMISSION, Cause.KEY, Cause.ENVIRONMENT)
    return (Cause.KEY, Cause.ENVIRONMENT, Cause.IP, Cause.PERMISSION)


def reordered(error: ExchangeError, causes: tuple[Cause, ...], *, permission: str | None = None) -> ExchangeError:
    """A -2015 with its causes in this order (any other error as it is)."""
    if error.code != AMBIGUOUS:
        return error
    return ambiguous_refusal(
        error.message, causes, permission=permission or "the permission this call needs", http_status=error.http_status
    )
