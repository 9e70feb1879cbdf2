"""The private WebSocket's frames against a loopback server that answers as reference/bybit-v5.md §7 shows:
the auth frame and its expiry, the subscription, going live on the REST snapshot, the reference's wallet push
merged in, the JSON ping, a refused auth (for good) and a dropped connection (reconnected)."""

import json
from decimal import Decimal

import bybit_examples as examples
from bybit_support import AUTH_REFUSED, USDT, VECTOR_API_KEY, VECTOR_SECRET, stream_to
from pydantic import SecretStr

from exchange_tui.exchanges.bybit.signing import ws_auth_signature
from exchange_tui.exchanges.streaming import StreamStatus
from exchange_tui.models import Reason

async def test_auth_subscribe_and_live_on_the_snapshot(bybit_ws):
    server = await bybit_ws()
    async with stream_to(server, clock_offset_ms=lambda: 2000.0) as stream:
        first = await anext(stream)
        assert first.live and first.balances == (USDT,)
        assert stream.status is StreamStatus.LIVE
    auth, subscribe = server.frames[:2]
    expires = 1700000000000 + 2000 + 10_000
    assert auth == {"op": "auth", "args": [VECTOR_API_KEY, expires, ws_auth_signature(SecretStr(VECTOR_SECRET), expires)]}
    assert subscribe == {"req_id": "wallet", "op": "subscribe", "args": ["wallet"]}


async def test_the_reference_push_is_merged_in(bybit_ws):
    server = await bybit_ws()
    async with stream_to(server) as stream:
        await anext(stream)
        await server.sockets[0].send(json.dumps(examples.WALLET_PUSH))
        pushed = await anext(stream)
    assert [(b.coin, b.available) for b in pushed.balances] == [("USDT", Decimal(50)), ("BTC", Decimal("0.00102964"))]


async def test_pings_are_json_and_pongs_keep_it_live(bybit_ws):
    server = await bybit_ws()
    async with stream_to(server) as stream:
        await anext(stream)
        await server.pinged.wait()
        assert stream.status is StreamStatus.LIVE
    assert {"req_id": "ping", "op": "ping"} in server.frames


async def test_a_refused_auth_is_for_good(bybit_ws):
    server = await bybit_ws(auth_answer=AUTH_REFUSED)
    async with stream_to(server) as stream:
        assert [update async for update in stream] == []
    assert stream.status is StreamStatus.FAILED and stream.error.reason is Reason.REJECTED
    assert stream.error.message == "Params Error" and server.connections == 1


async def test_a_retcode_auth_answer_is_read_by_its_code(bybit_ws):
    server = await bybit_ws(auth_answer={"retCode": 10004, "retMsg": "Error sign", "op": "auth", "connId": "x"})
    async with stream_to(server) as stream:
        assert [update async for update in stream] == []
    assert stream.error.reason is Reason.SECRET_WRONG


async def test_the_other_auth_shape_is_accepted(bybit_ws):
    server = await bybit_ws(auth_answer={"retCode": 0, "retMsg": "OK", "op": "auth", "connId": "x"})
    async with stream_to(server) as stream:
        assert (await anext(stream)).live


async def test_a_drop_is_reconnected(bybit_ws):
    server = await bybit_ws()
    async with stream_to(server) as stream:
        await anext(stream)
        server.subscribed.clear()
        server.sockets[0].transport.abort()
        lost = await anext(stream)
        again = await anext(stream)
        assert not lost.live and again.live and server.connections == 2
        assert stream.status is StreamStatus.LIVE
