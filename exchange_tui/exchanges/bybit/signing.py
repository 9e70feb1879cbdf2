"""Bybit request signing (reference/bybit-v5.md §2, pinned by the §8 vectors).

REST signs ``timestamp + apiKey + recvWindow + payload``, the payload being the query string exactly as it
goes on the wire (GET) or the raw body (POST). A system-generated key signs with HMAC-SHA256 in lower-case
hex; a self-generated key's secret is an RSA private key (PEM), which signs with RSA-SHA256 (PKCS#1 v1.5)
in base64. The private WebSocket's ``auth`` signs ``GET/realtime`` + expires the same way.

The secret stays a ``SecretStr`` until the one expression that feeds it to HMAC or loads the PEM, so no
frame a traceback could print holds it as plain text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from pydantic import SecretStr

from exchange_tui.exchanges.bybit.spec import is_pem

RECV_WINDOW_MS = 5000
WS_AUTH_PATH = "GET/realtime"

API_KEY = "X-BAPI-API-KEY"
TIMESTAMP = "X-BAPI-TIMESTAMP"
SIGN = "X-BAPI-SIGN"
RECV_WINDOW = "X-BAPI-RECV-WINDOW"


class BadPrivateKey(ValueError):
    """The secret looks like a PEM private key but cannot be loaded as an RSA one (the message holds no key)."""


def prehash(timestamp_ms: int, api_key: str, payload: str, recv_window_ms: int = RECV_WINDOW_MS) -> str:
    """What Bybit signs: ``payload`` is the query string as sent (GET) or the raw body (POST)."""
    return f"{timestamp_ms}{api_key}{recv_window_ms}{payload}"


def sign(secret: SecretStr, message: str) -> str:
    """HMAC-SHA256 hex for a system-generated secret, RSA-SHA256 base64 for a PEM private key."""
    if is_pem(secret.get_secret_value()):
        return _rsa_sign(secret, message)
    return hmac.new(secret.get_secret_value().encode(), message.encode(), hashlib.sha256).hexdigest()


def _rsa_sign(secret: SecretStr, message: str) -> str:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        key = serialization.load_pem_private_key(secret.get_secret_value().encode(), password=None)
    except (ValueError, TypeError):
        raise BadPrivateKey("the private key cannot be read (an unencrypted PEM RSA private key is needed)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BadPrivateKey("the private key is not an RSA key")
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def headers(api_key: str, secret: SecretStr, timestamp_ms: int, payload: str) -> dict[str, str]:
    """The four headers of one signed request."""
    return {
        API_KEY: api_key,
        TIMESTAMP: str(timestamp_ms),
        RECV_WINDOW: str(RECV_WINDOW_MS),
        SIGN: sign(secret, prehash(timestamp_ms, api_key, payload)),
    }


def ws_auth_signature(secret: SecretStr, expires_ms: int) -> str:
    """The private WebSocket ``auth``'s signature for an ``expires`` instant (epoch milliseconds)."""
    return sign(secret, f"{WS_AUTH_PATH}{expires_ms}")
