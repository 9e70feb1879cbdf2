"""Typed errors every exchange adapter raises, in our terms rather than the exchange's.

Each carries the exchange's own code and message (for support tickets and
search), a one-line hint a person can act on, and what it means (:class:`Reason`):
which credential is wrong, whether the key is gone, the clock, the environment or
site, which permission is missing. Everything above the adapters reads the
meaning, never the code: only an adapter knows its exchange's codes.

None of them ever holds a secret: messages come from the exchange or from us,
never from credentials.
"""

from __future__ import annotations

from exchange_tui.models import CREDENTIAL_OF, KEY_GONE, ErrorInfo, Reason


class ExchangeError(Exception):
    """The exchange (or the way to it) refused or failed a request."""

    kind = "exchange_error"
    reason = Reason.REJECTED
    retryable = False

    def __init__(
        self,
        code: str,
        message: str,
        hint: str,
        *,
        http_status: int | None = None,
        reason: Reason | None = None,
        credential: str | None = None,
        permission: str | None = None,
    ) -> None:
        super().__init__(code, message, hint)
        self.code = code
        self.message = message
        self.hint = hint
        self.http_status = http_status
        if reason is not None:
            self.reason = reason
        self.credential = credential or CREDENTIAL_OF.get(self.reason)
        """The credential field to fix (``api_key``, ``secret_key``, ``passphrase``), where one is wrong."""
        self.permission = permission
        """The permission missing, in plain words, where the exchange says which."""

    @property
    def key_gone(self) -> bool:
        return self.reason in KEY_GONE

    def __str__(self) -> str:
        return f"{self.hint} ({self.code}: {self.message})"

    def info(self) -> ErrorInfo:
        return ErrorInfo(
            kind=self.kind,
            code=self.code,
            message=self.message,
            hint=self.hint,
            reason=self.reason,
            credential=self.credential,
            permission=self.permission,
        )


class AuthenticationFailed(ExchangeError):
    """The key, secret or passphrase is wrong, unknown or malformed."""

    kind = "authentication_failed"
    reason = Reason.KEY_UNKNOWN


class PermissionMissing(ExchangeError):
    """The key works but lacks a permission this call needs."""

    kind = "permission_missing"
    reason = Reason.PERMISSION_MISSING


class IpNotWhitelisted(ExchangeError):
    """The key is bound to IP addresses and this box is not one of them."""

    kind = "ip_not_whitelisted"
    reason = Reason.IP_REFUSED


class ClockSkew(ExchangeError):
    """The request's timestamp is outside the exchange's window."""

    kind = "clock_skew"
    reason = Reason.CLOCK_OFF


class WrongEnvironment(ExchangeError):
    """A demo-trading key used on live trading, or the other way round."""

    kind = "wrong_environment"
    reason = Reason.WRONG_ENVIRONMENT


class AccountModeMismatch(ExchangeError):
    """The account is unified where a classic API was called, or the other way round."""

    kind = "account_mode_mismatch"
    reason = Reason.ACCOUNT_MODE


class AccountRestricted(ExchangeError):
    """The exchange restricts the account itself (KYC, copy-trading mode…)."""

    kind = "account_restricted"
    reason = Reason.ACCOUNT_RESTRICTED


class RequestRejected(ExchangeError):
    """The exchange refused the request for a reason we have no better name for."""

    kind = "request_rejected"
    reason = Reason.REJECTED


class RateLimited(ExchangeError):
    """Too many requests: slow down and try again."""

    kind = "rate_limited"
    reason = Reason.RATE_LIMITED
    retryable = True


class ExchangeUnavailable(ExchangeError):
    """The exchange could not be reached or answered with something unusable."""

    kind = "unavailable"
    reason = Reason.UNAVAILABLE
    retryable = True
