"""Starting and stopping the simulator, in the test's event loop and on a thread."""

import asyncio
import socket
import time

import httpx
import pytest

from exchange_tui.simulator import RequestArrived, SimulatorServer, ThreadedSimulator
from exchange_tui.simulator.bitget import SimulatorState

TIME = "/api/v2/public/time"


async def test_starts_fast_on_a_free_port_and_stops_cleanly():
    started = time.perf_counter()
    async with SimulatorServer(SimulatorState()) as server:
        assert time.perf_counter() - started < 0.1
        assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
        async with httpx.AsyncClient() as client:
            assert (await client.get(server.url + TIME)).status_code == 200
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(server.url + TIME)


async def test_two_servers_run_side_by_side_with_their_own_state():
    async with SimulatorServer() as one, SimulatorServer() as two:
        assert one.port != two.port and one.state is not two.state
        one.state.faults.error_5xx_next = 1
        async with httpx.AsyncClient() as client:
            assert (await client.get(two.url + TIME)).status_code == 200
            assert (await client.get(one.url + TIME)).status_code == 502


async def test_a_request_in_flight_is_answered_before_the_server_stops():
    server = await SimulatorServer().__aenter__()
    async with httpx.AsyncClient() as client:
        server.state.faults.latency_ms = 100
        arrived = asyncio.Event()
        server.state.subscribe(lambda event: arrived.set())
        in_flight = asyncio.create_task(client.get(server.url + TIME))
        await arrived.wait()
        await server.__aexit__(None, None, None)
        assert (await in_flight).status_code == 200


async def test_a_busy_port_fails_at_once():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            async with SimulatorServer(port=taken.getsockname()[1]):
                pass


async def test_ipv6_loopback_urls_are_bracketed():
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    try:
        server = await SimulatorServer(host="::1").__aenter__()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        assert server.url.startswith("http://[::1]:")
        async with httpx.AsyncClient() as client:
            assert (await client.get(server.url + TIME)).status_code == 200
    finally:
        await server.__aexit__(None, None, None)


def test_threaded_simulator_serves_sync_clients():
    state = SimulatorState()
    started = time.perf_counter()
    with ThreadedSimulator(state) as sim:
        assert time.perf_counter() - started < 0.1
        assert sim.state is state and sim.url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=sim.url) as client:
            assert client.get(TIME).json()["code"] == "00000"
            sim.state.faults.rate_limit_next = 1
            assert client.get(TIME).status_code == 429
    with pytest.raises(httpx.ConnectError):
        httpx.get(sim.url + TIME)


def test_threaded_simulator_reports_a_failed_start():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError), ThreadedSimulator(port=taken.getsockname()[1]):
            pass


async def test_listeners_hear_arriving_requests(client, simulator):
    heard = []
    simulator.state.subscribe(heard.append)
    simulator.state.faults.error_5xx_next = 1
    await client.get(TIME + "?x=%241")
    await client.get("/_sim/faults")
    assert [(e.method, e.path, e.query) for e in heard] == [("GET", TIME, "x=%241")]
    assert isinstance(heard[0], RequestArrived) and heard[0].client_ip == "127.0.0.1"
