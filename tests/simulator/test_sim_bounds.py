"""The simulator as a server, over raw TCP: what a client may make it hold, and how long it may keep it waiting."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import websockets
from raw_http import WAIT, chunk, open_raw, read_response, read_until_closed, request_head

from exchange_tui.simulator import ServerLimits, SimulatorServer

LIMIT = ServerLimits().max_body_bytes
TRANSFER = "/api/v2/spot/wallet/transfer"
FAULTS = "/_sim/faults"
TIME = "/api/v2/public/time"
SHORT_S = 0.5
Connect = Callable[..., Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


@pytest.fixture
async def limited() -> AsyncIterator[Callable[..., Awaitable[SimulatorServer]]]:
    """Starts simulators with some limits changed (``head_timeout_s=SHORT_S``) and stops them after the test."""
    async with contextlib.AsyncExitStack() as servers:

        async def start(**limits: float) -> SimulatorServer:
            return await servers.enter_async_context(SimulatorServer(limits=ServerLimits(**limits)))

        yield start


@pytest.fixture
async def raw(simulator: SimulatorServer) -> AsyncIterator[Connect]:
    """Opens raw TCP connections (to ``simulator`` unless told another server) and closes them after the test."""
    writers: list[asyncio.StreamWriter] = []

    async def connect(server: SimulatorServer = simulator) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await open_raw(server.url)
        writers.append(writer)
        return reader, writer

    yield connect
    for writer in writers:
        writer.close()


def assert_refused(response, status: int, path: str) -> None:
    """The refusal's shape: Bitget's envelope on API paths, the controls' own on theirs; the connection closes."""
    assert response.status == status and response.headers["connection"] == "close"
    body = response.json()
    if path.startswith("/_sim/"):
        assert body == {"error": {413: "Content Too Large", 408: "Request Timeout"}[status]}
    else:
        assert body["code"] == str(status) and body["data"] is None and isinstance(body["requestTime"], int)


@pytest.mark.parametrize("path", [TRANSFER, FAULTS])
async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(raw, path):
    reader, writer = await raw()
    writer.write(request_head("POST", path, content_type="application/json", content_length="400000000"))
    response = await read_response(reader)
    assert_refused(response, 413, path)
    assert await read_until_closed(reader) == b""


@pytest.mark.parametrize("path", [TRANSFER, FAULTS])
@pytest.mark.parametrize("pieces", [[b"x" * 1024] * (LIMIT // 1024) + [b"x"], [b"x" * (LIMIT + 1)]])
async def test_a_chunked_body_is_refused_as_it_crosses_the_limit_without_waiting_for_its_end(raw, path, pieces):
    reader, writer = await raw()
    writer.write(request_head("POST", path, content_type="application/json", transfer_encoding="chunked"))
    writer.write(b"".join(chunk(piece) for piece in pieces))
    response = await read_response(reader)
    assert_refused(response, 413, path)
    assert await read_until_closed(reader) == b""


async def test_a_chunk_that_declares_more_than_the_limit_is_refused_once_the_limit_is_crossed(raw):
    reader, writer = await raw()
    writer.write(request_head("POST", FAULTS, content_type="application/json", transfer_encoding="chunked"))
    writer.write(f"{400_000_000:x}\r\n".encode() + b"x" * (LIMIT + 1))
    assert_refused(await read_response(reader), 413, FAULTS)
    assert await read_until_closed(reader) == b""


async def test_a_body_of_exactly_the_limit_is_read(raw):
    body = json.dumps({"latency_ms": 0}).encode().ljust(LIMIT)
    reader, writer = await raw()
    writer.write(request_head("POST", FAULTS, content_type="application/json", content_length=str(len(body))) + body)
    response = await read_response(reader)
    assert response.status == 200 and response.json()["latency_ms"] == 0


@pytest.mark.parametrize("path", [TRANSFER, FAULTS])
async def test_a_body_slower_than_the_timeout_is_refused(raw, limited, path):
    reader, writer = await raw(await limited(body_timeout_s=SHORT_S))
    writer.write(request_head("POST", path, content_type="application/json", content_length="10") + b"{}")
    assert_refused(await read_response(reader), 408, path)
    assert await read_until_closed(reader) == b""


async def closed_after(reader: asyncio.StreamReader, started: float) -> float:
    """How long after ``started`` (taken before the server's clock can have started) it closed the connection,
    having sent nothing more."""
    assert await read_until_closed(reader) == b""
    return time.monotonic() - started


async def test_a_connection_that_sends_nothing_is_closed_at_the_head_deadline(raw, limited):
    server = await limited(head_timeout_s=SHORT_S)
    started = time.monotonic()
    reader, _ = await raw(server)
    assert SHORT_S <= await closed_after(reader, started) < WAIT


async def test_a_head_sent_a_byte_at_a_time_is_cut_off_at_the_deadline(raw, limited):
    """Slowloris: every byte comes well within any idle timeout, the head never ends in time."""
    head = request_head("GET", TIME, user_agent="slowloris", accept="application/json")
    server = await limited(head_timeout_s=SHORT_S)
    started = time.monotonic()
    reader, writer = await raw(server)
    for sent, byte in enumerate(head, start=1):
        writer.write(bytes([byte]))
        try:
            assert await read_until_closed(reader, within=0.05) == b""
        except TimeoutError:
            continue
        break
    assert sent < len(head), "the server waited for the whole head"
    assert SHORT_S <= time.monotonic() - started < WAIT


async def test_a_kept_alive_connection_is_closed_when_idle(raw, limited):
    reader, writer = await raw(await limited(idle_timeout_s=SHORT_S))
    asked = time.monotonic()
    writer.write(request_head("GET", TIME))
    assert (await read_response(reader)).status == 200
    assert SHORT_S <= await closed_after(reader, asked) < WAIT


async def test_the_next_head_on_a_kept_alive_connection_has_a_deadline_too(raw, limited):
    """uvicorn's keep-alive timer (5 s here) stops at the next request's first byte; the head deadline does not."""
    reader, writer = await raw(await limited(head_timeout_s=SHORT_S))
    asked = time.monotonic()
    writer.write(request_head("GET", TIME))
    assert (await read_response(reader)).status == 200
    writer.write(request_head("GET", TIME)[:10])
    assert SHORT_S <= await closed_after(reader, asked) < WAIT


async def test_the_deadline_ends_with_the_head_not_with_the_answer(raw, limited):
    server = await limited(head_timeout_s=SHORT_S)
    server.state.faults.latency_ms = int(SHORT_S * 2000)
    reader, writer = await raw(server)
    writer.write(request_head("GET", TIME))
    assert (await read_response(reader)).status == 200


async def test_a_websocket_outlives_the_head_deadline(limited):
    server = await limited(head_timeout_s=SHORT_S)
    async with websockets.connect(server.ws_url, ping_interval=None) as ws:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.wait_closed(), SHORT_S * 2)
        await ws.send("ping")
        assert await asyncio.wait_for(ws.recv(), WAIT) == "pong"


async def test_a_head_over_the_size_limit_is_refused(raw):
    reader, writer = await raw()
    writer.write(request_head("GET", TIME)[:-2] + b"x-padding: " + b"a" * ServerLimits().max_head_bytes)
    response = await read_response(reader)
    assert response.status == 400 and response.headers["connection"] == "close"
    assert await read_until_closed(reader) == b""
