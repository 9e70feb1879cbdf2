"""How the screens word statuses, amounts and ages: short, plain, readable at 80 columns.

Plain Python (no Textual). Times are compared with a clock the app is given, so tests and
screenshots can fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from exchange_tui.exchanges.registry import EXCHANGES

if TYPE_CHECKING:
    from exchange_tui.models import KeyReport
    from exchange_tui.service import BalanceSnapshot
    from exchange_tui.store import AccountRecord

Clock = Callable[[], datetime]

CONNECTED = "Connected"
CHECKING = "Checking…"
STALE = "Stale"

FAILURES = {
    "key_unknown": "Unknown key",
    "secret_wrong": "Wrong secret",
    "passphrase_wrong": "Wrong passphrase",
    "credential_missing": "Key incomplete",
    "key_disabled": "Key disabled",
    "ip_refused": "IP not allowed",
    "clock_off": "Clock off",
    "wrong_environment": "Wrong env",
    "wrong_site": "Wrong site",
    "two_factor_missing": "No 2FA",
    "account_restricted": "Restricted",
    "account_mode": "Account mode",
    "permission_missing": "No permission",
    "rate_limited": "Rate limited",
    "unavailable": "Unreachable",
}
"""What failed, by the refusal's meaning (:class:`exchange_tui.models.Reason`)."""


def wall_clock() -> datetime:
    return datetime.now(UTC)


def failure_words(reason: str | None, code: str | None) -> str:
    """What failed, in a few words, for the status column."""
    if reason in FAILURES:
        return FAILURES[reason]
    return f"Failed ({code})" if code else "Failed"


def report_status(report: KeyReport) -> str:
    if report.connected:
        return CONNECTED
    error = report.error
    return failure_words(error.reason, error.code) if error else failure_words(None, None)


def record_status(record: AccountRecord) -> str:
    """The status the index remembers from the account's last check."""
    check = record.last_check
    if check is None:
        return "Not checked"
    if check.status == "connected":
        return CONNECTED
    return failure_words(check.error_reason, check.error_code)


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


def key_age(record: AccountRecord, now: datetime, max_days: int) -> str:
    """The key's age in days since it was set, "!" once past ``max_days``, then "→" and the days left
    before its exchange's expiry where one is known: "12d", "95d!", "12d→9d", "3d→due"."""
    days = record.age_days(now)
    text = f"{days}d" + ("!" if days > max_days else "")
    expires_at = record.last_check.expires_at if record.last_check else None
    if expires_at is not None:
        text += "→" + (f"{(expires_at - now).days}d" if expires_at > now else "due")
    return text


def key_times(record: AccountRecord, now: datetime, max_days: int) -> list[str]:
    """What to know of the key's age and its exchange's expiry, a sentence each (none for a young key
    that does not expire)."""
    lines = []
    days = record.age_days(now)
    if days > max_days:
        lines.append(f"key {days} days old, past key_max_age_days={max_days}: replace it (r on My Exchanges)")
    spec = EXCHANGES.get(record.exchange)
    expires_at = record.last_check.expires_at if record.last_check else None
    if spec is not None and spec.key_expiry is not None and expires_at is not None:
        rule = spec.key_expiry
        lines.append(f"{rule.when(expires_at, now)}: {rule.advice}")
    return lines
