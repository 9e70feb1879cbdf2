"""Signing Bybit requests by hand (reference §2, §8), for the Bybit simulator's tests.

Nothing here comes from the simulator or from our client, so neither can mark its own homework.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

RECV_WINDOW = "5000"


def now_ms(offset_ms: int = 0) -> str:
    return str(time.time_ns() // 1_000_000 + offset_ms)


def signature(secret: str, prehash: str) -> str:
    """HMAC hex for a system-generated key; base64 RSA-SHA256 PKCS#1 v1.5 when the secret is a PEM private key."""
    if "PRIVATE KEY" in secret:
        private = serialization.load_pem_private_key(secret.encode(), password=None)
        assert isinstance(private, rsa.RSAPrivateKey)
        return base64.b64encode(private.sign(prehash.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    return hmac.new(secret.encode(), prehash.encode(), hashlib.sha256).hexdigest()


def bybit_headers(
    key: object, payload: str = "", *, timestamp: str | None = None, recv_window: str = RECV_WINDOW
) -> dict[str, str]:
    """Headers signed over ``timestamp + key + recv_window + payload`` (the query or body exactly as sent)."""
    ts = now_ms() if timestamp is None else timestamp
    return {
        "X-BAPI-API-KEY": key.api_key,
        "X-BAPI-TIMESTAMP": ts,
        "X-BAPI-RECV-WINDOW": recv_window,
        "X-BAPI-SIGN": signature(key.secret_key, ts + key.api_key + recv_window + payload),
        "Content-Type": "application/json",
    }


async def bybit_get(client: httpx.AsyncClient, key: object, path: str, query: str = "", **options: str) -> httpx.Response:
    target = f"{path}?{query}" if query else path
    return await client.get(target, headers=bybit_headers(key, query, **options))


async def bybit_post(client: httpx.AsyncClient, key: object, path: str, body: str, **options: str) -> httpx.Response:
    return await client.post(path, content=body, headers=bybit_headers(key, body, **options))


def ws_auth_frame(key: object, expires: int | None = None) -> str:
    """The WS auth (reference §7): signature over ``"GET/realtime" + expires``, 10 s ahead unless told."""
    expires = int(now_ms(10_000)) if expires is None else expires
    sign = signature(key.secret_key, f"GET/realtime{expires}")
    return f'{{"req_id":"auth-1","op":"auth","args":["{key.api_key}",{expires},"{sign}"]}}'


def bybit_error(response: httpx.Response) -> tuple[int, int, str]:
    """(HTTP status, retCode, retMsg) of a refusal, after checking Bybit's envelope."""
    body = response.json()
    assert body["result"] == {} and body["retExtInfo"] == {} and isinstance(body["time"], int)
    return response.status_code, body["retCode"], body["retMsg"]
