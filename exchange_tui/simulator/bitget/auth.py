"""Checking a signed request the way Bitget does, with the simulator's own HMAC code.

The order of the checks (the first failing one answers):

====  =======================================================================
code  refusal
====  =======================================================================
40001 ``ACCESS-KEY`` header missing or empty
40002 ``ACCESS-SIGN`` missing
40011 ``ACCESS-PASSPHRASE`` missing
40005 ``ACCESS-TIMESTAMP`` missing or not a whole number of milliseconds
40008 timestamp more than 30 000 ms from the server clock (offset knob included)
40037 no such API key
40012 wrong passphrase for that key
40009 signature does not match
40018 caller's IP not on the key's whitelist (an empty whitelist admits everyone)
40099 Demo-trading key without ``paptrading: 1``, or a live key with it
40085 unified account on a classic v2 endpoint (40084: classic account on a v3 endpoint); the
      other shapes a unified account may take there are in ``UnifiedAccount.classic_api``
40014 the key lacks the endpoint's permission
====  =======================================================================

This is how a gateway in front of Bitget's services would most plausibly work: first what can be
judged from the headers alone, then the key record (existence, passphrase, secret, whitelist,
environment), then what depends on the endpoint (account mode, permission). The per-endpoint
rate limit comes after all of them, because it counts per UID; see ``app.py``.

Signature (reference §1.1)::

    prehash = ACCESS-TIMESTAMP + METHOD + path + ("?" + query, if the query is non-empty) + body
    ACCESS-SIGN = base64(HMAC-SHA256(secret, prehash))

``query`` is the query string in the order it arrived in the URL, never re-sorted. It is accepted
percent-decoded (what Bitget documents and ccxt signs), percent-decoded with "+" read as a space
(what a Java ``URLDecoder`` does), or exactly as on the wire. ``body`` is the raw bytes received.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote_to_bytes

from exchange_tui.simulator.bitget.accounts import SimAccount
from exchange_tui.simulator.bitget.errors import BitgetError
from exchange_tui.simulator.core.allowlist import ip_allowed
from exchange_tui.simulator.core.signing import matches_any, same_text

TIMESTAMP_WINDOW_MS = 30_000
_MILLISECONDS = re.compile(r"[0-9]{1,19}")


@dataclass(frozen=True)
class Permission:
    """What an endpoint needs: any one of ``codes``; ``words`` names it in the 40014 message."""

    words: str
    codes: frozenset[str]


# "readonly" and "trade" are the codes of keys made before the per-product permissions.
SPOT_READ = Permission("spot read", frozenset({"stor", "stow", "readonly", "trade"}))
FUTURES_READ = Permission("futures read", frozenset({"coor", "coow", "cpor", "cpow", "readonly", "trade"}))
WALLET_TRANSFER = Permission("wallet transfer", frozenset({"wtow"}))
UTA_READ = Permission("UTA management read", frozenset({"uta_mgt"}))


@dataclass(frozen=True)
class SignedRequest:
    """The parts of an HTTP request that authentication looks at, as they arrived."""

    method: str
    path: str
    query: bytes
    body: bytes
    headers: Mapping[str, str]
    client_ip: str


def prehashes(timestamp: str, method: str, path: str, query: bytes, body: bytes) -> list[bytes]:
    """Every prehash string a correct client may have signed for this request."""
    head = (timestamp + method.upper() + path).encode()
    if not query:
        return [head + body]
    forms = [unquote_to_bytes(query), unquote_to_bytes(query.replace(b"+", b" ")), query]
    return [head + b"?" + form + body for form in dict.fromkeys(forms)]


def signature_matches(
    secret: str, signature: str, timestamp: str, method: str, path: str, query: bytes, body: bytes
) -> bool:
    """Whether ``signature`` signs any accepted prehash form (``core.signing.matches_any``)."""
    return matches_any(secret, signature, prehashes(timestamp, method, path, query, body))


def authenticate(request: SignedRequest, find_key: Callable[[str], SimAccount | None], now_ms: int) -> SimAccount:
    """The account behind a correctly signed request, or the first ``BitgetError`` of the table above.

    ``request.headers`` must look names up case-insensitively (Starlette's ``Headers`` does).
    """
    headers = request.headers
    api_key = headers.get("ACCESS-KEY", "")
    signature = headers.get("ACCESS-SIGN", "")
    passphrase = headers.get("ACCESS-PASSPHRASE", "")
    timestamp = headers.get("ACCESS-TIMESTAMP", "")
    if not api_key:
        raise BitgetError("40001")
    if not signature:
        raise BitgetError("40002")
    if not passphrase:
        raise BitgetError("40011")
    if not _MILLISECONDS.fullmatch(timestamp):
        raise BitgetError("40005")
    if abs(int(timestamp) - now_ms) > TIMESTAMP_WINDOW_MS:
        raise BitgetError("40008")
    account = find_key(api_key)
    if account is None:
        raise BitgetError("40037")
    if not same_text(passphrase, account.passphrase):
        raise BitgetError("40012")
    parts = (request.method, request.path, request.query, request.body)
    if not signature_matches(account.secret_key, signature, timestamp, *parts):
        raise BitgetError("40009")
    if not ip_allowed(account.ips, request.client_ip):
        raise BitgetError("40018")
    if account.demo != (headers.get("paptrading", "").strip() == "1"):
        raise BitgetError("40099")
    return account


Api = Literal["classic-info", "classic", "unified"]
"""Which API an endpoint belongs to: v2's account info, v2's other (balance) endpoints, or v3."""


def authorize(account: SimAccount, api: Api, permission: Permission | None) -> None:
    """The endpoint-dependent checks: account mode (40085/40084, or the shape a unified account takes
    on classic endpoints), then permission (40014).

    A unified account whose v2 account info answers (``info-then-*``) answers it whatever its
    permissions: its key has no classic authorities to check.
    """
    if account.mode == "classic" and api == "unified":
        raise BitgetError("40084")
    if account.unified is not None and api != "unified":
        shape = account.unified.classic_api
        if shape == "40085" or api == "classic":
            raise BitgetError("40731" if shape == "info-then-40731" else "40085")
        return
    if permission is not None and not permission.codes & account.permission_codes:
        raise BitgetError.missing_permission(permission.words)
