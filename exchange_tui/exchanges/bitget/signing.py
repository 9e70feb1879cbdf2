"""Bitget request signing (reference/bitget-v2.md §1, pinned by the §7 vectors).

REST: ``Base64(HMAC-SHA256(secret, timestamp_ms + METHOD + path_with_query + body))``
where the query is sorted by key, signed un-percent-encoded and sent in that
same order. WebSocket login signs ``timestamp_s + "GET" + "/user/verify"``.

The secret stays a ``SecretStr`` until the one expression that feeds it to HMAC,
so no frame a traceback could print holds it as plain text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote, unquote, urlencode

from pydantic import SecretStr


def query_string(params: Mapping[str, str]) -> str:
    """The query as sent on the wire: keys sorted, values percent-encoded."""
    return urlencode(sorted(params.items()), quote_via=quote)


def prehash(timestamp_ms: str, method: str, raw_path: str, body: str = "") -> str:
    """The string Bitget signs, from the path and query exactly as they go on the wire.

    ``raw_path`` is the request target (``/api/...?...``) as sent; Bitget verifies
    the query in the order it arrives, percent-decoded.
    """
    return timestamp_ms + method.upper() + unquote(raw_path) + body


def sign(secret: SecretStr, message: str) -> str:
    return base64.b64encode(
        hmac.new(secret.get_secret_value().encode(), message.encode(), hashlib.sha256).digest()
    ).decode()


def ws_login_signature(secret: SecretStr, timestamp_s: str) -> str:
    """The private WebSocket login signature (timestamp in seconds)."""
    return sign(secret, timestamp_s + "GET" + "/user/verify")
