"""Permissions and balances from the reference's own JSON (reference/binance.md §3, §7)."""

from datetime import UTC, datetime
from decimal import Decimal

import binance_examples as examples

from exchange_tui.exchanges.binance.client import funding_balances, futures_balances, spot_balances
from exchange_tui.exchanges.binance.permissions import decode_account_flags, decode_restrictions
from exchange_tui.exchanges.binance.stream import futures_update, spot_position
from exchange_tui.models import Balance


def test_the_reference_restrictions_in_plain_words():
    permissions = decode_restrictions(examples.API_RESTRICTIONS)
    assert permissions.words() == ["read", "portfolio margin trading", "FIX read-only"]
    assert permissions.ip_restricted is False and permissions.read_only is False
    assert not permissions.can_trade and not permissions.can_withdraw
    assert permissions.created_at == datetime(2023, 10, 30, 5, 53, 39, tzinfo=UTC)
    assert permissions.trading_expires_at is None


def test_the_older_restrictions_with_their_expiry():
    permissions = decode_restrictions(examples.OLD_API_RESTRICTIONS)
    assert permissions.words() == ["read", "spot & margin trading"]
    assert permissions.can_trade and permissions.trading_expires_at == datetime(2022, 2, 28, 22, 0, tzinfo=UTC)


def test_a_reading_key_is_read_only_and_an_unknown_flag_is_kept():
    permissions = decode_restrictions({"ipRestrict": "true", "enableReading": True, "enableNewThing": True})
    assert permissions.words() == ["read", "enableNewThing"] and permissions.ip_restricted is True
    assert decode_restrictions({"enableReading": True}).read_only


def test_transfers_are_not_read_only():
    assert not decode_restrictions({"enableReading": True, "permitsUniversalTransfer": True}).read_only


def test_the_account_flags_where_there_is_no_wallet_api():
    permissions = decode_account_flags(examples.ACCOUNT)
    assert permissions.words() == ["read", "spot & margin trading", "withdrawals"] and permissions.ip_restricted is None


def test_spot_balances():
    assert spot_balances(examples.ACCOUNT) == [
        Balance(account="spot", coin="BTC", available=Decimal("4723846.89208129")),
        Balance(account="spot", coin="LTC", available=Decimal("4763368.68006011")),
    ]


def test_the_futures_balance_is_the_wallet_balance_of_which_available_is_free():
    (usdt,) = futures_balances(examples.FUTURES_BALANCE)
    assert usdt.account == "usdm_futures" and usdt.available == Decimal("23.72469206")
    assert usdt.available + usdt.locked == Decimal("122607.35137903")


def test_the_funding_wallet():
    assert funding_balances(examples.FUNDING) == [Balance(account="funding", coin="USDT", available=Decimal("1"))]


def test_a_spot_push():
    assert spot_position(examples.SPOT_PUSH["event"]) == [Balance(account="spot", coin="ETH", available=Decimal("10000"))]


def test_a_futures_push_is_the_wallet_balance():
    assert [(b.coin, b.available + b.locked) for b in futures_update(examples.FUTURES_PUSH)] == [
        ("USDT", Decimal("122624.12345678")),
        ("BUSD", Decimal("1")),
    ]


def test_unreadable_answers_give_no_rows():
    assert spot_balances({}) == [] and futures_balances({"code": 0}) == [] and funding_balances(None) == []
