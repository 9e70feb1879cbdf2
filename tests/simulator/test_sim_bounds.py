"""The simulator as a server, over raw TCP: what a client may make it hold, and how long it may keep it waiting."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from raw_http import chunk, open_raw, read_response, read_until_closed, request_head

from exchange_tui.simulator import ServerLimits, SimulatorServer

LIMIT = ServerLimits().max_body_bytes
TRANSFER = "/api/v2/spot/wallet/transfer"
FAULTS = "/_sim/faults"
Connect = Callable[[], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


@pytest.fixture
async def raw(simulator: SimulatorServer) -> AsyncIterator[Connect]:
    """Opens raw TCP connections to ``simulator`` and closes them after the test."""
    writers: list[asyncio.StreamWriter] = []

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await open_raw(simulator.url)
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
async def test_a_body_slower_than_the_timeout_is_refused(path):
    async with SimulatorServer(limits=ServerLimits(body_timeout_s=0.2)) as server:
        reader, writer = await open_raw(server.url)
        try:
            writer.write(request_head("POST", path, content_type="application/json", content_length="10") + b"{}")
            assert_refused(await read_response(reader), 408, path)
            assert await read_until_closed(reader) == b""
        finally:
            writer.close()
