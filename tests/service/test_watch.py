"""Watching balances: pushes from the simulator's WebSocket, REST polling while it is down."""

import asyncio
from decimal import Decimal

from exchange_tui.config import Settings
from exchange_tui.models import BalanceSource

FAST = 0.05


async def next_where(watch, condition, limit: float = 10.0):
    """The first snapshot that meets ``condition`` (bounded, so a broken watch fails instead of hanging)."""

    async def scan():
        async for snapshot in watch:
            if condition(snapshot):
                return snapshot

    return await asyncio.wait_for(scan(), limit)


async def test_live_pushes_arrive_valued(service, keys, simulator):
    await service.add("bitget", "main", *keys("demo"))
    watch = service.watch("main", poll_interval=FAST)
    try:
        first = await next_where(watch, lambda s: s.source is BalanceSource.LIVE)
        assert first.label == "main" and first.error is None
        btc = next(b for b in first.balances if b.account == "spot" and b.coin == "BTC")
        assert btc.usdt_value == btc.available * simulator.state.usdt_price("BTC")
        assert first.total_usdt == sum(b.usdt_value for b in first.balances if b.usdt_value is not None)

        simulator.state.set_balance("demo", "BTC", "1.5")
        moved = await next_where(watch, lambda s: any(b.coin == "BTC" and b.available == Decimal("1.5") for b in s.balances))
        assert moved.source is BalanceSource.LIVE and moved.total_usdt > first.total_usdt
    finally:
        await watch.aclose()


async def test_polling_takes_over_while_the_stream_is_refused(service, keys, simulator):
    await service.add("bitget", "main", *keys("demo"))
    simulator.state.faults.ws_refuse_login = True
    watch = service.watch("main", poll_interval=FAST)
    try:
        polled = await next_where(watch, lambda s: s.source is BalanceSource.POLLING and s.balances)
        assert polled.total_usdt > 0
        simulator.state.set_balance("demo", "USDT", "99999")
        moved = await next_where(watch, lambda s: s.balances and any(b.available == Decimal("99999") for b in s.balances))
        assert moved.source is BalanceSource.POLLING
    finally:
        await watch.aclose()


async def test_a_unified_account_is_live_on_the_v3_socket(service, keys, simulator):
    await service.add("bitget", "uta", *keys("demo-unified"))
    watch = service.watch("uta", poll_interval=FAST)
    try:
        first = await next_where(watch, lambda s: s.source is BalanceSource.LIVE)
        assert {b.account for b in first.balances} == {"unified"}
        btc = next(b for b in first.balances if b.coin == "BTC")
        assert btc.usdt_value == btc.available * simulator.state.usdt_price("BTC")
        simulator.state.set_balance("demo-unified", "BTC", "2", wallet="unified")
        moved = await next_where(watch, lambda s: any(b.coin == "BTC" and b.available == 2 for b in s.balances))
        assert moved.source is BalanceSource.LIVE and moved.total_usdt > first.total_usdt
    finally:
        await watch.aclose()


async def test_a_trade_only_unified_key_is_polled_and_told_the_permission(service, keys):
    await service.add("bitget", "uta", *keys("demo-unified-trade-only"))
    watch = service.watch("uta", poll_interval=FAST)
    try:
        failed = await next_where(watch, lambda s: s.error is not None)
        assert failed.source is BalanceSource.POLLING and "UTA management (read)" in failed.error.hint
    finally:
        await watch.aclose()


async def test_failed_readings_carry_the_error_instead_of_raising(service, keys, simulator):
    await service.add("bitget", "main", *keys("demo"))
    simulator.state.faults.ws_refuse_login = True
    simulator.state.faults.error_5xx_next = 1000
    watch = service.watch("main", poll_interval=FAST)
    try:
        failed = await next_where(watch, lambda s: s.error is not None, limit=20)
        assert failed.balances is None and failed.error.kind == "unavailable"
    finally:
        await watch.aclose()


async def test_watch_switches_to_a_key_rotated_elsewhere(service, store, keys, simulator):
    from exchange_tui.service import AccountService

    await service.add("bitget", "main", *keys("demo"))
    watch = service.watch("main", poll_interval=FAST)
    other_box = AccountService(store, settings=Settings.pointing({"bitget": simulator.url}))
    try:
        first = await next_where(watch, lambda s: s.source is BalanceSource.LIVE)
        await other_box.rotate("main", *keys("demo-withdraw"))
        switched = await next_where(watch, lambda s: s.key_version != first.key_version and s.balances)
        assert {(b.coin, b.available) for b in switched.balances if b.account == "spot"} == {
            (b.coin, b.available) for b in simulator.state.account("demo-withdraw").spot
        }
    finally:
        await watch.aclose()
        await other_box.aclose()
