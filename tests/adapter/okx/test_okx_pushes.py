"""The account channel's pushes (reference/okx-v5.md §7): a snapshot replaces the trading account, over
its pages; an update merges in; a coin at zero goes."""

from decimal import Decimal

import okx_examples as examples

from exchange_tui.exchanges.okx.stream import TradingAccount
from exchange_tui.models import Balance


def test_the_reference_push_is_the_trading_account():
    account = TradingAccount()
    assert account.apply(examples.ACCOUNT_PUSH)
    assert account.balances == (
        Balance(account="trading", coin="USDT", available=Decimal("4734.371190691436"), frozen=Decimal("158.57998")),
    )


def _push(event_type: str, *coins: tuple[str, str], **page: object) -> dict:
    details = [{"ccy": ccy, "availBal": amount, "frozenBal": "0"} for ccy, amount in coins]
    return {"arg": {"channel": "account"}, "eventType": event_type, **page, "data": [{"details": details}]}


def _amounts(account: TradingAccount) -> dict[str, Decimal]:
    return {b.coin: b.available for b in account.balances}


def test_an_update_merges_and_a_coin_at_zero_goes():
    account = TradingAccount()
    account.apply(_push("snapshot", ("USDT", "10"), ("BTC", "1")))
    assert account.apply(_push("event_update", ("BTC", "0"), ("ETH", "2")))
    assert _amounts(account) == {"USDT": Decimal(10), "ETH": Decimal(2)}


def test_a_snapshot_replaces_once_its_last_page_is_in():
    account = TradingAccount()
    account.apply(_push("snapshot", ("USDT", "10"), ("BTC", "1")))
    assert not account.apply(_push("snapshot", ("USDT", "11"), curPage=1, lastPage=False))
    assert _amounts(account) == {"USDT": Decimal(10), "BTC": Decimal(1)}
    assert account.apply(_push("snapshot", ("ETH", "3"), curPage=2, lastPage=True))
    assert _amounts(account) == {"USDT": Decimal(11), "ETH": Decimal(3)}


def test_after_a_resubscription_updates_wait_for_the_snapshot():
    account = TradingAccount()
    account.apply(_push("snapshot", ("USDT", "10")))
    account.resubscribed()
    assert not account.apply(_push("event_update", ("USDT", "12")))
    assert account.apply(_push("snapshot", ("USDT", "13")))
    assert _amounts(account) == {"USDT": Decimal(13)}
