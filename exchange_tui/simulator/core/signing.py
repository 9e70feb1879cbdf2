"""The HMAC signature every simulated exchange checks: ``base64(HMAC-SHA256(secret, prehash))``.

Which prehash strings a correct client may have signed is the exchange's own rule; comparing a
signature against all of them, in constant time, is this module's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def sign(secret: str, prehash: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), prehash, hashlib.sha256).digest()).decode()


def same_text(given: str, held: str) -> bool:
    """A constant-time comparison of a secret given (a passphrase) with the one held."""
    return hmac.compare_digest(given.encode(), held.encode())


def matches_any(secret: str, signature: str, prehashes: Iterable[bytes]) -> bool:
    """Constant-time comparison against every accepted prehash (all are compared, none skipped)."""
    given = signature.encode()
    matched = False
    for prehash in prehashes:
        matched |= hmac.compare_digest(sign(secret, prehash).encode(), given)
    return matched
