"""How the screens word statuses, amounts and ages: short, plain, readable at 80 columns.

Plain Python (no Textual). Times are compared with a clock the app is given, so tests and
screenshots can fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exchange_tui.models import KeyReport
    from exchange_tui.service import BalanceSnapshot
    from exchange_tui.store import AccountRecord

Clock = Callable[[], datetime]

CONNECTED = "Connected"
CHECKING = "Checking…"
STALE = "Stale"
OLD_KEY = timedelta(days=90)

FAILURES_BY_CODE = {
    "40006": "Unknown key",
    "40041": "Unknown key",
    "40009": "Wrong secret",
    "40012": "Wrong passphrase",
    "40011": "No passphrase",
    "40018": "IP not allowed",
    "40004": "Clock off",
    "40008": "Clock off",
    "40016": "No 2FA",
    "40024": "Frozen",
    "40104": "Region",
}
FAILURES_BY_KIND = {
    "authentication_failed": "Key refused",
    "permission_missing": "No permission",
    "ip_not_whitelisted": "IP not allowed",
    "clock_skew": "Clock off",
    "wrong_environment": "Wrong env",
    "account_mode_mismatch": "Account mode",
    "account_restricted": "Restricted",
    "rate_limited": "Rate limited",
    "unavailable": "Unreachable",
}


def wall_clock() -> datetime:
    return datetime.now(UTC)


def failure_words(code: str | None, kind: str | None = None) -> str:
    """What failed, in a few words, for the status column."""
    if code in FAILURES_BY_CODE:
        return FAILURES_BY_CODE[code]
    if kind in FAILURES_BY_KIND:
        return FAILURES_BY_KIND[kind]
    return f"Failed ({code})" if code else "Failed"


def report_status(report: KeyReport) -> str:
    if report.connected:
        return CONNECTED
    error = report.error
    return failure_words(error.code if error else None, error.kind if error else None)


def record_status(record: AccountRecord) -> str:
    """The status the index remembers from the account's last check."""
    check = record.last_check
    if check is None:
        return "Not checked"
    if check.status == "connected":
        return CONNECTED
    return failure_words(check.error_code)


def money(value: Decimal | None, places: int = 2) -> str:
    return "—" if value is None else f"{value:,.{places}f}"


def amount(value: Decimal) -> str:
    """A coin amount with up to 8 decimals, trailing zeros dropped."""
    text = f"{value:,.8f}".rstrip("0").rstrip(".")
    return text or "0"


def age(since: datetime | None, now: datetime) -> str:
    """How long ago, in one short word: "just now", "5m", "3h", "12d"."""
    if since is None:
        return "—"
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60}m ago"
    if seconds < 86400:
        return f"{seconds // 3600}h ago"
    return f"{seconds // 86400}d ago"


def recent_age(since: datetime, now: datetime) -> str:
    """How long ago, to the second under a minute: "just now", "12s ago", then as :func:`age`."""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds == 0:
        return "just now"
    if seconds < 60:
        return f"{seconds}s ago"
    return age(since, now)


def watch_status(snapshot: BalanceSnapshot) -> str:
    """A connected account's status while its balances are watched: the source, or stale."""
    if snapshot.error is not None:
        return STALE
    return f"{CONNECTED} · {'live' if snapshot.source == 'live' else 'poll'}"


def key_age(record: AccountRecord, now: datetime) -> str:
    """How long the key has been in use: since it was rotated, else since it was added."""
    since = record.rotated or record.created
    days = max(0, (now - since).days)
    text = "today" if days == 0 else f"{days}d"
    return text + (" old!" if now - since > OLD_KEY else "")
