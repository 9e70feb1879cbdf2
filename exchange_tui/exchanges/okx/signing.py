"""OKX request signing (reference/okx-v5.md §2, pinned by the §8 vectors).

REST: ``Base64(HMAC-SHA256(secret, timestamp + METHOD + request_path + body))`` where the timestamp
is ISO 8601 UTC with milliseconds and a ``Z`` (``2023-11-14T22:13:20.000Z``, not epoch
milliseconds), and the request path is the path and query exactly as they go on the wire: OKX
verifies what it received, percent-encoded or not. WebSocket login signs
``epoch_seconds + "GET" + "/users/self/verify"``.

The secret stays a ``SecretStr`` until the one expression that feeds it to HMAC, so no frame a
traceback could print holds it as plain text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from pydantic import SecretStr

WS_LOGIN_PATH = "/users/self/verify"


def timestamp(epoch_ms: int) -> str:
    """The ``OK-ACCESS-TIMESTAMP`` of an instant: ``2023-11-14T22:13:20.000Z``."""
    seconds, millis = divmod(epoch_ms, 1000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"


def prehash(timestamp_iso: str, method: str, request_path: str, body: str = "") -> str:
    """What OKX signs: ``request_path`` is the target as sent (``/api/v5/...?...``), ``body`` the raw body."""
    return timestamp_iso + method.upper() + request_path + body


def sign(secret: SecretStr, message: str) -> str:
    return base64.b64encode(hmac.new(secret.get_secret_value().encode(), message.encode(), hashlib.sha256).digest()).decode()


def ws_login_signature(secret: SecretStr, timestamp_s: str) -> str:
    """The private WebSocket login's ``sign`` (the timestamp in epoch seconds)."""
    return sign(secret, timestamp_s + "GET" + WS_LOGIN_PATH)
