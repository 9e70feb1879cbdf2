"""The client's transport over real TCP: clock sync, retries, faults, throttling, configuration."""

import time

import pytest

from exchange_tui.exchanges.base import Connection
from exchange_tui.exchanges.bitget.client import BitgetClient
from exchange_tui.exchanges.bitget.spec import DEFAULT_BASE_URL
from exchange_tui.exchanges.errors import AuthenticationFailed, ExchangeUnavailable, RateLimited


async def test_server_clock_45_seconds_ahead_still_connects(connect, simulator):
    simulator.state.faults.clock_offset_ms = 45_000
    client = connect()
    report = await client.check_key()
    assert report.connected
    assert 44_000 < client.clock_offset_ms < 46_000


async def test_our_clock_45_seconds_behind_still_connects(connect):
    client = connect(clock=lambda: time.time() - 45)
    assert (await client.check_key()).connected


async def test_clock_drift_after_sync_is_resynced_once(connect, simulator):
    client = connect()
    await client.sync_clock()
    simulator.state.faults.clock_offset_ms = -40_000
    assert await client.spot_assets()
    assert -41_000 < client.clock_offset_ms < -39_000


async def test_rate_limit_burst_is_retried_with_backoff(connect, simulator):
    client = connect()
    await client.sync_clock()
    simulator.state.faults.rate_limit_next = 2
    assert await client.spot_assets()


async def test_rate_limit_that_persists_is_raised(connect, simulator):
    client = connect(max_retries=2)
    await client.sync_clock()
    simulator.state.faults.rate_limit_next = 3
    with pytest.raises(RateLimited) as raised:
        await client.spot_assets()
    assert raised.value.code == "429" and "wait" in raised.value.hint


@pytest.mark.parametrize("fault", ["error_5xx_next", "drop_next", "malformed_next"])
async def test_passing_faults_are_retried(connect, simulator, fault):
    client = connect()
    await client.sync_clock()
    setattr(simulator.state.faults, fault, 2)
    assert await client.spot_assets()


@pytest.mark.parametrize(
    ("fault", "code"), [("error_5xx_next", "http-502"), ("drop_next", "dropped"), ("malformed_next", "malformed")]
)
async def test_faults_that_persist_become_unavailable(connect, simulator, fault, code):
    client = connect(max_retries=1)
    await client.sync_clock()
    setattr(simulator.state.faults, fault, 2)
    with pytest.raises(ExchangeUnavailable) as raised:
        await client.spot_assets()
    assert raised.value.code == code


async def test_slow_answer_times_out(connect, simulator):
    client = connect(timeout=0.2, max_retries=0)
    await client.sync_clock()
    simulator.state.faults.latency_ms = 1000
    with pytest.raises(ExchangeUnavailable) as raised:
        await client.spot_assets()
    assert raised.value.code == "timeout"


async def test_authentication_errors_are_raised_typed(connect, simulator, tampered):
    account = simulator.state.account("demo")
    client = connect(credentials=tampered(passphrase="Wrong1234"))
    with pytest.raises(AuthenticationFailed) as raised:
        await client.account_info()
    assert raised.value.code == "40012"
    assert "Wrong1234" not in str(raised.value) and account.secret_key not in repr(raised.value.args)


async def test_public_calls_need_no_key(simulator):
    async with BitgetClient(base_url=simulator.url) as client:
        assert abs(await client.fetch_server_time() - simulator.state.now_ms()) < 5_000
        prices = await client.spot_tickers()
    assert prices["BTCUSDT"] > 0


async def test_our_bursts_stay_under_bitgets_per_uid_limit(connect):
    client = connect()
    await client.sync_clock()
    for _ in range(2):
        assert (await client.account_info())["userId"]


def test_base_url_comes_from_the_connection_else_bitget(monkeypatch):
    monkeypatch.setenv("EXCHANGE_TUI_BITGET_URL", "http://127.0.0.1:8999/")
    assert BitgetClient().base_url == DEFAULT_BASE_URL
    assert BitgetClient(connection=Connection(urls={"url": "http://127.0.0.1:8999/"})).base_url == "http://127.0.0.1:8999"
    assert BitgetClient(base_url="http://127.0.0.1:7000").base_url == "http://127.0.0.1:7000"


def _arrivals(simulator) -> list:
    from exchange_tui.simulator import RequestArrived

    seen: list[RequestArrived] = []
    simulator.state.subscribe(lambda event: isinstance(event, RequestArrived) and seen.append(event))
    return seen


async def test_authentication_errors_are_never_retried(connect, simulator, tampered):
    client = connect(credentials=tampered(passphrase="Wrong1234"))
    await client.sync_clock()
    seen = _arrivals(simulator)
    with pytest.raises(AuthenticationFailed):
        await client.spot_assets()
    assert [event.path for event in seen] == ["/api/v2/spot/account/assets"]


async def test_a_unified_check_is_one_round_trip(connect, simulator):
    """With 300 ms per request, all of a unified check's requests arrive before the first could be answered."""
    client = connect("demo-unified")
    await client.sync_clock()
    simulator.state.faults.latency_ms = 300
    seen = _arrivals(simulator)
    assert (await client.check_key()).connected
    assert seen[0].path == "/api/v3/account/info" and len(seen) == 4
    assert max(e.at_ms for e in seen) - min(e.at_ms for e in seen) < 300


async def test_a_classic_check_asks_v3_first_then_sends_its_reads_together(connect, simulator):
    """v3 account info (40084 for a classic account) first, then the classic reads in one go."""
    client = connect()
    await client.sync_clock()
    simulator.state.faults.latency_ms = 300
    seen = _arrivals(simulator)
    assert (await client.check_key()).connected
    first, then = seen[:4], seen[4:]
    assert first[0].path == "/api/v3/account/info" and len(then) == 6
    assert max(e.at_ms for e in first) - min(e.at_ms for e in first) < 300
    assert max(e.at_ms for e in then) - min(e.at_ms for e in then) < 300
    assert min(e.at_ms for e in then) - max(e.at_ms for e in first) >= 300
