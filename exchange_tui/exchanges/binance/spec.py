"""Binance, as the rest of the app knows it: its key's parts, URLs, environments, format rule, guide,
demo keys and factories. Cheap to import: the client (and ``cryptography``) load when a key connects.

Environments (reference §6): ``--demo-trading`` is Binance's **Demo Mode** (demo.binance.com: keys made
there, the same features as live, prices near live's, a balance reset from the UI), because it is
what Binance and ccxt call demo trading and the one sandbox with both spot and USDⓈ-M futures that
ccxt still supports; ``--testnet`` is the **Spot Test Network** (testnet.binance.vision, keys made
after a GitHub login, balances reset monthly) with the futures testnet beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from exchange_tui.exchanges.base import (
    Connection,
    CredentialField,
    DemoKey,
    Environment,
    ExchangeClient,
    ExchangeSpec,
    KeyExpiry,
    KeyUse,
    Site,
    UrlSetting,
)
from exchange_tui.exchanges.binance.guide import GUIDE
from exchange_tui.exchanges.binance.permissions import SPOT_TRADING, SPOT_TRADING_LAPSE
from exchange_tui.models import Credentials, KeyFacts
from exchange_tui.validation import InvalidInput

ID = "binance"
NAME = "Binance"


@dataclass(frozen=True)
class Hosts:
    """One environment's hosts: spot and wallet REST, USDⓈ-M futures REST, the spot WebSocket API, and
    the futures user-data stream base (``/<listenKey>`` goes after it)."""

    rest: str
    futures: str
    ws_api: str
    futures_ws: str


HOSTS: dict[Environment, Hosts] = {
    Environment.LIVE: Hosts(
        "https://api.binance.com",
        "https://fapi.binance.com",
        "wss://ws-api.binance.com:443/ws-api/v3",
        "wss://fstream.binance.com/private/ws",
    ),
    Environment.DEMO: Hosts(
        "https://demo-api.binance.com",
        "https://demo-fapi.binance.com",
        "wss://demo-ws-api.binance.com/ws-api/v3",
        "wss://fstream.binancefuture.com/ws",
    ),
    Environment.TESTNET: Hosts(
        "https://testnet.binance.vision",
        "https://testnet.binancefuture.com",
        "wss://ws-api.testnet.binance.vision/ws-api/v3",
        "wss://fstream.binancefuture.com/ws",
    ),
}
"""Reference §6. The futures stream moved to ``/private`` on 2026-03-06 (the old ``/ws`` path, which ccxt
still uses, was switched off on 2026-04-23); the demo's and testnet's futures streams are
``fstream.binancefuture.com``."""

SITES = (Site("global", "Binance (binance.com)", HOSTS[Environment.LIVE].rest),)

URLS = (
    UrlSetting("url", "Binance's spot and wallet REST base"),
    UrlSetting("futures_url", "Binance's USDⓈ-M futures REST base"),
    UrlSetting("ws_api_url", "Binance's spot WebSocket API (user data)", rest=False),
    UrlSetting("futures_ws_url", "Binance's USDⓈ-M futures user-data stream base (/<listenKey> follows)", rest=False),
)

KEY_FORMAT = re.compile(r"[0-9A-Za-z]{64}")
PEM_MARKER = "-----BEGIN"


def spot_trading_off_at(facts: KeyFacts, use: KeyUse) -> datetime | None:
    """When Binance turns spot trading off on a key with no IP restriction: as it reports it (or 30 days after
    the creation it reports), else 30 days after the key was stored here; never for a restricted key, one
    without spot trading, or where Binance does not say whether it is restricted (demo, testnet)."""
    if facts.ip_restricted is not False or SPOT_TRADING not in facts.permissions:
        return None
    return facts.expires_at or use.set_at + SPOT_TRADING_LAPSE


KEY_EXPIRY = KeyExpiry(
    rule="Binance turns Enable Spot & Margin Trading off 30 days after a key was created when no IP restriction is set",
    event="Binance turns spot trading off on this key",
    advice="restrict the key to trusted IPs on Binance to keep trading",
    at=spot_trading_off_at,
)


def check_format(credentials: Credentials) -> list[str]:
    """API keys and HMAC secrets are 64 letters and digits (reference §1); a PEM secret must be an RSA or
    Ed25519 private key, unencrypted (Binance signs with it; a public key cannot sign)."""
    api_key = credentials.api_key.get_secret_value()
    if not api_key.isascii():
        raise InvalidInput("api_key", "The API key has characters Binance keys never have: copy it again from Binance")
    warnings = []
    if not KEY_FORMAT.fullmatch(api_key):
        warnings.append(
            "The API key does not look like a Binance key (64 letters and digits): "
            "check it is not another exchange's key or the secret"
        )
    secret = credentials.secret_key
    if PEM_MARKER in secret.get_secret_value():
        _check_private_key(credentials)
    elif not KEY_FORMAT.fullmatch(secret.get_secret_value()):
        warnings.append(
            "The secret key does not look like a Binance HMAC secret (64 letters and digits): check it was copied "
            "whole, or paste the RSA or Ed25519 private key PEM for a self-generated key"
        )
    return warnings


def _check_private_key(credentials: Credentials) -> None:
    from exchange_tui.exchanges.binance.signing import UnusableKey, key_type

    if "PUBLIC KEY" in credentials.secret_key.get_secret_value():
        raise InvalidInput(
            "secret_key", "This is the public key (Binance keeps that one): paste the private key it was made with"
        )
    try:
        key_type(credentials.secret_key)
    except UnusableKey as error:
        raise InvalidInput(
            "secret_key", f"Binance cannot use this private key ({error}): paste an RSA or Ed25519 PKCS#8 key, unencrypted"
        ) from None


def connect(credentials: Credentials, connection: Connection) -> ExchangeClient:
    from exchange_tui.exchanges.binance.client import BinanceClient

    return BinanceClient(credentials, connection=connection)


def simulator() -> object:
    from exchange_tui.simulator import binance

    return binance


DEMO_KEYS: tuple[DemoKey, ...] = (
    DemoKey("demo", "demo", "Reading and Spot & Margin Trading, HMAC: connects"),
    DemoKey("demo-readonly", "demo-readonly", "Enable Reading only: connects with a warning"),
    DemoKey("demo-withdraw", "demo-withdraw", "can withdraw: connects with a warning"),
    DemoKey(
        "demo-ip-restricted-elsewhere",
        "demo-ip-restricted-elsewhere",
        "restricted to another IP: refused (-2015)",
    ),
    DemoKey("demo-trading", "demo-trading", "a Binance Demo Mode key (switch on)", demo_trading=True),
    DemoKey("demo-ed25519", "demo-ed25519", "a self-generated Ed25519 key (a PEM private key): connects"),
    DemoKey("demo-rsa", "demo-rsa", "a self-generated RSA key (a PEM private key): connects"),
    DemoKey("demo-badsecret", "demo", "wrong secret key: refused (-1022)", wrong="secret_key"),
)
"""The simulator's accounts (exchange_tui/simulator/binance): the first connects."""

SPEC = ExchangeSpec(
    id=ID,
    name=NAME,
    credentials=(
        CredentialField("api_key", "API key", "BINANCE_API_KEY", "shown on Binance's API Management page"),
        CredentialField(
            "secret_key",
            "Secret key",
            "BINANCE_API_SECRET",
            "the HMAC secret (shown once), or your Ed25519 or RSA private key PEM",
            pem=True,
        ),
    ),
    urls=URLS,
    sites=SITES,
    environments=(Environment.LIVE, Environment.DEMO, Environment.TESTNET),
    check_format=check_format,
    guide=GUIDE,
    demo_keys=DEMO_KEYS,
    connect=connect,
    simulator=simulator,
    key_expiry=KEY_EXPIRY,
)
