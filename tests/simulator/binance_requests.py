"""Signing Binance requests by hand (reference §2, §8), for the Binance simulator's tests.

Nothing here comes from the simulator or from our client, so neither can mark its own homework:
HMAC with the standard library, Ed25519 and RSA with ``cryptography``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DOC_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
"""The example HMAC key pair of Binance's docs (reference §8)."""
ED_PRIVATE_PEM = (
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f\n-----END PRIVATE KEY-----\n"
)
ED_PUBLIC_PEM = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAA6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=\n-----END PUBLIC KEY-----\n"
"""The reference's Ed25519 key (private seed 00 01 … 1f) for vector NED."""


def now_ms(offset_ms: int = 0) -> int:
    return time.time_ns() // 1_000_000 + offset_ms


def signature(key: object, payload: str) -> str:
    """HMAC hex, or Ed25519/RSA base64 (not yet percent-encoded), by the secret's form (reference §2.1)."""
    secret = key.secret_key
    if "PRIVATE KEY" not in secret:
        return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    private = serialization.load_pem_private_key(secret.encode(), None)
    if isinstance(private, Ed25519PrivateKey):
        raw = private.sign(payload.encode())
    else:
        raw = private.sign(payload.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode()


def signed_query(key: object, params: dict[str, object] | None = None, *, timestamp: int | None = None,
                 recv_window: int | None = 5000) -> str:
    """ccxt's order (timestamp, params, recvWindow), signed, ``&signature=`` appended percent-encoded."""
    fields: dict[str, object] = {"timestamp": now_ms() if timestamp is None else timestamp, **(params or {})}
    if recv_window is not None:
        fields["recvWindow"] = recv_window
    payload = urlencode(fields)
    return f"{payload}&signature={quote(signature(key, payload), safe='')}"


async def binance_get(http: httpx.AsyncClient, key: object, path: str, params: dict[str, object] | None = None,
                      **options: object) -> httpx.Response:
    return await http.get(f"{path}?{signed_query(key, params, **options)}", headers={"X-MBX-APIKEY": key.api_key})


async def binance_post(http: httpx.AsyncClient, key: object, path: str, params: dict[str, object] | None = None,
                       **options: object) -> httpx.Response:
    """Signed parameters as a form body, as ccxt sends a POST."""
    return await http.post(
        path, content=signed_query(key, params, **options),
        headers={"X-MBX-APIKEY": key.api_key, "Content-Type": "application/x-www-form-urlencoded"},
    )


def binance_error(response: httpx.Response) -> tuple[int, int, str]:
    body = response.json()
    return response.status_code, body["code"], body["msg"]
