"""A key check's report, assembled from the reference's own answers (reference/bybit-v5.md §3), answered in-process
by path: what Bybit's answers mean in it, the environment corrected on 10003, the one round trip."""

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal

import bybit_examples as examples
import httpx
import pytest

from exchange_tui.exchanges.base import Connection
from exchange_tui.exchanges.bybit.client import FUNDING_BALANCES, KEY_INFO, TICKERS, WALLET_BALANCE
from exchange_tui.models import AccountMode, AccountTotal, Reason

READ_WRITE = examples.KEY_INFO["result"] | {"readOnly": 0}
REFERENCE = {
    KEY_INFO: READ_WRITE,
    WALLET_BALANCE: examples.WALLET_BALANCE["result"],
    FUNDING_BALANCES: examples.FUNDING_BALANCES["result"],
    TICKERS: examples.TICKERS["result"],
}
HELD = copy.deepcopy(examples.WALLET_BALANCE["result"])
HELD["list"][0]["coin"][0]["walletBalance"] = "0.5"
UNBOUND = READ_WRITE | {"ips": ["*"], "deadlineDay": 83, "expiredAt": "2099-05-15T03:21:05Z"}


def refusal(code, message="refused", status=200):
    return httpx.Response(status, content=json.dumps({"retCode": code, "retMsg": message, "result": {}, "retExtInfo": {}, "time": 1}))


async def test_the_reference_key(answered):
    client, sent = answered(REFERENCE | {WALLET_BALANCE: HELD})
    report = await client.check_key()
    assert report.connected and report.error is None
    assert (report.uid, report.account_mode, report.demo_trading, report.testnet) == ("1448939", AccountMode.UNIFIED, False, False)
    assert (report.read_only, report.can_withdraw, report.expires_at) == (False, False, None)
    assert report.permissions[:2] == ["read", "trade"]
    assert report.ips == ["18.181.170.164", "13.212.45.47", "13.212.45.48"]
    assert report.warnings == []
    assert [(b.account, b.coin, b.usdt_value) for b in report.balances] == [("unified", "BTC", Decimal("10266.565"))]
    assert report.overview == [
        AccountTotal(account="unified", usdt_value=Decimal("10266.565")),
        AccountTotal(account="funding", usdt_value=Decimal(0)),
    ]
    assert sorted(r.url.path for r in sent) == sorted(["/v5/market/time", KEY_INFO, WALLET_BALANCE, FUNDING_BALANCES, TICKERS])


async def test_a_clock_already_synced_costs_one_round_trip(answered):
    client, sent = answered(REFERENCE)
    client.clock.offset_ms = 0
    await client.check_key()
    assert sorted(r.url.path for r in sent) == sorted([KEY_INFO, WALLET_BALANCE, FUNDING_BALANCES, TICKERS])


async def test_an_unbound_key_reports_its_expiry(answered):
    client, _ = answered(REFERENCE | {KEY_INFO: UNBOUND})
    report = await client.check_key()
    assert report.ips == [] and report.expires_at == datetime(2099, 5, 15, 3, 21, 5, tzinfo=UTC)
    assert [w.split(":")[0] for w in report.warnings] == ["No IP is bound to this key"], "the countdown is the service's"


async def test_read_only_withdraw_and_sub_account_warnings(answered):
    client, _ = answered(REFERENCE | {KEY_INFO: examples.KEY_INFO["result"] | {"isMaster": False, "parentUid": "100"}})
    report = await client.check_key()
    assert report.read_only and report.permissions[0] == "read" and "trade" not in report.permissions
    assert report.warnings[0].startswith("This key is Read-Only")
    assert any("sub-account (uid 1448939 of main account 100)" in w for w in report.warnings)
    withdraw = copy.deepcopy(READ_WRITE)
    withdraw["permissions"]["Wallet"].append("Withdraw")
    client, _ = answered(REFERENCE | {KEY_INFO: withdraw})
    report = await client.check_key()
    assert report.can_withdraw and report.warnings[0].startswith("This key can withdraw funds")


async def test_a_balance_refused_is_a_warning_naming_it(answered):
    client, _ = answered(REFERENCE | {FUNDING_BALANCES: refusal(10005)})
    report = await client.check_key()
    assert report.connected
    assert any(w.startswith("Could not read the funding wallet's balances") and "10005" in w for w in report.warnings)
    assert [t.account for t in report.overview] == ["unified"]


async def test_a_funding_wallet_that_wants_its_coins_named(answered):
    def funding(request):
        if b"coin=" not in request.url.query:
            return refusal(10001, "coin is required")
        return {"balance": [{"coin": "USDT", "walletBalance": "5", "transferBalance": "5"}]}

    client, sent = answered(REFERENCE | {FUNDING_BALANCES: funding})
    report = await client.check_key()
    assert [(b.account, b.coin) for b in report.balances] == [("funding", "USDT")]
    asked = [r.url.query for r in sent if r.url.path == FUNDING_BALANCES]
    assert asked[0] == b"accountType=FUND" and asked[1].startswith(b"accountType=FUND&coin=USDT,USDC,BTC")


@pytest.mark.parametrize(("code", "reason"), [(10004, Reason.SECRET_WRONG), (10010, Reason.IP_REFUSED), (33004, Reason.KEY_DISABLED)])
async def test_the_key_info_refusal_is_the_key_s(answered, code, reason):
    client, _ = answered(REFERENCE | {KEY_INFO: refusal(code)})
    report = await client.check_key()
    assert not report.connected and report.error.reason is reason and report.error.code == str(code)


async def test_a_clock_refusal_waits_for_the_clock_measured_beside_it_and_goes_again_once(answered):
    calls = []

    def key_info(request):
        calls.append(request)
        return refusal(10002) if len(calls) == 1 else READ_WRITE

    client, sent = answered(REFERENCE | {KEY_INFO: key_info})
    assert (await client.check_key()).connected
    paths = [r.url.path for r in sent]
    assert (paths.count("/v5/market/time"), paths.count(KEY_INFO)) == (1, 2)


def environments(keys_by_host):
    """Answers as Bybit's hosts do: ``keys_by_host`` names the host where the key is known; the rest say 10003."""
    def by_host(result):
        return lambda request: result if request.url.host == keys_by_host else refusal(10003, "API key is invalid.", 401)

    return {path: by_host(result) for path, result in REFERENCE.items() if path != TICKERS} | {TICKERS: REFERENCE[TICKERS]}


async def test_a_demo_key_added_as_live_is_corrected(answered):
    client, sent = answered(environments("api-demo.bybit.com"))
    report = await client.check_key()
    assert report.connected and report.demo_trading and not report.testnet
    assert report.warnings[0].startswith("This is a key of demo trading") and "was corrected" in report.warnings[0]
    assert {r.url.host for r in sent} == {"api.bybit.com", "api-demo.bybit.com"}


async def test_a_live_key_added_as_testnet_is_corrected(answered):
    client, _ = answered(environments("api.bybit.com"), connection=Connection(testnet=True))
    report = await client.check_key()
    assert report.connected and not report.testnet and not report.demo_trading


async def test_a_key_unknown_everywhere_lists_the_environments(answered):
    client, sent = answered(environments("nowhere"), connection=Connection(demo_trading=True))
    report = await client.check_key()
    assert not report.connected and report.error.reason is Reason.KEY_UNKNOWN and report.demo_trading
    assert "which this account was added for" in report.error.hint and "mainnet" in report.error.hint
    assert {r.url.host for r in sent} == {"api.bybit.com", "api-demo.bybit.com", "api-testnet.bybit.com"}
    assert client.base_url == "https://api-demo.bybit.com"


async def test_one_custom_url_is_not_tried_again(answered):
    client, sent = answered(environments("nowhere"), connection=Connection(urls={"url": "http://127.0.0.1:9"}))
    report = await client.check_key()
    assert not report.connected and {r.url.host for r in sent} == {"127.0.0.1"}
    assert [r.url.path for r in sent].count(KEY_INFO) == 1
