"""Bybit's REST authentication (reference §2), checked as the simulated Bybit checks it, with its own code.

Headers (§2.2): ``X-BAPI-API-KEY``, ``X-BAPI-TIMESTAMP`` (epoch ms), ``X-BAPI-SIGN``, ``X-BAPI-RECV-WINDOW``
(optional, default 5000). The prehash (§2.1)::

    GET : timestamp + apiKey + recvWindow + queryString      (the query exactly as received, never re-sorted)
    POST: timestamp + apiKey + recvWindow + body             (the raw body bytes received)
    HMAC key: X-BAPI-SIGN = lower-case hex(HMAC-SHA256(secret, prehash))
    RSA key : X-BAPI-SIGN = base64(RSA-SHA256 PKCS#1 v1.5 signature), verified with the key's public key

So ccxt's insertion-ordered query and PYBIT's sorted one each verify against what was sent, and only
that (§8 (b)); PYBIT's spaced JSON verifies against its own bytes (§8 (c)). ``recvWindow`` in the prehash
is the header as sent (nothing when it is absent; the window is then 5000, an inference).

Checks, in this order; the first failing one answers (the order is inferred: what the headers alone
decide, then the key record):

======  ==========================================================================================
code    refusal
======  ==========================================================================================
10003   no ``X-BAPI-API-KEY``, an unknown or deleted key, or a key of another environment: mainnet,
        demo and testnet are separate key spaces (§6, §8 (d)); HTTP ``faults.unknown_key_status``
10002   no or malformed timestamp, or outside ``[server_time - recv_window, server_time + 1000)``
        (§2.3, §8 (a)); the live message names both times and the window
10001   a ``X-BAPI-RECV-WINDOW`` that is not a whole positive number of ms
10004   no ``X-BAPI-SIGN``, or it does not verify (§4); the DOCS message, or the live
        ``error sign! origin_string[...]`` with ``faults.bad_sign_message = "origin"`` (sieblyio#448)
33004   the key has expired (§1: the 90-day rule; §8 (e))
10010   the caller's IP is not among the key's bound IPs (§4)
======  ==========================================================================================

Then the endpoint's permission (10005) and its per-UID rate limit (10006), in ``app.py``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from exchange_tui.simulator.core.allowlist import ip_allowed
from exchange_tui.simulator.bybit.accounts import Environment, SimAccount
from exchange_tui.simulator.bybit.errors import BybitError

DEFAULT_RECV_WINDOW_MS = 5000
AHEAD_MS = 1000
"""``timestamp < server_time + 1000``: a request may be at most 1 s ahead of the server (§2.3)."""
_DIGITS = re.compile(r"[0-9]{1,16}")
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_RSA_ENCRYPTION_OID = bytes.fromhex("2a864886f70d010101")


@dataclass(frozen=True)
class SignedRequest:
    """The parts of an HTTP request that authentication looks at, as they arrived."""

    method: str
    query: bytes
    body: bytes
    headers: Mapping[str, str]
    client_ip: str


@dataclass(frozen=True)
class Realm:
    """What a key must match besides its credentials: this host's environment, its clock, the knobs' variants."""

    environment: Environment
    now_ms: int
    unknown_key_status: int
    origin_in_bad_sign: bool


def hmac_hex(secret: str, prehash: bytes) -> str:
    return hmac.new(secret.encode(), prehash, hashlib.sha256).hexdigest()


def _der(data: bytes, at: int) -> tuple[int, bytes, int]:
    """One DER element at ``at``: its tag, its content and where the next element starts."""
    tag, length = data[at], data[at + 1]
    at += 2
    if length & 0x80:
        size = length & 0x7F
        length = int.from_bytes(data[at : at + size], "big")
        at += size
    return tag, data[at : at + length], at + length


def _children(data: bytes) -> list[tuple[int, bytes]]:
    found, at = [], 0
    while at < len(data):
        tag, content, at = _der(data, at)
        found.append((tag, content))
    return found


def rsa_public_numbers(pem: str) -> tuple[int, int]:
    """``(n, e)`` of a PEM RSA public key: ``PUBLIC KEY`` (SubjectPublicKeyInfo) or ``RSA PUBLIC KEY`` (PKCS#1).
    ``ValueError`` for anything else."""
    lines = [line.strip() for line in pem.strip().splitlines()]
    if len(lines) < 3 or not lines[0].startswith("-----BEGIN ") or not lines[-1].startswith("-----END "):
        raise ValueError("not a PEM block")
    try:
        der = base64.b64decode("".join(lines[1:-1]), validate=True)
        _, outer, _ = _der(der, 0)
        parts = _children(outer)
        if lines[0] == "-----BEGIN PUBLIC KEY-----":
            (_, algorithm), (_, bit_string) = parts
            if _children(algorithm)[0][1] != _RSA_ENCRYPTION_OID or bit_string[0] != 0:
                raise ValueError("not an RSA public key")
            _, outer, _ = _der(bit_string[1:], 0)
            parts = _children(outer)
        (_, modulus), (_, exponent) = parts
    except (binascii.Error, IndexError) as error:
        raise ValueError("not a DER RSA public key") from error
    return int.from_bytes(modulus, "big"), int.from_bytes(exponent, "big")


def rsa_verifies(public_key_pem: str, message: bytes, signature_b64: str) -> bool:
    """Whether ``signature_b64`` is an RSASSA-PKCS1-v1_5 SHA-256 signature of ``message`` (RFC 8017 §8.2.2)."""
    n, e = rsa_public_numbers(public_key_pem)
    size = (n.bit_length() + 7) // 8
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except binascii.Error:
        return False
    if len(signature) != size or int.from_bytes(signature, "big") >= n:
        return False
    encoded = pow(int.from_bytes(signature, "big"), e, n).to_bytes(size, "big")
    digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    expected = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
    return hmac.compare_digest(encoded, expected)


def signature_matches(account: SimAccount, prehash: bytes, signature: str) -> bool:
    """HMAC hex for a system-generated key, RSA base64 for a self-generated one (§2.1)."""
    if account.rsa_public_key is not None:
        return rsa_verifies(account.rsa_public_key, prehash, signature)
    return hmac.compare_digest(hmac_hex(account.secret_key, prehash).encode(), signature.encode())


def is_expired(account: SimAccount, started_ms: int, now_ms: int) -> bool:
    lifetime = account.lifetime_days
    return lifetime is not None and now_ms >= started_ms + lifetime * 86_400_000


def find_in(
    environment: Environment, find_key: Callable[[str], SimAccount | None], api_key: str
) -> SimAccount | None:
    """The key, if it is one of this environment's (§6: "the key used does not match the domain name")."""
    account = find_key(api_key)
    return account if account is not None and account.environment == environment else None


def authenticate(
    request: SignedRequest, find_key: Callable[[str], SimAccount | None], realm: Realm, started_ms: int
) -> SimAccount:
    """The key behind a correctly signed request, or the first ``BybitError`` of the table above.

    ``request.headers`` must look names up case-insensitively (Starlette's ``Headers`` does).
    """
    headers = request.headers
    api_key = headers.get("X-BAPI-API-KEY", "")
    timestamp = headers.get("X-BAPI-TIMESTAMP", "")
    recv_window = headers.get("X-BAPI-RECV-WINDOW", "")
    signature = headers.get("X-BAPI-SIGN", "")
    account = find_in(realm.environment, find_key, api_key) if api_key else None
    if account is None:
        raise BybitError(10003, status=realm.unknown_key_status)
    window = recv_window or str(DEFAULT_RECV_WINDOW_MS)
    if not _DIGITS.fullmatch(window) or int(window) == 0:
        raise BybitError(10001)
    now = realm.now_ms
    if not _DIGITS.fullmatch(timestamp) or not now - int(window) <= int(timestamp) < now + AHEAD_MS:
        raise BybitError(10002, timestamp, now, window)
    payload = request.query if request.method == "GET" else request.body
    prehash = timestamp.encode() + api_key.encode() + recv_window.encode() + payload
    if not signature or not signature_matches(account, prehash, signature):
        origin = prehash.decode("utf-8", "replace")
        raise BybitError(10004, msg=f"error sign! origin_string[{origin}]" if realm.origin_in_bad_sign else None)
    if is_expired(account, started_ms, now):
        raise BybitError(33004)
    if not ip_allowed(account.ips, request.client_ip):
        raise BybitError(10010)
    return account
