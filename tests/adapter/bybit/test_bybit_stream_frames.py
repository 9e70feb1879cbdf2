"""The private WebSocket's frames against a loopback server that answers as reference/bybit-v5.md §7 shows:
the auth frame and its expiry, the subscription, going live on the REST snapshot, the reference's wallet push
merged in, the JSON ping, a refused auth (for good) and a dropped connection (reconnected)."""

import asyncio
import json
from decimal import Decimal

import bybit_examples as examples
import pytest
from bybit_support import VECTOR_API_KEY, VECTOR_KEY, VECTOR_SECRET
from pydantic import SecretStr
from websockets.asyncio.server import serve

from exchange_tui.exchanges.bybit.signing import ws_auth_signature
from exchange_tui.exchanges.bybit.stream import BalanceStream, StreamStatus, StreamTiming
from exchange_tui.models import Balance, Reason

AUTH_OK = {"success": True, "ret_msg": "", "op": "auth", "conn_id": "cejreaspqfh3sjdnldmg-p"}
AUTH_REFUSED = {"success": False, "ret_msg": "Params Error", "op": "auth", "conn_id": "cejreaspqfh3sjdnldmg-p"}
SUBSCRIBED = {"success": True, "ret_msg": "", "op": "subscribe", "conn_id": "cejreassvfrsfvb9v1a0-2m"}
PONG = {"req_id": "test", "op": "pong", "args": ["1675418560633"], "conn_id": "cfcb4ocsvfriu23r3er0-1b"}
FAST = StreamTiming(ping_interval=0.05, pong_timeout=5, answer_timeout=5, backoff_base=0.01, backoff_max=0.05)
NOW_S = 1700000000.0
USDT = Balance(account="unified", coin="USDT", available=Decimal(50))


class Bybit:
    """A loopback private WebSocket: records every frame, answers auth with ``auth_answer``."""

    def __init__(self, auth_answer=AUTH_OK):
        self.auth_answer = auth_answer
        self.frames: list[dict] = []
        self.connections = 0
        self.subscribed = asyncio.Event()
        self.pinged = asyncio.Event()
        self.sockets = []

    async def handle(self, ws):
        self.connections += 1
        self.sockets.append(ws)
        async for text in ws:
            frame = json.loads(text)
            self.frames.append(frame)
            if frame["op"] == "auth":
                await ws.send(json.dumps(self.auth_answer))
            elif frame["op"] == "subscribe":
                await ws.send(json.dumps(SUBSCRIBED))
                self.subscribed.set()
            elif frame["op"] == "ping":
                await ws.send(json.dumps(PONG))
                self.pinged.set()


@pytest.fixture
async def bybit():
    async def start(**options):
        server_state = Bybit(**options)
        server = await serve(server_state.handle, "127.0.0.1", 0)
        servers.append(server)
        server_state.url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/v5/private"
        return server_state

    servers = []
    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


def stream_to(server, **options):
    async def snapshot():
        return [USDT]

    return BalanceStream(VECTOR_KEY, ws_url=server.url, snapshot=snapshot, clock=lambda: NOW_S, timing=FAST, **options)


async def test_auth_subscribe_and_live_on_the_snapshot(bybit):
    server = await bybit()
    async with stream_to(server, clock_offset_ms=lambda: 2000.0) as stream:
        first = await anext(stream)
        assert first.live and first.balances == (USDT,)
        assert stream.status is StreamStatus.LIVE
    auth, subscribe = server.frames[:2]
    expires = 1700000000000 + 2000 + 10_000
    assert auth == {"op": "auth", "args": [VECTOR_API_KEY, expires, ws_auth_signature(SecretStr(VECTOR_SECRET), expires)]}
    assert subscribe == {"req_id": "wallet", "op": "subscribe", "args": ["wallet"]}


async def test_the_reference_push_is_merged_in(bybit):
    server = await bybit()
    async with stream_to(server) as stream:
        await anext(stream)
        await server.sockets[0].send(json.dumps(examples.WALLET_PUSH))
        pushed = await anext(stream)
    assert [(b.coin, b.available) for b in pushed.balances] == [("USDT", Decimal(50)), ("BTC", Decimal("0.00102964"))]


async def test_pings_are_json_and_pongs_keep_it_live(bybit):
    server = await bybit()
    async with stream_to(server) as stream:
        await anext(stream)
        await server.pinged.wait()
        assert stream.status is StreamStatus.LIVE
    assert {"req_id": "ping", "op": "ping"} in server.frames


async def test_a_refused_auth_is_for_good(bybit):
    server = await bybit(auth_answer=AUTH_REFUSED)
    async with stream_to(server) as stream:
        assert [update async for update in stream] == []
    assert stream.status is StreamStatus.FAILED and stream.error.reason is Reason.REJECTED
    assert stream.error.message == "Params Error" and server.connections == 1


async def test_a_retcode_auth_answer_is_read_by_its_code(bybit):
    server = await bybit(auth_answer={"retCode": 10004, "retMsg": "Error sign", "op": "auth", "connId": "x"})
    async with stream_to(server) as stream:
        assert [update async for update in stream] == []
    assert stream.error.reason is Reason.SECRET_WRONG


async def test_the_other_auth_shape_is_accepted(bybit):
    server = await bybit(auth_answer={"retCode": 0, "retMsg": "OK", "op": "auth", "connId": "x"})
    async with stream_to(server) as stream:
        assert (await anext(stream)).live


async def test_a_drop_is_reconnected(bybit):
    server = await bybit()
    async with stream_to(server) as stream:
        await anext(stream)
        server.subscribed.clear()
        server.sockets[0].transport.abort()
        lost = await anext(stream)
        again = await anext(stream)
        assert not lost.live and again.live and server.connections == 2
        assert stream.status is StreamStatus.LIVE
