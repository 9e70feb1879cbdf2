"""Our BalanceStream against the simulator over real sockets: live balances, reconnects, refusals, hosts."""

import asyncio
import logging
import socket
import time
from dataclasses import replace
from decimal import Decimal

import pytest
import websockets
from ws_helpers import FAST, amounts, credentials_of, next_update

from exchange_tui.exchanges.bitget.client import BitgetClient
from exchange_tui.exchanges.bitget.live import ws_url_for
from exchange_tui.exchanges.bitget.stream import (
    DEFAULT_DEMO_WS_URL,
    DEFAULT_WS_URL,
    BalanceStream,
    StreamStatus,
)
from exchange_tui.exchanges.errors import (
    AccountModeMismatch,
    AuthenticationFailed,
    ClockSkew,
    IpNotWhitelisted,
    PermissionMissing,
)

async def test_goes_live_with_the_same_balances_as_rest(open_stream, simulator, sim_accounts):
    update = await next_update(open_stream())
    assert update.status is StreamStatus.LIVE and update.error is None
    assert update.changed == update.balances
    async with BitgetClient(credentials_of(sim_accounts["demo"]), base_url=simulator.url) as rest:
        rows, _ = await rest.balances()
    assert amounts(update.balances) == amounts(rows)
    assert amounts(update.balances)[("spot", "USDT")] == (Decimal("1520.48213"), Decimal("120.00000"), Decimal(0))
    futures = {b.account: b for b in update.balances if b.account != "spot"}
    assert set(futures) == {"usdt-futures", "usdc-futures"}
    assert futures["usdt-futures"].usdt_value == Decimal("855.3132")
    assert update.exchange_time is not None


async def test_balance_changes_arrive_as_updates(open_stream, simulator):
    stream = open_stream()
    await next_update(stream)
    simulator.state.set_balance("demo", "BTC", "0.5", frozen="0.01")
    update = await next_update(stream)
    assert update.status is StreamStatus.LIVE
    assert amounts(update.changed) == {("spot", "BTC"): (Decimal("0.5"), Decimal("0.01"), Decimal(0))}
    assert amounts(update.balances)[("spot", "BTC")] == (Decimal("0.5"), Decimal("0.01"), Decimal(0))
    simulator.state.set_balance("demo", "USDC", "7", wallet="USDC-FUTURES")
    update = await next_update(stream)
    assert amounts(update.changed) == {("usdc-futures", "USDC"): (Decimal(7), Decimal(0), Decimal(0))}
    simulator.state.set_balance("demo", "ETH", "0")
    update = await next_update(stream)
    assert amounts(update.changed) == {("spot", "ETH"): (Decimal(0), Decimal(0), Decimal(0))}
    assert ("spot", "ETH") not in amounts(update.balances) == amounts(stream.balances)


async def test_reconnects_after_a_drop_and_catches_up(open_stream, simulator):
    stream = open_stream()
    before = await next_update(stream)
    simulator.state.drop_websockets()
    lost = await next_update(stream)
    assert lost.status is StreamStatus.RECONNECTING and lost.error.code == "closed"
    assert lost.balances == before.balances, "the last known balances stay while reconnecting"
    simulator.state.set_balance("demo", "BGB", "1")
    back = await next_update(stream)
    assert back.status is StreamStatus.LIVE
    assert amounts(back.changed) == {("spot", "BGB"): (Decimal(1), Decimal(0), Decimal(0))}
    simulator.state.set_balance("demo", "BGB", "2")
    assert amounts((await next_update(stream)).changed)[("spot", "BGB")][0] == 2, "subscribed again"


async def test_missing_pongs_mean_a_dead_connection(open_stream, simulator):
    stream = open_stream(timing=replace(FAST, ping_interval=0.05, pong_timeout=0.1))
    await next_update(stream)
    simulator.state.faults.ws_ignore_pings = True
    lost = await next_update(stream)
    assert lost.status is StreamStatus.RECONNECTING and lost.error.code == "no-pong"
    simulator.state.faults.ws_ignore_pings = False
    while (update := await next_update(stream)).status is not StreamStatus.LIVE:
        assert update.error.code == "no-pong"


async def test_a_refused_login_fails_once_with_advice_and_is_not_retried(open_stream, simulator):
    simulator.state.faults.ws_close_on_login_error = False
    stream = open_stream(credentials=credentials_of(simulator.state.account("demo"), passphrase="LoginPassword1"))
    failed = await next_update(stream)
    assert failed.status is StreamStatus.FAILED is stream.status
    assert isinstance(failed.error, AuthenticationFailed) and failed.error.code == "30012"
    assert "passphrase" in failed.error.hint
    with pytest.raises(StopAsyncIteration):
        await next_update(stream)


@pytest.mark.parametrize(
    ("label", "change", "error", "code"),
    [
        ("demo", {"secret_key": "0" * 64}, AuthenticationFailed, "30015"),
        ("demo", {"api_key": "bg_" + "9" * 32}, AuthenticationFailed, "30011"),
        ("demo-ip-bound", {}, IpNotWhitelisted, "40018"),
        ("demo-unified", {}, AccountModeMismatch, "40085"),
    ],
    ids=["bad-sign", "unknown-key", "ip-whitelist", "unified"],
)
async def test_refusals_become_the_same_typed_errors_as_rest(open_stream, simulator, label, change, error, code):
    stream = open_stream(credentials=credentials_of(simulator.state.account(label), **change))
    failed = await next_update(stream)
    assert failed.status is StreamStatus.FAILED
    assert isinstance(failed.error, error) and failed.error.code == code and failed.error.hint


async def test_login_timestamps_are_seconds_on_the_exchanges_clock(open_stream, simulator):
    simulator.state.faults.clock_offset_ms = 45_000
    skewed = await next_update(open_stream())
    assert isinstance(skewed.error, ClockSkew) and skewed.error.code == "30014"
    measured = await next_update(open_stream(clock_offset_ms=lambda: 45_000.0))
    assert measured.status is StreamStatus.LIVE
    fixed = await next_update(open_stream(clock=lambda: time.time() + 45, clock_offset_ms=0))
    assert fixed.status is StreamStatus.LIVE


async def test_a_demo_trading_key_uses_the_demo_host(open_stream, simulator):
    demo_url = ws_url_for(simulator.url, True, {})
    assert demo_url == simulator.ws_demo_url
    stream = open_stream("demo-trading", ws_url=demo_url, demo_trading=True)
    update = await next_update(stream)
    assert update.status is StreamStatus.LIVE
    assert amounts(update.balances)[("spot", "USDT")][0] == 10000
    on_live = await next_update(open_stream("demo-trading"))
    assert on_live.status is StreamStatus.FAILED and on_live.error.code == "30011"
    assert "Demo-trading" in on_live.error.hint


def test_urls_come_from_the_settings_then_beside_the_rest_url_then_bitget(sim_accounts):
    credentials = credentials_of(sim_accounts["demo"])
    assert BalanceStream(credentials).ws_url == DEFAULT_WS_URL == "wss://ws.bitget.com/v2/ws/private"
    assert BalanceStream(credentials, demo_trading=True).ws_url == DEFAULT_DEMO_WS_URL
    assert DEFAULT_DEMO_WS_URL == "wss://wspap.bitget.com/v2/ws/private"
    assert ws_url_for("https://api.bitget.com", False, {}) is None
    assert ws_url_for("https://api.bitget.com", False, {"ws_url": "ws://127.0.0.1:1/v2/ws/private"}) == "ws://127.0.0.1:1/v2/ws/private"
    assert ws_url_for("https://proxy.example/bg", True, {"ws_url": "wss://x"}) == "wss://proxy.example/bg/demo/v2/ws/private"
    assert BalanceStream(credentials, ws_url="ws://elsewhere/ws").ws_url == "ws://elsewhere/ws"
    with pytest.raises(ValueError):
        BalanceStream(credentials, spot=False, product_types=())


async def test_channels_the_key_may_not_read_are_left_out(open_stream):
    stream = open_stream("demo-spot-only")
    update = await next_update(stream)
    assert update.status is StreamStatus.LIVE
    assert {b.account for b in update.balances} == {"spot"}
    assert set(stream.refused) == {"USDT-FUTURES", "USDC-FUTURES", "COIN-FUTURES"}
    assert all(isinstance(error, PermissionMissing) for error in stream.refused.values())
    failed = await next_update(open_stream("demo-spot-only", spot=False))
    assert failed.status is StreamStatus.FAILED and isinstance(failed.error, PermissionMissing)


async def test_a_login_without_an_answer_times_out_and_is_retried(open_stream):
    logins = asyncio.Queue()

    async def silent(ws):
        """Answers pings, never a login."""
        async for message in ws:
            if message == "ping":
                await ws.send("pong")
            else:
                logins.put_nowait(message)

    async with websockets.serve(silent, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        timing = replace(FAST, ping_interval=0.05, answer_timeout=0.3)
        stream = open_stream(ws_url=f"ws://127.0.0.1:{port}", timing=timing)
        lost = await next_update(stream)
        assert lost.status is StreamStatus.RECONNECTING and lost.error.code == "no-answer"
        assert "login" in lost.error.message
        assert logins.qsize() >= 1


async def test_an_unreachable_host_is_retried_with_backoff(open_stream):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stream = open_stream(ws_url=f"ws://127.0.0.1:{port}/v2/ws/private")
    for _ in range(3):
        update = await next_update(stream)
        assert update.status is StreamStatus.RECONNECTING and update.error.code == "connect"
        assert str(port) in update.error.hint


async def test_never_more_than_ten_messages_a_second(open_stream, simulator):
    """With a ping due at every turn, only our own throttle keeps the simulator from closing with 30007."""
    stream = open_stream(timing=replace(FAST, ping_interval=0, pong_timeout=1))
    assert (await next_update(stream)).status is StreamStatus.LIVE
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(stream), 1.2)


async def test_closing_ends_the_iteration(open_stream):
    stream = open_stream()
    await next_update(stream)
    await stream.aclose()
    assert stream.status is StreamStatus.CLOSED
    assert [update async for update in stream] == []


async def test_a_bug_of_ours_surfaces_in_the_iteration_instead_of_a_hang(open_stream, monkeypatch):
    def broken(self, message):
        raise RuntimeError("bug")

    monkeypatch.setattr(BalanceStream, "_apply", broken)
    stream = open_stream()
    with pytest.raises(RuntimeError, match="bug"):
        await next_update(stream)


async def test_secrets_stay_out_of_logs_reprs_and_errors(open_stream, simulator, caplog):
    account = simulator.state.account("demo")
    caplog.set_level(logging.DEBUG)
    await next_update(open_stream())
    wrong = credentials_of(account, passphrase="WrongPassphrase9")
    failed = await next_update(open_stream(credentials=wrong))
    shown = caplog.text + repr(failed) + str(failed.error) + repr(open_stream(credentials=wrong).__dict__)
    for secret in (account.passphrase, account.secret_key, "WrongPassphrase9", account.api_key):
        assert secret not in shown
