"""What the Bybit adapter's tests share: the reference §8 inputs, and an RSA key made for the tests."""

import asyncio
import functools
import json
from decimal import Decimal

from pydantic import SecretStr
from websockets.exceptions import ConnectionClosed

from exchange_tui.exchanges.bybit.stream import BalanceStream
from exchange_tui.exchanges.streaming import StreamTiming
from exchange_tui.models import Balance, Credentials

VECTOR_API_KEY = "AbCdEfGhIjKlMnOpQr"
VECTOR_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
VECTOR_TS = 1700000000000
VECTOR_EXPIRES = 1700000010000
VECTOR_KEY = Credentials(api_key=SecretStr(VECTOR_API_KEY), secret_key=SecretStr(VECTOR_SECRET))


@functools.cache
def rsa_key():
    """A 2048-bit RSA key pair made once per run: ``(private PEM, public key)``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, key.public_key()


AUTH_OK = {"success": True, "ret_msg": "", "op": "auth", "conn_id": "cejreaspqfh3sjdnldmg-p"}
AUTH_REFUSED = {"success": False, "ret_msg": "Params Error", "op": "auth", "conn_id": "cejreaspqfh3sjdnldmg-p"}
SUBSCRIBED = {"success": True, "ret_msg": "", "op": "subscribe", "conn_id": "cejreassvfrsfvb9v1a0-2m"}
PONG = {"req_id": "test", "op": "pong", "args": ["1675418560633"], "conn_id": "cfcb4ocsvfriu23r3er0-1b"}
"""The reference's own answers (§7)."""
FAST = StreamTiming(ping_interval=0.05, pong_timeout=5, answer_timeout=5, backoff_base=0.01, backoff_max=0.05)
NOW_S = 1700000000.0
USDT = Balance(account="unified", coin="USDT", available=Decimal(50))


class FakeWebSocket:
    """A loopback private WebSocket answering as the reference shows: records every frame, answers auth with
    ``auth_answer``. ``url`` is set once it listens."""

    def __init__(self, auth_answer=AUTH_OK):
        self.auth_answer = auth_answer
        self.frames: list[dict] = []
        self.connections = 0
        self.subscribed = asyncio.Event()
        self.pinged = asyncio.Event()
        self.sockets = []
        self.url = ""

    async def handle(self, ws):
        self.connections += 1
        self.sockets.append(ws)
        async for text in _until_closed(ws):
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


def stream_to(server: FakeWebSocket, snapshot=None, **options) -> BalanceStream:
    """A stream to ``server`` on the fast timing, going live on ``snapshot`` (by default 50 USDT)."""

    async def fixed():
        return [USDT]

    options.setdefault("clock", lambda: NOW_S)
    return BalanceStream(VECTOR_KEY, ws_url=server.url, snapshot=snapshot or fixed, timing=FAST, **options)


async def _until_closed(ws):
    """The frames a client sends, until it goes, cleanly or not."""
    try:
        async for text in ws:
            yield text
    except ConnectionClosed:
        return
