"""Each exchange's expiry rule, from the facts of a key's last check and its use on this box."""

from datetime import UTC, datetime, timedelta

import pytest

from exchange_tui.exchanges.base import KeyUse, countdown
from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.models import KeyFacts

ADDED = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
USED = datetime(2026, 2, 1, 8, 30, tzinfo=UTC)
USE = KeyUse(set_at=ADDED, last_used=USED)
REPORTED = datetime(2026, 4, 9, 3, 21, 5, tzinfo=UTC)


def expiry(exchange: str, **facts) -> datetime | None:
    return EXCHANGES[exchange].key_expiry.at(KeyFacts(**facts), USE)


def test_okx_deletes_a_trade_key_without_an_ip_14_days_after_its_last_use_here():
    assert expiry("okx", permissions=("read", "trade")) == USED + timedelta(days=14)
    assert expiry("okx", permissions=("read", "withdraw")) == USED + timedelta(days=14)


def test_okx_counts_from_the_key_being_set_when_this_box_never_used_it():
    rule = EXCHANGES["okx"].key_expiry
    assert rule.at(KeyFacts(permissions=("trade",)), KeyUse(set_at=ADDED)) == ADDED + timedelta(days=14)


@pytest.mark.parametrize(
    "facts",
    [
        {"permissions": ("read",)},
        {"permissions": ("read", "trade"), "ips": ("203.0.113.7",)},
        {"permissions": ("read", "trade"), "demo_trading": True},
    ],
    ids=["read-only", "ip-bound", "demo-trading"],
)
def test_okx_keeps_read_only_ip_bound_and_demo_trading_keys(facts):
    assert expiry("okx", **facts) is None


def test_bybit_takes_the_expiry_it_reports():
    assert expiry("bybit", permissions=("read", "trade"), expires_at=REPORTED) == REPORTED


@pytest.mark.parametrize("ips", [(), ("203.0.113.7",)], ids=["no IP bound", "an IP bound"])
def test_bybit_says_nothing_of_a_key_it_reports_no_expiry_for(ips):
    """Bybit reports the expiry of an unbound key itself: none is counted here, bound or not."""
    assert expiry("bybit", permissions=("read", "trade"), ips=ips) is None


def test_binance_turns_spot_trading_off_when_it_says_on_an_unrestricted_key():
    facts = {"permissions": ("read", "spot & margin trading"), "ip_restricted": False}
    assert expiry("binance", **facts, expires_at=REPORTED) == REPORTED


def test_binance_without_a_reported_time_counts_30_days_from_the_key_being_set_here():
    facts = {"permissions": ("read", "spot & margin trading"), "ip_restricted": False}
    assert expiry("binance", **facts) == ADDED + timedelta(days=30)


@pytest.mark.parametrize(
    "facts",
    [
        {"permissions": ("read", "spot & margin trading"), "ip_restricted": True, "expires_at": REPORTED},
        {"permissions": ("read", "spot & margin trading"), "ip_restricted": None},
        {"permissions": ("read", "futures"), "ip_restricted": False},
    ],
    ids=["restricted", "not-known", "no-spot-trading"],
)
def test_binance_says_nothing_of_restricted_or_non_trading_keys(facts):
    assert expiry("binance", **facts) is None


def test_bitget_has_no_rule():
    assert EXCHANGES["bitget"].key_expiry is None


def test_the_warning_counts_down_in_days():
    rule = EXCHANGES["okx"].key_expiry
    line = rule.warning(USED + timedelta(days=14), USED + timedelta(days=5, hours=1))
    assert line.startswith("OKX deletes this key on 2026-02-15 08:30 UTC (in 8 days): ")
    assert "counted here from the last use this box saw" in line
    assert countdown(USED, USED - timedelta(hours=3)) == "within a day"
    assert countdown(USED, USED + timedelta(days=1, hours=2)) == "1 day ago"
