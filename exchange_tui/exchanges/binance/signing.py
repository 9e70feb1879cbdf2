"""Binance request signing (reference/binance.md §2, §7.1, pinned by the §8 vectors).

REST signs the query string and the body exactly as they go on the wire, concatenated without a
separator (``timestamp`` and ``recvWindow`` among the parameters). The WebSocket API signs its
request's ``params`` other than ``signature``, sorted by name and joined raw as ``k=v&…``.

Three kinds of key: an HMAC secret (hex HMAC-SHA256), or a PEM private key the user generated,
RSA (base64 PKCS#1 v1.5 over SHA-256) or Ed25519 (base64), which Binance recommends. A PEM stays a
``SecretStr`` until the one expression that loads it, so no frame a traceback could print holds it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from enum import StrEnum

from pydantic import SecretStr

API_KEY_HEADER = "X-MBX-APIKEY"
RECV_WINDOW_MS = 5000
PEM_MARKER = "-----BEGIN"


class KeyType(StrEnum):
    HMAC = "HMAC"
    RSA = "RSA"
    ED25519 = "Ed25519"


class UnusableKey(ValueError):
    """The secret is a PEM block that is not an RSA or Ed25519 private key (its text is never in the message)."""


def rest_payload(query: str, body: str = "") -> str:
    """What Binance signs for a REST call: the query string, then the body, as sent."""
    return query + body


def ws_payload(params: Mapping[str, object]) -> str:
    """What Binance signs for a WebSocket API request: every param but ``signature``, sorted by name."""
    return "&".join(f"{name}={_ws_value(value)}" for name, value in sorted(params.items()) if name != "signature")


def _ws_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def key_type(secret: SecretStr) -> KeyType:
    """Which kind of key the secret signs for: a PEM private key is RSA or Ed25519, anything else HMAC."""
    if PEM_MARKER not in secret.get_secret_value():
        return KeyType.HMAC
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    key = _private_key(secret)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return KeyType.ED25519
    if isinstance(key, rsa.RSAPrivateKey):
        return KeyType.RSA
    raise UnusableKey("the private key is neither RSA nor Ed25519")


def _private_key(secret: SecretStr) -> object:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        return load_pem_private_key(secret.get_secret_value().encode(), password=None)
    except (ValueError, TypeError):
        raise UnusableKey("the PEM block is not an unencrypted private key") from None


def sign(secret: SecretStr, payload: str) -> str:
    """The signature of ``payload``: HMAC hex for an HMAC secret, base64 for an RSA or Ed25519 private key
    (not yet percent-encoded)."""
    if PEM_MARKER not in secret.get_secret_value():
        return hmac.new(secret.get_secret_value().encode(), payload.encode(), hashlib.sha256).hexdigest()
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

    key = _private_key(secret)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return base64.b64encode(key.sign(payload.encode())).decode()
    if isinstance(key, rsa.RSAPrivateKey):
        return base64.b64encode(key.sign(payload.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    raise UnusableKey("the private key is neither RSA nor Ed25519")
