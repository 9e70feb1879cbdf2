"""Helpers for speaking to the simulator's WebSocket by hand: logins signed here, frames, receiving.

The login signature is written out here with hashlib, so neither the simulator nor our client can
mark its own homework.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import websockets

from exchange_tui.simulator import SimAccount

WAIT = 3.0


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

