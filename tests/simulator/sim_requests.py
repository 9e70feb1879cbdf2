"""Hand-built Bitget requests for the simulator tests: HMAC and headers written out here, on purpose.

Nothing here comes from the simulator or from our client, so neither can mark its own homework.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import unquote

import httpx

from exchange_tui.simulator.bitget.accounts import SimAccount

VECTOR_ACCOUNT = SimAccount(
    label="vector",
    uid="1000000001",
    api_key="bg_0123456789abcdef0123456789abcdef",
    secret_key="0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
    passphrase="Passphrase123",
    authorities=("stor", "stow", "coor", "coow", "cpor", "cpow", "wtor", "wtow"),
    spot=({"coin": "USDT", "available": "100"},),
    futures={"USDT-FUTURES": ({"marginCoin": "USDT", "available": "50"},)},
)


def account_fields(**changes: object) -> dict[str, object]:
    """The smallest valid entry of an accounts file, with ``changes`` on top."""
    fields: dict[str, object] = {
        "label": "mine",
        "uid": "42",
        "api_key": "bg_" + "a" * 32,
        "secret_key": "b" * 64,
        "passphrase": "Secret123",
    }
    return {**fields, **changes}


def hmac_base64(secret: str, prehash: str | bytes) -> str:
    message = prehash.encode() if isinstance(prehash, str) else prehash
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def now_ms() -> int:
    return int(time.time() * 1000)


def signed_headers(
    account: SimAccount,
    method: str,
    target: str,
    body: bytes = b"",
    *,
    timestamp: int | str | None = None,
    signed_query: str | None = None,
    paptrading: bool = False,
) -> dict[str, str]:
    """Headers for ``method target``; the query is signed percent-decoded unless ``signed_query`` says otherwise."""
    path, _, query = target.partition("?")
    if signed_query is None:
        signed_query = unquote(query)
    ts = str(now_ms() if timestamp is None else timestamp)
    prehash = (ts + method + path + ("?" + signed_query if signed_query else "")).encode() + body
    headers = {
        "ACCESS-KEY": account.api_key,
        "ACCESS-SIGN": hmac_base64(account.secret_key, prehash),
        "ACCESS-TIMESTAMP": ts,
        "ACCESS-PASSPHRASE": account.passphrase,
        "Content-Type": "application/json",
        "locale": "en-US",
    }
    if paptrading:
        headers["paptrading"] = "1"
    return headers


async def signed_get(client: httpx.AsyncClient, account: SimAccount, target: str, **options: object) -> httpx.Response:
    return await client.get(target, headers=signed_headers(account, "GET", target, **options))


async def signed_post(
    client: httpx.AsyncClient, account: SimAccount, target: str, body: bytes, **options: object
) -> httpx.Response:
    return await client.post(target, content=body, headers=signed_headers(account, "POST", target, body, **options))


def bitget_error(response: httpx.Response) -> tuple[int, str, str]:
    """(HTTP status, code, msg) of an error answer, after checking its envelope."""
    body = response.json()
    assert body["data"] is None
    assert isinstance(body["requestTime"], int)
    return response.status_code, body["code"], body["msg"]
