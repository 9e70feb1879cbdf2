"""Permissions, expiry and balances read from the reference's own JSON (reference/bybit-v5.md §3, §7)."""

import copy
from datetime import UTC, datetime
from decimal import Decimal

import bybit_examples as examples

from exchange_tui.exchanges.bybit.client import funding_balances, unified_balances
from exchange_tui.exchanges.bybit.permissions import account_mode, bound_ips, decode, expires_at
from exchange_tui.models import AccountMode, Balance

KEY = examples.KEY_INFO["result"]


def test_the_reference_key_is_read_only_so_it_neither_trades_nor_withdraws():
    permissions = decode(KEY)
    assert permissions.read_only and not permissions.can_trade and not permissions.can_withdraw
    assert permissions.words() == [
        "read",
        "contract orders",
        "contract positions",
        "spot trade",
        "account transfer",
        "subaccount transfer",
        "derivatives trade",
        "convert history",
        "earn",
        "P2P orders",
        "P2P ads",
        "fiat convert",
        "Bybit Pay",
        "card",
        "ByX post",
    ]


def test_read_write_with_withdrawal():
    info = copy.deepcopy(KEY) | {"readOnly": 0}
    info["permissions"]["Wallet"].append("Withdraw")
    permissions = decode(info)
    assert permissions.can_trade and permissions.can_withdraw
    assert permissions.words()[:3] == ["read", "trade", "withdraw"]
    assert permissions.words().count("withdraw") == 1


def test_unknown_products_and_codes_are_kept():
    permissions = decode({"readOnly": 0, "permissions": {"FiatGlobalPay": ["GlobalPayOrder"], "NFT": []}})
    assert permissions.words() == ["read", "FiatGlobalPay: GlobalPayOrder"]
    assert decode({"readOnly": 1}).words() == ["read"]


def test_account_mode_ips_and_a_key_that_does_not_expire():
    assert account_mode(KEY) is AccountMode.UNIFIED
    assert account_mode(KEY | {"uta": 0}) is AccountMode.CLASSIC
    assert account_mode({}) is None
    assert bound_ips(KEY) == ["18.181.170.164", "13.212.45.47", "13.212.45.48"]
    assert bound_ips({"ips": ["*"]}) == []
    assert expires_at(KEY) is None, "1970-01-01T00:00:00Z is no expiry"


def test_the_older_key_quoted_by_ccxt_expires():
    older = KEY | {"ips": ["*"], "deadlineDay": 83, "expiredAt": "2023-05-15T03:21:05Z", "uta": 0, "isMaster": False}
    when = expires_at(older)
    assert when == datetime(2023, 5, 15, 3, 21, 5, tzinfo=UTC)


def test_the_unified_wallet():
    assert unified_balances(examples.WALLET_BALANCE["result"]) == [Balance(account="unified", coin="BTC", available=Decimal(0))]


def test_a_unified_coin_locked_and_borrowed():
    result = copy.deepcopy(examples.WALLET_BALANCE["result"])
    result["list"][0]["coin"][0] |= {"walletBalance": "2.5", "locked": "0.5", "spotBorrow": "1"}
    (btc,) = unified_balances(result)
    assert (btc.available, btc.locked, btc.debt) == (Decimal(2), Decimal("0.5"), Decimal(1))


def test_the_wallet_push_has_the_same_shape():
    (btc,) = unified_balances(examples.WALLET_PUSH["data"])
    assert (btc.account, btc.coin, btc.available, btc.locked) == ("unified", "BTC", Decimal("0.00102964"), Decimal(0))


def test_the_funding_wallet():
    assert funding_balances(examples.FUNDING_BALANCES["result"]) == [
        Balance(account="funding", coin="USDC", available=Decimal(0), frozen=Decimal(0))
    ]
    (usdt,) = funding_balances({"balance": [{"coin": "USDT", "walletBalance": "10", "transferBalance": "7"}]})
    assert (usdt.available, usdt.frozen) == (Decimal(7), Decimal(3))
