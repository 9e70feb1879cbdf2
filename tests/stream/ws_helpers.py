"""Helpers for speaking to the simulator's WebSocket by hand: logins signed here, frames, receiving.

The login signature is written out here with hashlib, so neither the simulator nor our client can
mark its own homework. Also what the tests of our BalanceStream share.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import websockets

from exchange_tui.exchanges.bitget.stream import BalanceStream, BalanceUpdate, StreamTiming
from exchange_tui.models import Credentials
from exchange_tui.simulator.bitget import SimAccount

WAIT = 3.0
# Pings often enough to be exercised in every test; deadlines loose enough for a busy machine.
FAST = StreamTiming(
    ping_interval=0.2, pong_timeout=1.0, answer_timeout=1.0, backoff_base=0.01, backoff_max=0.05, close_timeout=0.2
)


def credentials_of(account: SimAccount, **changes: str) -> Credentials:
    values = {"api_key": account.api_key, "secret_key": account.secret_key, "passphrase": account.passphrase}
    return Credentials(**(values | changes))


async def next_update(stream: BalanceStream) -> BalanceUpdate:
    return await asyncio.wait_for(anext(stream), WAIT)


def amounts(balances):
    return {(b.account, b.coin): (b.available, b.frozen, b.locked) for b in balances}


def login_frame(account: SimAccount, *, timestamp: str | None = None, **changes: str) -> str:
    """A login for ``account``, signed by hand; ``changes`` replace fields (``passphrase="x"``, ``sign="y"``)."""
    timestamp = timestamp if timestamp is not None else str(int(time.time()))
    digest = hmac.new(account.secret_key.encode(), f"{timestamp}GET/user/verify".encode(), hashlib.sha256).digest()
    fields = {
        "apiKey": account.api_key,
        "passphrase": account.passphrase,
        "timestamp": timestamp,
        "sign": base64.b64encode(digest).decode(),
    }
    return json.dumps({"op": "login", "args": [fields | changes]})


def subscribe_frame(*inst_types: str, op: str = "subscribe") -> str:
    args = [{"instType": inst_type, "channel": "account", "coin": "default"} for inst_type in inst_types]
    return json.dumps({"op": op, "args": args})


UTA_ARG = {"instType": "UTA", "topic": "account"}


def uta_subscribe_frame(op: str = "subscribe") -> str:
    return json.dumps({"op": op, "args": [UTA_ARG]})


async def receive(ws: websockets.ClientConnection) -> object:
    """The next message: parsed JSON, or the text itself ("pong")."""
    text = await asyncio.wait_for(ws.recv(), WAIT)
    return text if text == "pong" else json.loads(text)

