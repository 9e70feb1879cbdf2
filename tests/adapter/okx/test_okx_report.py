"""A key check's report, assembled from the reference's own answers (reference/okx-v5.md §3).

The client's reads are answered here in-process, by path, with the reference's JSON (or a refusal), so
these pin how the report is put together: what OKX's answers mean in it. Talking to OKX itself (its
signatures, envelopes, retries, clock) is tested on the wire and against the OKX simulator.
"""

import copy
from decimal import Decimal

import okx_examples as examples
import pytest
from okx_support import VECTOR_KEY

from exchange_tui.exchanges.errors import ExchangeError
from exchange_tui.exchanges.okx.client import ACCOUNT_CONFIG, FUNDING_BALANCES, TICKERS, TRADING_BALANCE, OkxClient
from exchange_tui.exchanges.okx.errors import from_code
from exchange_tui.models import AccountMode, AccountTotal, Reason

REFERENCE = {
    ACCOUNT_CONFIG: examples.ACCOUNT_CONFIG["data"],
    TRADING_BALANCE: examples.TRADING_BALANCE["data"],
    FUNDING_BALANCES: examples.FUNDING_BALANCES["data"],
    TICKERS: examples.TICKERS["data"],
}
SUB_ACCOUNT = examples.ACCOUNT_CONFIG["data"][0] | {
    "ip": "120.255.24.182,49.245.196.13",
    "acctLv": "3",
    "mainUid": "444810535339712570",
    "uid": "44705892343619584",
}
"""The reference's second fixture (JKORF's): two IPs bound, multi-currency margin, a sub-account."""


@pytest.fixture
async def check():
    """``check(answers, **options)``: a key check whose reads get ``answers`` by path (a data array, a
    refusal, or a function of the client giving either), on a clock already synced."""
    clients = []

    async def run(answers, **options):
        client = OkxClient(VECTOR_KEY, base_url="http://127.0.0.1:9", **options)
        clients.append(client)
        client.clock.offset_ms = 0

        async def get(path, params=None, *, signed=True):
            answer = answers[path](client) if callable(answers[path]) else answers[path]
            if isinstance(answer, ExchangeError):
                raise answer
            return copy.deepcopy(answer)

        client._get = get
        return await client.check_key()

    yield run
    for client in clients:
        await client.aclose()


async def test_the_reference_key(check):
    report = await check(REFERENCE)
    assert report.connected and report.error is None
    assert (report.uid, report.account_mode, report.site, report.demo_trading) == (
        "44705892343619584",
        AccountMode.FUTURES,
        "global",
        False,
    )
    assert (report.permissions, report.read_only, report.can_withdraw, report.ips) == (
        ["read", "trade", "withdraw"],
        False,
        True,
        [],
    )
    assert [w.split(":")[0] for w in report.warnings] == [
        "This key can withdraw funds",
        "No IP is bound to this key",
    ], "the 14 days unused are the spec's rule, which the service words"
    assert [(b.account, b.coin, b.usdt_value) for b in report.balances] == [
        ("trading", "USDT", Decimal("4992.890093622894")),
        ("funding", "ETH", None),
    ]
    assert report.total_usdt == Decimal("4992.890093622894")
    assert report.overview == [
        AccountTotal(account="trading", usdt_value=Decimal("4992.890093622894")),
        AccountTotal(account="funding", usdt_value=Decimal(0)),
    ]


async def test_a_sub_account_key_bound_to_ips(check):
    report = await check(REFERENCE | {ACCOUNT_CONFIG: [SUB_ACCOUNT]})
    assert report.ips == ["120.255.24.182", "49.245.196.13"]
    assert report.account_mode is AccountMode.MULTI_CURRENCY
    assert not any("No IP" in w or "14 days" in w for w in report.warnings)
    assert any("sub-account (uid 44705892343619584 of main account 444810535339712570)" in w for w in report.warnings)


async def test_a_read_only_key_cannot_trade_and_does_not_expire(check):
    report = await check(REFERENCE | {ACCOUNT_CONFIG: [examples.ACCOUNT_CONFIG["data"][0] | {"perm": "read_only"}]})
    assert (report.read_only, report.permissions) == (True, ["read"])
    assert any(w.startswith("This key cannot trade") for w in report.warnings)
    assert not any("14 days" in w for w in report.warnings)


async def test_a_demo_trading_key_never_expires(check):
    report = await check(REFERENCE, demo_trading=True)
    assert report.demo_trading and not any("14 days" in w for w in report.warnings)


async def test_a_balance_read_refused_is_a_warning_naming_it(check):
    report = await check(REFERENCE | {FUNDING_BALANCES: from_code("50120", "no permission")})
    assert report.connected
    assert any(w.startswith("Could not read the funding account's balances") and "50120" in w for w in report.warnings)
    assert [b.account for b in report.balances] == ["trading"]
    assert [t.account for t in report.overview] == ["trading"]


async def test_an_authentication_error_on_any_read_fails_the_check(check):
    report = await check(REFERENCE | {TRADING_BALANCE: from_code("50113", "Invalid signature.")})
    assert not report.connected and report.error.reason is Reason.SECRET_WRONG


def _only_in(demo: bool):
    """An answer for a key of one environment: 50101 for the other."""
    refusal = from_code("50101", "APIKey does not match current environment.")
    return lambda client: REFERENCE[ACCOUNT_CONFIG] if client.demo_trading is demo else refusal


async def test_a_key_of_the_other_environment_is_corrected(check):
    report = await check(REFERENCE | {ACCOUNT_CONFIG: _only_in(demo=True)})
    assert report.connected and report.demo_trading
    assert report.warnings[0] == "This is a demo-trading key: its demo-trading setting was corrected"
    live = await check(REFERENCE | {ACCOUNT_CONFIG: _only_in(demo=False)}, demo_trading=True)
    assert live.connected and not live.demo_trading
    assert live.warnings[0] == "This is a live key, not a demo-trading one: its demo-trading setting was corrected"


async def test_a_key_of_neither_environment_keeps_the_first_refusal(check):
    report = await check(REFERENCE | {ACCOUNT_CONFIG: from_code("50101", "APIKey does not match current environment.")})
    assert not report.connected and report.error.code == "50101" and not report.demo_trading
