"""Checking a signed OKX request the way OKX does (reference §2, §4, §6, §8), with the simulator's own HMAC code.

The order of the checks (the first failing one answers; HTTP 401 unless said):

=====  ==========================================================================
code   refusal
=====  ==========================================================================
50103  ``OK-ACCESS-KEY`` missing or empty
50104  ``OK-ACCESS-PASSPHRASE`` missing or empty
50106  ``OK-ACCESS-SIGN`` missing or empty
50107  ``OK-ACCESS-TIMESTAMP`` missing or empty
50112  timestamp not ISO-8601 UTC with milliseconds and ``Z`` (epoch ms is refused: §2.3, §8 (b))
50102  timestamp more than ``faults.rest_window_ms`` (30 s, assumed for REST: §2.3) from the server clock
50111  key not in OKX's format (a UUID, §1)
50119  no such key: never made, deleted, or another site's (§1 "Regions", §8 (f)); HTTP 401 as
       observed or 200 as documented (``faults.unknown_key_status``)
50105  passphrase does not match (§8 (d))
50113  signature does not match
50110  caller's IP not on the key's allowlist; the message names the IP (§4)
50101  a demo key without ``x-simulated-trading: 1``, or a live key with it (§6, §8 (e))
=====  ==========================================================================

The order is inferred, as the reference's model of the other exchange is: what the headers alone decide, then the
key record. Then the endpoint's permission (50120, HTTP 200) and rate limit (50011, HTTP 429), in
``app.py``.

Signature (§2.1)::

    prehash = OK-ACCESS-TIMESTAMP + METHOD + requestPath (+ "?" + query, if any) + body
    OK-ACCESS-SIGN = base64(HMAC-SHA256(secret, prehash))

``requestPath`` and the query are taken exactly as received on the wire, so both ccxt's ``%2C`` and
python-okx's raw ``,`` verify against what each sent (§2.4, §8 (a)); the percent-decoded query is
accepted too ("harmless", §2.4). ``body`` is the raw bytes received (python-okx's spaced JSON and
ccxt's compact JSON both verify).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote_to_bytes

from exchange_tui.simulator.core.allowlist import ip_allowed
from exchange_tui.simulator.core.signing import matches_any, same_text
from exchange_tui.simulator.okx.accounts import UUID_PATTERN, SimAccount, Site
from exchange_tui.simulator.okx.errors import OkxError

_ISO_MS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")
_API_KEY = re.compile(UUID_PATTERN)
DEMO_HEADER = "x-simulated-trading"


@dataclass(frozen=True)
class SignedRequest:
    """The parts of an HTTP request that authentication looks at, as they arrived."""

    method: str
    raw_path: bytes
    query: bytes
    body: bytes
    headers: Mapping[str, str]
    client_ip: str


@dataclass(frozen=True)
class Realm:
    """What a key must match besides its credentials: this server's site, its clock and window, 50119's status."""

    site: Site
    now_ms: int
    window_ms: int
    unknown_key_status: int


def prehashes(timestamp: str, method: str, raw_path: bytes, query: bytes, body: bytes) -> list[bytes]:
    """Every prehash a correct client may have signed: the query as received, and percent-decoded."""
    head = timestamp.encode() + method.upper().encode() + raw_path
    if not query:
        return [head + body]
    return [head + b"?" + form + body for form in dict.fromkeys([query, unquote_to_bytes(query)])]


def signature_matches(secret: str, signature: str, timestamp: str, request: SignedRequest) -> bool:
    """Whether ``signature`` signs any accepted prehash (``core.signing.matches_any``)."""
    parts = (request.method, request.raw_path, request.query, request.body)
    return matches_any(secret, signature, prehashes(timestamp, *parts))


def iso_ms(timestamp: str) -> int | None:
    """Epoch ms of an ``OK-ACCESS-TIMESTAMP`` such as ``2020-12-08T09:08:57.715Z``; None if not in that form."""
    if not _ISO_MS.fullmatch(timestamp):
        return None
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return round(moment.timestamp() * 1000)


def is_well_formed_key(api_key: str) -> bool:
    return _API_KEY.fullmatch(api_key) is not None


def authenticate(request: SignedRequest, find_key: Callable[[str], SimAccount | None], realm: Realm) -> SimAccount:
    """The key behind a correctly signed request, or the first ``OkxError`` of the table above.

    ``request.headers`` must look names up case-insensitively (Starlette's ``Headers`` does).
    """
    headers = request.headers
    api_key = headers.get("OK-ACCESS-KEY", "")
    passphrase = headers.get("OK-ACCESS-PASSPHRASE", "")
    signature = headers.get("OK-ACCESS-SIGN", "")
    timestamp = headers.get("OK-ACCESS-TIMESTAMP", "")
    for value, code in ((api_key, "50103"), (passphrase, "50104"), (signature, "50106"), (timestamp, "50107")):
        if not value:
            raise OkxError(code)
    signed_ms = iso_ms(timestamp)
    if signed_ms is None:
        raise OkxError("50112")
    if abs(signed_ms - realm.now_ms) > realm.window_ms:
        raise OkxError("50102")
    if not is_well_formed_key(api_key):
        raise OkxError("50111")
    account = find_key(api_key)
    if account is None or account.site != realm.site:
        raise OkxError("50119", status=realm.unknown_key_status)
    if not same_text(passphrase, account.passphrase):
        raise OkxError("50105")
    if not signature_matches(account.secret_key, signature, timestamp, request):
        raise OkxError("50113")
    if not ip_allowed(account.ips, request.client_ip):
        raise OkxError("50110", request.client_ip)
    if account.demo != (headers.get(DEMO_HEADER, "").strip() == "1"):
        raise OkxError("50101")
    return account
