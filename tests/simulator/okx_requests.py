"""Signing OKX requests by hand (reference §2, §8), for the OKX simulator's tests.

Nothing here comes from the simulator or from our client, so neither can mark its own homework.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import httpx


def hmac_base64(secret: str, prehash: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), prehash.encode(), hashlib.sha256).digest()).decode()


def iso_now(offset_s: float = 0) -> str:
    """``2020-12-08T09:08:57.715Z``: ISO-8601 UTC with milliseconds, as python-okx builds it."""
    moment = datetime.fromtimestamp(datetime.now(UTC).timestamp() + offset_s, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def okx_headers(
    key: object, method: str, target: str, body: str = "", *, timestamp: str | None = None, demo: bool = False
) -> dict[str, str]:
    """Headers for ``method target`` signed over ``target`` exactly as it is sent (path and query) and ``body``."""
    ts = iso_now() if timestamp is None else timestamp
    headers = {
        "OK-ACCESS-KEY": key.api_key,
        "OK-ACCESS-SIGN": hmac_base64(key.secret_key, ts + method + target + body),
        "OK-ACCESS-TIMESTAMP": ts,
        "OK-ACCESS-PASSPHRASE": key.passphrase,
        "Content-Type": "application/json",
    }
    if demo:
        headers["x-simulated-trading"] = "1"
    return headers


async def okx_get(client: httpx.AsyncClient, key: object, target: str, **options: object) -> httpx.Response:
    return await client.get(target, headers=okx_headers(key, "GET", target, **options))


async def okx_post(client: httpx.AsyncClient, key: object, target: str, body: str, **options: object) -> httpx.Response:
    return await client.post(target, content=body, headers=okx_headers(key, "POST", target, body, **options))


def okx_error(response: httpx.Response) -> tuple[int, str, str]:
    """(HTTP status, code, msg) of an error answer, after checking OKX's envelope."""
    body = response.json()
    assert body["data"] == [] and isinstance(body["code"], str)
    return response.status_code, body["code"], body["msg"]
