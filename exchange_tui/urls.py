"""No secret in clear on the network: plain ``http://`` and ``ws://`` only to this machine.

Every signed exchange request carries the API key (and passphrase) in its headers, the WebSocket
login carries them too, and every Vault request carries its token and gets keys back. Over plain
HTTP or WebSocket anyone on the way reads them. So a URL with one of those schemes is refused
unless its host is loopback (127.0.0.0/8, ::1 or ``localhost``), where nothing leaves the machine
(the simulator, a ``bao server -dev``), or the user says ``--allow-insecure``.

:func:`require_secure_url` is the one check; each place that takes such a URL calls it with the
setting's name, so the refusal says which setting to fix. :func:`check_url` checks an exchange's
REST URL for its syntax, where one is typed or configured.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from urllib.parse import urlsplit

from exchange_tui.validation import InvalidInput

ALLOW_INSECURE_OPTION = "--allow-insecure"
SECURE_SCHEMES = {"http": "https", "ws": "wss"}
"""Each plain scheme, and the one to use instead."""
LOOPBACK_NAMES = frozenset({"localhost"})


class InsecureUrl(InvalidInput):
    """A setting names a plain-text URL to another machine; the message says which, why and what to do."""


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (as a URL gives it: no brackets) is this machine's loopback."""
    if host is None:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_secure_url(url: str, setting: str, *, allow_insecure: bool) -> None:
    """Refuse ``url`` (``InsecureUrl``, usage: exit 2) if it is ``http://`` or ``ws://`` to a host
    that is not loopback, unless ``allow_insecure``. ``setting`` names where the URL came from.

    A URL that does not parse is left to what uses it: it cannot send anything anywhere.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return
    secure = SECURE_SCHEMES.get(parts.scheme)
    if secure is None or allow_insecure or is_loopback(host):
        return
    shown = f"[{host}]" if host and ":" in host else host or ""
    raise InsecureUrl(
        setting,
        f"{setting} is {parts.scheme}://{shown}, not this machine: API keys and tokens would cross the "
        f"network in clear. Use {secure}://, or give {ALLOW_INSECURE_OPTION} (before the command) to accept that",
    )


def check_url(url: str) -> str:
    """An exchange's base URL, checked for its syntax only: http or https, a host, a port that can be.

    The message never repeats the URL, which may carry a user and password.
    """
    problem = _url_problem(url)
    if problem is not None:
        raise InvalidInput("url", f"{problem}: use one like https://api.exchange.example")
    return url


def _url_problem(url: str) -> str | None:
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cs") for ch in url):
        return "the URL has spaces or control characters in it"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "the URL's host or port is not valid (a port is a number from 1 to 65535)"
    if parts.scheme.lower() not in ("http", "https"):
        return "the URL must start with https:// (or http://)"
    if not parts.hostname:
        return "the URL has no host"
    if port == 0:
        return "the URL's port must be a number from 1 to 65535"
    return None
