"""What our stream puts on OKX's private WebSocket (reference/okx-v5.md §7): the login on OKX's clock,
one subscription to the account channel, the text ping after a silence, and no frame in the logs. A loopback socket records the
frames and answers just enough to be sent the next one; how the stream behaves is tested against the
OKX simulator."""

import asyncio
import contextlib
import json
import logging

import websockets
from okx_support import OWS, VECTOR_EPOCH_S, VECTOR_KEY

from exchange_tui.exchanges.okx.stream import BalanceStream, StreamTiming, login_message


def test_the_login_frame_carries_the_vector():
    frame = json.loads(login_message(VECTOR_KEY, str(VECTOR_EPOCH_S)))
    assert frame == {
        "op": "login",
        "args": [
            {
                "apiKey": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                "passphrase": "Passphrase123!",
                "timestamp": "1700000000",
                "sign": OWS,
            }
        ],
    }


async def test_login_subscribe_and_ping_as_sent_and_never_logged(caplog):
    caplog.set_level(logging.DEBUG)
    frames: list[object] = []
    pinged = asyncio.Event()

    async def okx(ws):
        with contextlib.suppress(websockets.ConnectionClosed):  # closing a stream closes its socket with 1011
            async for text in ws:
                frames.append(text if text == "ping" else json.loads(text))
                if text == "ping":
                    pinged.set()
                    await ws.send("pong")
                elif frames[-1]["op"] == "login":
                    await ws.send(json.dumps({"event": "login", "code": "0", "msg": "", "connId": "a4d3ae55"}))

    async with websockets.serve(okx, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        stream = BalanceStream(
            VECTOR_KEY,
            ws_url=f"ws://127.0.0.1:{port}/ws/v5/private",
            clock=lambda: VECTOR_EPOCH_S - 2.4,
            clock_offset_ms=lambda: 2500.0,
            timing=StreamTiming(ping_interval=0.2, pong_timeout=1.0, answer_timeout=5.0, close_timeout=0.2),
        )
        async with stream:
            await asyncio.wait_for(pinged.wait(), 3)
    login, subscribe, ping = frames[:3]
    assert login == json.loads(login_message(VECTOR_KEY, "1700000000"))  # our clock, moved onto OKX's
    assert subscribe == {"id": "1", "op": "subscribe", "args": [{"channel": "account"}]}
    assert ping == "ping"
    assert not [r for r in caplog.records if r.name == "exchange_tui.exchanges.okx.stream.frames"]  # the login frame
    assert "Passphrase123!" not in caplog.text and VECTOR_KEY.secret_key.get_secret_value() not in caplog.text
