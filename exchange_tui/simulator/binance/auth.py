"""Checking a signed Binance request the way Binance does (reference §2, §4, §6, §8), with the simulator's own code.

The order of the checks (the first failing one answers):

=====  ======  ==========================================================================
code   HTTP    refusal
=====  ======  ==========================================================================
-2014  401     ``X-MBX-APIKEY`` missing, or not 64 alphanumerics (§1 "Formats")
-1102  400     ``timestamp`` or ``signature`` missing or malformed (SIGNED endpoints only)
-1131  400     ``recvWindow`` over 60000 (§2.2; -1102 with ``faults.recv_window_code``, §8 (d))
-2015  401     no such key in this environment: never made, deleted, or a key of another environment
               (§6); on SAPI paths -2008 ``Invalid Api-Key ID.`` (HTTP 400)
-1021  400     ``timestamp`` not in ``[server - recvWindow, server + 1000)`` (§2.3)
-1022  400     the signature does not verify over the payload as received (§2.1, §8)
-2015  401     the caller's IP is not on the key's trusted IPs (§1, §4)
=====  ======  ==========================================================================

Then the endpoint's permission flag (-2015, in ``app.py``). Futures answers add ``, request ip: <ip>``
to -2015's message (§4). The order is inferred: what the request alone decides, then the key record.

Payload (§2.1): the query string and the body exactly as received, concatenated without separator,
with the ``signature=…`` pair taken out of whichever carries it. HMAC: hex SHA-256, any case. Ed25519
and RSA (PKCS#1 v1.5, SHA-256): base64, percent-decoded first, checked with the key's public PEM
(``cryptography``). Parameters sent in both the query and the body take the query's value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl, unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from exchange_tui.simulator.core.allowlist import ip_allowed
from exchange_tui.simulator.binance.accounts import KEY_PATTERN, Environment, SimAccount
from exchange_tui.simulator.binance.errors import AHEAD_MSG, BinanceError

KEY_HEADER = "X-MBX-APIKEY"
DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60_000
AHEAD_MS = 1000
_API_KEY = re.compile(KEY_PATTERN)
_TIMESTAMP = re.compile(r"[0-9]{13}|[0-9]{16}")
_RECV_WINDOW = re.compile(r"[0-9]{1,6}(\.[0-9]{1,3})?")


@dataclass(frozen=True)
class SignedRequest:
    """The parts of an HTTP request that authentication looks at, as they arrived."""

    query: bytes
    body: bytes
    headers: Mapping[str, str]
    client_ip: str

    def params(self) -> dict[str, str]:
        """Query and form body, decoded; a name in both takes the query's value (§2.1)."""
        found = dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        found.update(parse_qsl(self.query.decode("utf-8", "replace"), keep_blank_values=True))
        return found


@dataclass(frozen=True)
class Realm:
    """Where the request arrived: this server's environment and clock, and which host answers it."""

    environment: Environment
    now_ms: int
    sapi: bool
    futures: bool
    recv_window_code: int = -1131

    def refused(self, client_ip: str) -> BinanceError:
        """-2015, with the request IP on the futures host (§4)."""
        if self.futures:
            return BinanceError(-2015, msg=f"Invalid API-key, IP, or permissions for action, request ip: {client_ip}")
        return BinanceError(-2015)

    def unknown_key(self, client_ip: str) -> BinanceError:
        """-2008 on SAPI, -2015 elsewhere (§4, §6)."""
        return BinanceError(-2008) if self.sapi else self.refused(client_ip)


def without_signature(raw: bytes) -> tuple[bytes, bytes | None]:
    """``raw`` without its ``signature=…`` pair, and that pair's (still percent-encoded) value."""
    kept: list[bytes] = []
    signature: bytes | None = None
    for pair in raw.split(b"&") if raw else []:
        if pair.startswith(b"signature="):
            signature = pair.removeprefix(b"signature=")
        else:
            kept.append(pair)
    return b"&".join(kept), signature


@cache
def _public_key(pem: str) -> Ed25519PublicKey | RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    assert isinstance(key, Ed25519PublicKey | RSAPublicKey), "accounts hold Ed25519 or RSA public keys"
    return key


def signature_valid(account: SimAccount, payload: bytes, signature: str) -> bool:
    """Whether ``signature`` (percent-decoded) signs ``payload`` with ``account``'s key."""
    if account.key_type == "hmac":
        expected = hmac.new(account.secret_key.encode(), payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), signature.lower().encode())
    assert account.public_key is not None, "validated: asymmetric keys have a public key"
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    key = _public_key(account.public_key)
    try:
        if isinstance(key, Ed25519PublicKey):
            key.verify(raw, payload)
        else:
            key.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def timestamp_ms(text: str) -> int | None:
    """A ``timestamp`` in epoch milliseconds (13 digits) or microseconds (16, §2.2), in ms; None if neither."""
    if not _TIMESTAMP.fullmatch(text):
        return None
    return int(text) if len(text) == 13 else int(text) // 1000


def api_key_of(request: SignedRequest) -> str:
    api_key = request.headers.get(KEY_HEADER, "")
    if not _API_KEY.fullmatch(api_key):
        raise BinanceError(-2014)
    return api_key


def known_key(api_key: str, find_key: Callable[[str], SimAccount | None], realm: Realm, client_ip: str) -> SimAccount:
    """The key, if this environment knows it: else -2015 (-2008 on SAPI), as for a key never made (§6)."""
    account = find_key(api_key)
    if account is None or account.environment != realm.environment:
        raise realm.unknown_key(client_ip)
    return account


def check_ip(account: SimAccount, request: SignedRequest, realm: Realm) -> SimAccount:
    if not ip_allowed(account.ips, request.client_ip):
        raise realm.refused(request.client_ip)
    return account


def authenticate_key(
    request: SignedRequest, find_key: Callable[[str], SimAccount | None], realm: Realm
) -> SimAccount:
    """An API-key-only (USER_STREAM) request's key: format, known in this environment, trusted IP."""
    account = known_key(api_key_of(request), find_key, realm, request.client_ip)
    return check_ip(account, request, realm)


def authenticate(request: SignedRequest, find_key: Callable[[str], SimAccount | None], realm: Realm) -> SimAccount:
    """The key behind a correctly signed (SIGNED/USER_DATA) request, or the first ``BinanceError`` above."""
    api_key = api_key_of(request)
    query, query_signature = without_signature(request.query)
    body, body_signature = without_signature(request.body)
    signature = query_signature if query_signature is not None else body_signature
    encoded = signature.decode("ascii", "replace") if signature else ""
    return _verified(api_key, request.params(), unquote(encoded), query + body, request, find_key, realm)


def authenticate_ws(
    params: Mapping[str, object], request: SignedRequest, find_key: Callable[[str], SimAccount | None], realm: Realm
) -> SimAccount:
    """The key behind a WebSocket API request signed over its sorted params (§7.1), checked in REST's order."""
    api_key = str(params.get("apiKey", ""))
    if not _API_KEY.fullmatch(api_key):
        raise BinanceError(-2014)
    texts = {name: _ws_value(value) for name, value in params.items()}
    return _verified(api_key, texts, texts.get("signature", ""), ws_payload(params), request, find_key, realm)


def _verified(
    api_key: str, params: Mapping[str, str], signature: str, payload: bytes, request: SignedRequest,
    find_key: Callable[[str], SimAccount | None], realm: Realm,
) -> SimAccount:
    if not signature:
        raise BinanceError(-1102, "signature")
    signed_ms = timestamp_ms(params.get("timestamp", ""))
    if signed_ms is None:
        raise BinanceError(-1102, "timestamp")
    recv_text = params.get("recvWindow", str(DEFAULT_RECV_WINDOW_MS))
    if not _RECV_WINDOW.fullmatch(recv_text):
        raise BinanceError(-1102, "recvWindow")
    recv_window = float(recv_text)
    if recv_window > MAX_RECV_WINDOW_MS:
        if realm.recv_window_code == -1102:
            raise BinanceError(-1102, "recvWindow")
        raise BinanceError(-1131)
    account = known_key(api_key, find_key, realm, request.client_ip)
    if signed_ms >= realm.now_ms + AHEAD_MS:
        raise BinanceError(-1021, msg=AHEAD_MSG)
    if realm.now_ms - signed_ms > recv_window:
        raise BinanceError(-1021)
    if not signature_valid(account, payload, signature):
        raise BinanceError(-1022)
    return check_ip(account, request, realm)


def ws_payload(params: Mapping[str, object]) -> bytes:
    """The WebSocket API's payload (§7.1): every param but ``signature``, sorted by name, ``k=v`` raw UTF-8."""
    return "&".join(f"{name}={_ws_value(params[name])}" for name in sorted(params) if name != "signature").encode()


def _ws_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

