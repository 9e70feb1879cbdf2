"""Fixtures for the WebSocket tests: raw sockets and our BalanceStreams on the simulator, opened and closed for each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import websockets
from ws_helpers import FAST, credentials_of, login_frame, receive

from exchange_tui.exchanges.bitget.stream import BalanceStream
from exchange_tui.models import Credentials
from exchange_tui.simulator import SimulatorServer


@pytest.fixture
async def open_ws(simulator: SimulatorServer) -> AsyncIterator[Callable[..., object]]:
    """Opens raw WebSockets (the live private URL unless told) and closes them after the test."""
    sockets: list[websockets.ClientConnection] = []

    async def open_(url: str | None = None) -> websockets.ClientConnection:
        ws = await websockets.connect(url or simulator.ws_url, ping_interval=None, close_timeout=0.2)
        sockets.append(ws)
        return ws

    yield open_
    for ws in sockets:
        await ws.close()


@pytest.fixture
async def logged_in(simulator: SimulatorServer, open_ws) -> Callable[..., object]:
    """Opens a raw WebSocket logged in as a simulator account."""

    async def log_in(label: str = "demo", url: str | None = None) -> websockets.ClientConnection:
        ws = await open_ws(url)
        await ws.send(login_frame(simulator.state.account(label)))
        assert (await receive(ws))["event"] == "login"
        return ws

    return log_in


@pytest.fixture
async def open_stream(simulator: SimulatorServer) -> AsyncIterator[Callable[..., BalanceStream]]:
    """Starts fast-timed BalanceStreams on the simulator (an account's own key unless told) and closes them."""
    streams: list[BalanceStream] = []

    def open_(label: str = "demo", *, credentials: Credentials | None = None, **options: object) -> BalanceStream:
        options.setdefault("ws_url", simulator.ws_url)
        options.setdefault("timing", FAST)
        stream = BalanceStream(credentials or credentials_of(simulator.state.account(label)), **options)
        streams.append(stream)
        stream.start()
        return stream

    yield open_
    for stream in streams:
        await stream.aclose()
