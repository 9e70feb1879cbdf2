"""The OKX adapter against the OKX simulator (which checks OKX's signatures with its own code): the key
checks of the simulator's demo accounts, the refusals, the environment correction and live balances."""

import asyncio
import time
from decimal import Decimal

import pytest

from exchange_tui.exchanges.base import Connection
from exchange_tui.exchanges.okx.client import OkxClient
from exchange_tui.exchanges.okx.spec import SPEC
from exchange_tui.guide import Mark
from exchange_tui.models import AccountMode, BalanceSource, Reason

WAIT = 10.0


@pytest.fixture
async def connect(simulated):
    """``connect(label, demo_trading=False, **changed_parts)``: a client for a demo account; closed afterwards."""
    clients = []

    def make(label="demo", *, demo_trading=False, clock=None, **changes):
        connection = Connection(demo_trading=demo_trading, urls={"url": simulated.url})
        client = OkxClient(simulated.credentials(label, **changes), connection=connection, backoff_base=0.01, clock=clock)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def test_the_first_demo_key_connects(connect):
    assert SPEC.demo_keys[0].account == "demo"
    report = await connect("demo").check_key()
    assert report.connected and report.error is None
    assert (report.site, report.demo_trading, report.account_mode) == ("global", False, AccountMode.FUTURES)
    assert report.permissions == ["read", "trade"] and report.uid
    assert {b.account for b in report.balances} == {"trading", "funding"}
    assert report.total_usdt == sum(b.usdt_value for b in report.balances if b.usdt_value is not None) > 0


@pytest.mark.parametrize(
    ("changes", "code", "reason"),
    [
        ({"passphrase": "NotThePassphrase1"}, "50105", Reason.PASSPHRASE_WRONG),
        ({"secret_key": "0123456789ABCDEF0123456789ABCDEF"}, "50113", Reason.SECRET_WRONG),
    ],
)
async def test_a_wrong_part_is_named(connect, changes, code, reason):
    report = await connect("demo", **changes).check_key()
    assert not report.connected and (report.error.code, report.error.reason) == (code, reason)


async def test_an_ip_bound_key_names_this_boxs_ip(connect):
    report = await connect("demo-ip-bound").check_key()
    assert report.error.reason is Reason.IP_REFUSED and "127.0.0.1" in report.error.hint


async def test_another_sites_key_is_unknown_here_and_says_so(connect):
    report = await connect("demo-eea").check_key()
    assert report.error.code == "50119" and "--site eea" in report.error.hint


@pytest.mark.parametrize(("label", "demo_trading"), [("demo-trading", False), ("demo", True)])
async def test_the_demo_trading_setting_is_corrected(connect, label, demo_trading):
    report = await connect(label, demo_trading=demo_trading).check_key()
    assert report.connected and report.demo_trading is not demo_trading
    assert report.warnings[0].endswith("its demo-trading setting was corrected")


async def test_a_demo_trading_key_never_expires(connect):
    report = await connect("demo-trading", demo_trading=True).check_key()
    assert report.connected and report.demo_trading and not any("14 days" in w for w in report.warnings)


async def test_a_key_that_may_read_no_balance_still_connects(connect):
    report = await connect("demo-no-balance-read").check_key()
    assert report.connected and not report.balances
    assert sum("Could not read" in w and "50120" in w for w in report.warnings) == 2


async def test_account_modes_and_the_futures_step(connect):
    spot = await connect("demo-spot").check_key()
    assert spot.account_mode is AccountMode.SPOT and SPEC.guide.futures(spot)[0] is Mark.WARNING
    modes = [(await connect(label).check_key()).account_mode for label in ("demo-multi", "demo-portfolio")]
    assert modes == [AccountMode.MULTI_CURRENCY, AccountMode.PORTFOLIO]


async def test_a_sub_account_is_noted(connect):
    report = await connect("demo-sub").check_key()
    assert any("sub-account" in w for w in report.warnings)


async def test_a_clock_a_minute_and_a_half_off_is_synced(connect):
    report = await connect("demo", clock=lambda: time.time() - 90).check_key()
    assert report.connected


async def test_live_balances_push_and_fall_back_to_polling(connect, simulated):
    readings = connect("demo").live_balances(0.2)
    try:
        first = await asyncio.wait_for(anext(readings), WAIT)
        while first.source is not BalanceSource.LIVE:
            first = await asyncio.wait_for(anext(readings), WAIT)
        assert {b.account for b in first.balances} == {"trading", "funding"}
        await simulated.control("balance", label="demo", ccy="USDT", amount="1234.5", wallet="trading")
        pushed = await asyncio.wait_for(anext(readings), WAIT)
        assert pushed.source is BalanceSource.LIVE
        usdt = [b.available + b.frozen for b in pushed.balances if (b.account, b.coin) == ("trading", "USDT")]
        assert usdt == [Decimal("1234.5")]
        await simulated.control("ws/drop")
        after = [await asyncio.wait_for(anext(readings), WAIT)]
        while after[-1].source is not BalanceSource.LIVE:
            after.append(await asyncio.wait_for(anext(readings), WAIT))
        assert after[0].source is BalanceSource.POLLING and after[0].balances
    finally:
        await readings.aclose()


async def test_a_refused_login_leaves_polling_with_the_reason(connect):
    readings = connect("demo", passphrase="NotThePassphrase1").live_balances(0.2)
    try:
        reading = await asyncio.wait_for(anext(readings), WAIT)
    finally:
        await readings.aclose()
    assert reading.source is BalanceSource.POLLING and reading.error.reason is Reason.PASSPHRASE_WRONG
    assert reading.error.key_gone
