"""Reading OKX's answers: the envelope, the key's permissions and account mode, the trading and funding
balances, from the reference's own JSON (reference/okx-v5.md §3)."""

from decimal import Decimal

import okx_examples as examples
import pytest

from exchange_tui.exchanges.errors import AuthenticationFailed, ExchangeUnavailable, RateLimited
from exchange_tui.exchanges.okx.client import OkxClient, funding_balances, trading_balances, value_in_usdt
from exchange_tui.exchanges.okx.permissions import account_mode, decode_perm
from exchange_tui.exchanges.toolkit import Answer
from exchange_tui.models import AccountMode, Balance, Reason

PRICES = {row["instId"]: Decimal(row["last"]) for row in examples.TICKERS["data"]}


@pytest.fixture
async def client():
    async with OkxClient(base_url="http://127.0.0.1:9") as client:
        yield client


def test_the_reference_keys_permissions_in_plain_words():
    perm = decode_perm(examples.ACCOUNT_CONFIG["data"][0]["perm"])
    assert perm.words() == ["read", "trade", "withdraw"]
    assert (perm.read_only, perm.can_trade, perm.can_withdraw) == (False, True, True)


@pytest.mark.parametrize(
    ("perm", "words", "read_only", "can_withdraw"),
    [
        ("read_only", ["read"], True, False),
        ("read_only,trade", ["read", "trade"], False, False),
        ("trade, read_only", ["read", "trade"], False, False),
        ("read_only,withdraw", ["read", "withdraw"], False, True),
        ("read_only,copy_trading,copy_trading", ["read", "copy_trading"], True, False),
        ("", [], True, False),
    ],
)
def test_perm(perm, words, read_only, can_withdraw):
    decoded = decode_perm(perm)
    assert (decoded.words(), decoded.read_only, decoded.can_withdraw) == (words, read_only, can_withdraw)


@pytest.mark.parametrize(
    ("acct_lv", "mode"),
    [
        ("1", AccountMode.SPOT),
        ("2", AccountMode.FUTURES),
        ("3", AccountMode.MULTI_CURRENCY),
        ("4", AccountMode.PORTFOLIO),
        ("5", None),
        ("", None),
    ],
)
def test_acct_lv(acct_lv, mode):
    assert account_mode(acct_lv) is mode


def test_the_envelope_gives_its_data(client):
    assert client.read(Answer(200, "OK", examples.SERVER_TIME)) == [{"ts": "1597026383085"}]


def test_okx_refusing_with_http_401_is_okx_speaking(client):
    with pytest.raises(AuthenticationFailed) as refused:
        client.read(Answer(401, "Unauthorized", {"msg": "API key doesn't exist", "code": "50119"}))
    assert (refused.value.reason, refused.value.http_status) == (Reason.KEY_UNKNOWN, 401)


def test_what_is_not_okx_answering_is_the_way_there(client):
    with pytest.raises(RateLimited):
        client.read(Answer(429, "Too Many Requests", None))
    with pytest.raises(ExchangeUnavailable):
        client.read(Answer(502, "Bad Gateway", {"code": "50001", "msg": "upstream"}))
    with pytest.raises(ExchangeUnavailable):
        client.read(Answer(200, "OK", ["not", "okx"]))


def test_a_rate_limit_in_okx_words_is_retried_like_a_bare_429(client):
    with pytest.raises(RateLimited) as limited:
        client.read(Answer(429, "Too Many Requests", {"code": "50011", "msg": "Too Many Requests"}))
    assert limited.value.retryable


def test_the_trading_account_from_the_reference():
    (usdt,) = trading_balances(examples.TRADING_BALANCE["data"])
    assert usdt == Balance(
        account="trading", coin="USDT", available=Decimal("4834.317093622894"), frozen=Decimal("158.573")
    )
    (valued,) = value_in_usdt([usdt], PRICES)
    assert valued.usdt_value == Decimal("4992.890093622894")  # the detail's eq


def test_the_funding_account_from_the_reference():
    (eth,) = funding_balances(examples.FUNDING_BALANCES["data"])
    assert eth == Balance(account="funding", coin="ETH", available=Decimal("37.11827078"), frozen=Decimal(0))
    (unpriced,) = value_in_usdt([eth], PRICES)
    assert unpriced.usdt_value is None  # the reference's tickers have no ETH-USDT


def test_coins_are_valued_at_the_last_usdt_price():
    btc = Balance(account="funding", coin="BTC", available=Decimal("0.5"))
    assert PRICES == {"BTC-USDT": Decimal("51230")}
    assert value_in_usdt([btc], PRICES)[0].usdt_value == Decimal("25615.0")


def test_a_margin_modes_debt_is_taken_off():
    (owed,) = trading_balances([{"details": [{"ccy": "usdt", "availBal": "", "availEq": "10", "frozenBal": "", "liab": "4"}]}])
    assert (owed.coin, owed.available, owed.debt) == ("USDT", Decimal(10), Decimal(4))
    assert value_in_usdt([owed], PRICES)[0].usdt_value == Decimal(6)
