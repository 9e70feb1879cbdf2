"""The streams over loopback WebSockets that answer as the reference says Binance does (§7): the spot
subscription goes live on the REST snapshot, spot and futures pushes are applied on top, a refused
subscription ends the stream."""

import asyncio
import json
from decimal import Decimal

import binance_examples as examples
import pytest
import websockets
from binance_support import client_with

from exchange_tui.exchanges.binance.live import live_balances, snapshot
from exchange_tui.exchanges.binance.stream import BalanceStream
from exchange_tui.exchanges.streaming import StreamStatus, StreamTiming
from exchange_tui.models import BalanceSource, Reason

TIMING = StreamTiming(ping_interval=5, pong_timeout=5, answer_timeout=5, backoff_base=0.01)


class Binance:
    """A spot WebSocket API and a futures stream on one loopback port."""

    def __init__(self, *, refuse: bool = False):
        self.refuse = refuse
        self.frames: list[dict] = []
        self.spot: asyncio.Queue = asyncio.Queue()
        self.futures: asyncio.Queue = asyncio.Queue()
        self.futures_paths: list[str] = []

    async def handler(self, ws):
        path = ws.request.path
        if path == "/ws-api/v3":
            frame = json.loads(await ws.recv())
            self.frames.append(frame)
            if self.refuse:
                await ws.send(json.dumps(examples.WS_REFUSAL | {"id": frame["id"]}))
                return
            await ws.send(json.dumps(examples.SUBSCRIBED | {"id": frame["id"]}))
            await pump(ws, self.spot)
            return
        self.futures_paths.append(path)
        await pump(ws, self.futures)


async def pump(ws, pushes: asyncio.Queue) -> None:
    """Sends each push queued until the connection closes."""
    closed = asyncio.ensure_future(ws.wait_closed())
    while True:
        push = asyncio.ensure_future(pushes.get())
        await asyncio.wait({push, closed}, return_when=asyncio.FIRST_COMPLETED)
        if closed.done():
            push.cancel()
            return
        await ws.send(json.dumps(push.result()))


@pytest.fixture
async def binance():
    servers = []

    async def start(**options):
        fake = Binance(**options)
        server = await websockets.serve(fake.handler, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return fake, f"ws://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


def rest():
    host, fapi = "api.binance.com", "fapi.binance.com"
    return {
        (host, "/api/v3/account"): examples.ACCOUNT,
        (fapi, "/fapi/v3/balance"): examples.FUTURES_BALANCE,
        (fapi, "/fapi/v1/listenKey"): {"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"},
        (host, "/api/v3/ticker/price"): [{"symbol": "BTCUSDT", "price": "2"}, {"symbol": "ETHUSDT", "price": "3"}],
        (host, "/sapi/v1/asset/get-funding-asset"): examples.FUNDING,
    }


async def test_spot_and_futures_pushes_are_applied_on_the_snapshot(binance):
    fake, url = await binance()
    client, _ = client_with(rest())
    client.clock.offset_ms = client.futures.clock.offset_ms = 0
    stream = BalanceStream(client, ws_url=url + "/ws-api/v3", futures_url=url + "/ws", snapshot=_snapshot(client), timing=TIMING)
    async with stream:
        first = await anext(stream)
        assert first.live and {(b.account, b.coin) for b in first.balances} == {
            ("spot", "BTC"), ("spot", "LTC"), ("usdm_futures", "USDT")
        }
        await fake.spot.put(examples.SPOT_PUSH)
        pushed = await anext(stream)
        assert ("spot", "ETH", Decimal(10000)) in {(b.account, b.coin, b.available) for b in pushed.balances}
        await fake.futures.put(examples.FUTURES_PUSH)
        futures = await anext(stream)
        assert {b.coin: b.available + b.locked for b in futures.balances if b.account == "usdm_futures"} == {
            "USDT": Decimal("122624.12345678"), "BUSD": Decimal(1)
        }
    await client.aclose()
    (frame,) = fake.frames
    assert frame["method"] == "userDataStream.subscribe.signature"
    assert set(frame["params"]) == {"apiKey", "timestamp", "signature"} and frame["params"]["timestamp"] == examples.VECTOR_MS
    assert fake.futures_paths == ["/ws/" + rest()[("fapi.binance.com", "/fapi/v1/listenKey")]["listenKey"]]


async def test_a_refused_subscription_ends_the_stream_with_its_error(binance):
    fake, url = await binance(refuse=True)
    client, _ = client_with(rest())
    stream = BalanceStream(client, ws_url=url + "/ws-api/v3", futures_url=url + "/ws", snapshot=_snapshot(client), timing=TIMING)
    async with stream:
        assert [update async for update in stream] == []
    await client.aclose()
    assert stream.status is StreamStatus.FAILED and stream.error.code == "-2015"
    assert stream.error.reason is Reason.KEY_UNKNOWN


async def test_live_balances_value_the_pushes_with_the_funding_wallet(binance):
    fake, url = await binance()
    client, _ = client_with(rest(), urls={"ws_api_url": url + "/ws-api/v3", "futures_ws_url": url + "/ws"})
    readings = live_balances(client, poll_interval=30)
    first = await anext(readings)
    while first.source is not BalanceSource.LIVE:
        first = await anext(readings)
    assert [b.account for b in first.balances] == ["spot", "spot", "usdm_futures", "funding"]
    await fake.spot.put({"subscriptionId": 0, "event": {"e": "outboundAccountPosition", "B": [{"a": "ETH", "f": "1", "l": "0"}]}})
    pushed = await anext(readings)
    assert pushed.total_usdt == first.total_usdt + 3
    await readings.aclose()
    await client.aclose()


def _snapshot(client):
    return lambda: snapshot(client)
