"""Typed errors every exchange adapter raises, in our terms rather than the exchange's.

Each carries the exchange's own code and message (for support tickets and
search) and a one-line hint a person can act on. None of them ever holds a
secret: messages come from the exchange or from us, never from credentials.
"""

from __future__ import annotations

from exchange_tui.models import ErrorInfo


class ExchangeError(Exception):
    """The exchange (or the way to it) refused or failed a request."""

    kind = "exchange_error"
    retryable = False

    def __init__(self, code: str, message: str, hint: str, *, http_status: int | None = None) -> None:
        super().__init__(code, message, hint)
        self.code = code
        self.message = message
        self.hint = hint
        self.http_status = http_status

    def __str__(self) -> str:
        return f"{self.hint} ({self.code}: {self.message})"

    def info(self) -> ErrorInfo:
        return ErrorInfo(kind=self.kind, code=self.code, message=self.message, hint=self.hint)


class AuthenticationFailed(ExchangeError):
    """The key, secret or passphrase is wrong, unknown or malformed."""

    kind = "authentication_failed"


class PermissionMissing(ExchangeError):
    """The key works but lacks a permission this call needs."""

    kind = "permission_missing"


class IpNotWhitelisted(ExchangeError):
    """The key is bound to IP addresses and this box is not one of them."""

    kind = "ip_not_whitelisted"


class ClockSkew(ExchangeError):
    """The request's timestamp is outside the exchange's window."""

    kind = "clock_skew"


class WrongEnvironment(ExchangeError):
    """A demo-trading key used on live trading, or the other way round."""

    kind = "wrong_environment"


class AccountModeMismatch(ExchangeError):
    """The account is unified where a classic API was called, or the other way round."""

    kind = "account_mode_mismatch"


class AccountRestricted(ExchangeError):
    """The exchange restricts the account itself (KYC, copy-trading mode…)."""

    kind = "account_restricted"


class RequestRejected(ExchangeError):
    """The exchange refused the request for a reason we have no better name for."""

    kind = "request_rejected"


class RateLimited(ExchangeError):
    """Too many requests: slow down and try again."""

    kind = "rate_limited"
    retryable = True


class ExchangeUnavailable(ExchangeError):
    """The exchange could not be reached or answered with something unusable."""

    kind = "unavailable"
    retryable = True
