"""Rate limits over real HTTP, on a clock that moves only when the test moves it."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from sim_requests import signed_get

from exchange_tui.simulator import ManualClock, SimulatorServer
from exchange_tui.simulator.bitget import SimulatorState

TOO_MANY = {"code": "429", "msg": "Too Many Requests", "data": None}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def state(clock) -> SimulatorState:
    return SimulatorState(clock=clock)


@pytest.fixture
async def http(state) -> AsyncIterator[httpx.AsyncClient]:
    async with SimulatorServer(state) as server, httpx.AsyncClient(base_url=server.url) as client:
        yield client


async def burst(http, account, target, count):
    """Send ``count`` requests at once; how many got each HTTP status."""
    if account is None:
        responses = await asyncio.gather(*(http.get(target) for _ in range(count)))
    else:
        responses = await asyncio.gather(*(signed_get(http, account, target) for _ in range(count)))
    for response in responses:
        if response.status_code == 429:
            body = response.json()
            assert {k: body[k] for k in TOO_MANY} == TOO_MANY and isinstance(body["requestTime"], int)
    return Counter(r.status_code for r in responses)


@pytest.mark.parametrize(
    ("target", "per_second"),
    [
        ("/api/v2/spot/account/info", 1),
        ("/api/v2/spot/account/assets", 10),
        ("/api/v2/mix/account/accounts?productType=USDT-FUTURES", 10),
        ("/api/v2/account/all-account-balance", 1),
    ],
)
async def test_per_uid_limits(http, state, clock, target, per_second):
    demo = state.account("demo")
    assert await burst(http, demo, target, per_second + 3) == {200: per_second, 429: 3}
    clock.advance(999)
    assert await burst(http, demo, target, 1) == {429: 1}
    clock.advance(1)
    assert await burst(http, demo, target, per_second) == {200: per_second}


async def test_v3_assets_allow_twenty_a_second(http, state):
    assert await burst(http, state.account("demo-unified"), "/api/v3/account/assets", 22) == {200: 20, 429: 2}


async def test_limits_are_per_uid_and_per_endpoint(http, state):
    demo, readonly = state.account("demo"), state.account("demo-readonly")
    assert await burst(http, demo, "/api/v2/spot/account/info", 2) == {200: 1, 429: 1}
    assert await burst(http, readonly, "/api/v2/spot/account/info", 1) == {200: 1}
    assert await burst(http, demo, "/api/v2/spot/account/assets", 1) == {200: 1}


@pytest.mark.parametrize("target", ["/api/v2/public/time", "/api/v2/spot/market/tickers"])
async def test_public_endpoints_allow_twenty_a_second_per_ip(http, clock, target):
    assert await burst(http, None, target, 25) == {200: 20, 429: 5}
    clock.advance(1000)
    assert await burst(http, None, target, 20) == {200: 20}


async def test_refused_requests_are_not_counted(http, state, clock):
    demo = state.account("demo")
    assert await burst(http, demo, "/api/v2/spot/account/info", 1) == {200: 1}
    clock.advance(500)
    assert await burst(http, demo, "/api/v2/spot/account/info", 5) == {429: 5}
    clock.advance(500)
    assert await burst(http, demo, "/api/v2/spot/account/info", 1) == {200: 1}


async def test_overall_limit_per_ip_per_minute(state, http, clock):
    state.ip_requests_per_minute = 30
    assert await burst(http, None, "/api/v2/public/time", 20) == {200: 20}
    clock.advance(1000)
    assert await burst(http, None, "/api/v2/spot/market/tickers", 15) == {200: 10, 429: 5}
    clock.advance(58_999)
    assert await burst(http, None, "/api/v2/public/time", 1) == {429: 1}
    clock.advance(1)
    assert await burst(http, None, "/api/v2/public/time", 20) == {200: 20}


async def test_the_default_overall_limit_is_6000_a_minute(state):
    assert state.ip_requests_per_minute == 6000
