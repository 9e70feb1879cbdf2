"""A unified account's balances live on Bitget's v3 socket (our BalanceStream and live_balances), and a
box whose clock is far off going live."""

import asyncio
from decimal import Decimal

import pytest
from ws_helpers import WAIT, amounts, credentials_of, next_update

from exchange_tui.exchanges.bitget.client import BitgetClient
from exchange_tui.exchanges.bitget.live import live_balances, ws_url_for
from exchange_tui.exchanges.bitget.stream import StreamStatus, StreamTiming, uta_url
from exchange_tui.models import BalanceSource


@pytest.fixture
def uta_stream(open_stream):
    """``open_stream`` for unified accounts: ``uta_stream("demo-unified")``."""
    return lambda label="demo-unified", **options: open_stream(label, unified=True, **options)


def test_the_v3_socket_is_the_v2_one_with_v3_in_its_path():
    assert uta_url("wss://ws.bitget.com/v2/ws/private") == "wss://ws.bitget.com/v3/ws/private"
    assert uta_url("wss://wspap.bitget.com/v2/ws/private") == "wss://wspap.bitget.com/v3/ws/private"
    assert uta_url("ws://127.0.0.1:9/demo/v2/ws/private") == "ws://127.0.0.1:9/demo/v3/ws/private"
    assert uta_url("wss://proxy.example/bitget") == "wss://proxy.example/bitget"


async def test_goes_live_with_the_same_balances_as_rest(uta_stream, simulator, sim_accounts):
    stream = uta_stream()
    assert stream.ws_url == simulator.ws_urls["ws_uta_url"]
    update = await next_update(stream)
    assert update.status is StreamStatus.LIVE
    async with BitgetClient(credentials_of(sim_accounts["demo-unified"]), base_url=simulator.url) as rest:
        rows, _ = await rest.balances()
    assert amounts(update.balances) == amounts(rows)
    assert amounts(update.balances)[("unified", "USDT")] == (Decimal("2400.12"), Decimal(0), Decimal(50))


@pytest.mark.parametrize("shape", ["full", "changed"])
async def test_every_push_is_merged_coin_by_coin_whichever_coins_it_lists(uta_stream, simulator, shape):
    simulator.state.faults.ws_uta_push = shape
    stream = uta_stream()
    await next_update(stream)
    simulator.state.set_balance("demo-unified", "SOL", "4", wallet="unified")
    update = await next_update(stream)
    assert [(b.coin, b.available) for b in update.changed] == [("SOL", Decimal(4))]
    assert {b.coin for b in update.balances} == {"USDT", "BTC", "ETH", "SOL"}
    simulator.state.set_balance("demo-unified", "ETH", "0", wallet="unified")
    update = await next_update(stream)
    assert {b.coin for b in update.balances} == {"USDT", "BTC", "SOL"}


async def test_the_demo_host_for_a_unified_demo_trading_key(uta_stream, simulator):
    stream = uta_stream("demo-trading-unified", ws_url=simulator.ws_demo_url, demo_trading=True)
    assert stream.ws_url == simulator.ws_urls["ws_uta_demo_url"]
    update = await next_update(stream)
    assert update.status is StreamStatus.LIVE and amounts(update.balances)[("unified", "BTC")][0] == 1


async def test_a_classic_account_and_a_key_without_uta_read_are_refused_for_good(uta_stream):
    classic = await next_update(uta_stream("demo"))
    assert classic.status is StreamStatus.FAILED and classic.error.code == "40084"
    trade_only = await next_update(uta_stream("demo-unified-trade-only"))
    assert trade_only.status is StreamStatus.FAILED and trade_only.error.code == "40014"


async def test_a_login_before_the_clock_offset_is_known_is_retried_once_it_is(uta_stream, simulator):
    """The exchange's clock 90 s away: the first login (no offset yet) gets 30014, the next one, with the
    offset measured meanwhile, goes live."""
    simulator.state.faults.clock_offset_ms = 90_000
    offset: list[float | None] = [None]
    stream = uta_stream(clock_offset_ms=lambda: offset[0])
    refused = await next_update(stream)
    assert refused.status is StreamStatus.RECONNECTING and refused.error.code == "30014"
    offset[0] = 90_000.0
    live = await next_update(stream)
    assert live.status is StreamStatus.LIVE


@pytest.mark.parametrize("label", ["demo", "demo-unified"])
async def test_a_box_90_s_off_the_exchanges_clock_goes_live(simulator, label):
    """live_balances syncs the clock (through the mode's v3 call) before the first WebSocket login."""
    simulator.state.faults.clock_offset_ms = 90_000
    credentials = credentials_of(simulator.state.account(label))
    async with BitgetClient(credentials, base_url=simulator.url, backoff_base=0.001) as client:
        readings = live_balances(client, credentials, ws_url=ws_url_for(simulator.url, False, {}), poll_interval=5)
        try:
            async with asyncio.timeout(WAIT):
                async for reading in readings:
                    if reading.source is BalanceSource.LIVE:
                        break
        finally:
            await readings.aclose()
        assert reading.balances and 89_000 < client.clock_offset_ms < 91_000


def test_pings_go_out_every_20_seconds():
    """Bitget may close a socket quiet for 30 s (reference §9)."""
    assert StreamTiming().ping_interval == 20.0
