"""Bybit, as the rest of the app knows it: its key's parts, URLs, environments, format rule, guide, demo keys
and factories. Cheap to import: the client is imported when a key connects."""

from __future__ import annotations

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
from exchange_tui.exchanges.bybit.guide import GUIDE
from exchange_tui.models import Credentials, KeyFacts
from exchange_tui.validation import InvalidInput

ID = "bybit"
NAME = "Bybit"

REST_HOSTS: dict[Environment, str] = {
    Environment.LIVE: "https://api.bybit.com",
    Environment.DEMO: "https://api-demo.bybit.com",
    Environment.TESTNET: "https://api-testnet.bybit.com",
}
"""Each environment's REST host (reference §6): a key works in its own environment only."""

WS_HOSTS: dict[Environment, str] = {
    Environment.LIVE: "wss://stream.bybit.com/v5/private",
    Environment.DEMO: "wss://stream-demo.bybit.com/v5/private",
    Environment.TESTNET: "wss://stream-testnet.bybit.com/v5/private",
}
"""Each environment's private WebSocket (reference §6, §7)."""

REST_SETTINGS: dict[Environment, str] = {Environment.LIVE: "url", Environment.DEMO: "demo_url", Environment.TESTNET: "testnet_url"}
WS_SETTINGS: dict[Environment, str] = {
    Environment.LIVE: "ws_url",
    Environment.DEMO: "demo_ws_url",
    Environment.TESTNET: "testnet_ws_url",
}

URLS = (
    UrlSetting("url", "Bybit's REST base (mainnet)"),
    UrlSetting("demo_url", "Bybit's REST base for demo trading"),
    UrlSetting("testnet_url", "Bybit's REST base on testnet"),
    UrlSetting("ws_url", "Bybit's private WebSocket (mainnet)", rest=False),
    UrlSetting("demo_ws_url", "Bybit's private WebSocket for demo trading", rest=False),
    UrlSetting("testnet_ws_url", "Bybit's private WebSocket on testnet", rest=False),
)

SITES = (Site("global", "Bybit (www.bybit.com)", REST_HOSTS[Environment.LIVE]),)

KEY_LENGTH = 18
SECRET_LENGTH = 36
PEM_MARK = "PRIVATE KEY-----"

def expired_at(facts: KeyFacts, use: KeyUse) -> datetime | None:
    """When Bybit expires the key: as it reports it (``expiredAt``), the day it counts from creation and from
    password changes, which this box cannot see."""
    return facts.expires_at


KEY_EXPIRY = KeyExpiry(
    rule="Bybit expires keys with no IP bound after 90 days (7 days after the account password changes)",
    event="Bybit expires this key",
    advice="bind this box's IP to the key, or extend it on Bybit "
    "(API Management → edit the key → IP access → Submit, with the email and 2FA codes)",
    at=expired_at,
)


def environment_of(connection: Connection) -> Environment:
    if connection.testnet:
        return Environment.TESTNET
    return Environment.DEMO if connection.demo_trading else Environment.LIVE


def is_pem(secret: str) -> bool:
    """Whether a secret is a PEM private key (a self-generated RSA key), as ccxt tells them apart."""
    return PEM_MARK in secret


def check_format(credentials: Credentials) -> list[str]:
    """Bybit keys are 18 characters, HMAC secrets 36 (reference §1); a self-generated key's secret is its RSA
    private key, a PEM block. What goes in a header must be ASCII: a key that is not cannot be sent at all."""
    api_key = credentials.api_key.get_secret_value()
    secret = credentials.secret_key.get_secret_value()
    if not api_key.isascii():
        raise InvalidInput("api_key", "The API key has characters Bybit keys never have: copy it again from Bybit")
    warnings = []
    if len(api_key) != KEY_LENGTH or not api_key.isalnum():
        warnings.append(
            "The API key does not look like a Bybit key (18 letters and digits): "
            "check it is not another exchange's key or the secret"
        )
    if is_pem(secret):
        if "-----BEGIN" not in secret or "-----END" not in secret:
            warnings.append("The private key is not a whole PEM block: paste it from -----BEGIN to -----END")
    elif len(secret) != SECRET_LENGTH:
        warnings.append(
            "The secret does not look like a Bybit secret (36 characters, or an RSA private key in PEM): "
            "check it was copied whole"
        )
    return warnings


def connect(credentials: Credentials, connection: Connection) -> ExchangeClient:
    from exchange_tui.exchanges.bybit.client import BybitClient

    return BybitClient(credentials, connection=connection)


def simulator() -> object:
    from exchange_tui.simulator import bybit

    return bybit


DEMO_KEYS: tuple[DemoKey, ...] = (
    DemoKey("demo", "demo", "unified account, Read-Write, no IP bound: connects"),
    DemoKey("demo-readonly", "demo-readonly", "read-only key: connects with a warning"),
    DemoKey("demo-withdraw", "demo-withdraw", "can withdraw: connects with a warning"),
    DemoKey("demo-ip-bound", "demo-ip-bound", "bound to another IP: refused (10010)"),
    DemoKey("demo-trading", "demo-trading", "Bybit demo trading (switch on)", demo_trading=True),
    DemoKey("demo-rsa", "demo-rsa", "a self-generated RSA key: connects"),
    DemoKey("demo-badsecret", "demo", "wrong secret: refused (10004)", wrong="secret_key"),
)
"""The simulator's accounts (exchange_tui/simulator/bybit): the first connects."""

SPEC = ExchangeSpec(
    id=ID,
    name=NAME,
    credentials=(
        CredentialField("api_key", "API key", "BYBIT_API_KEY", "18 characters, shown on Bybit's API Management page"),
        CredentialField(
            "secret_key",
            "Secret key",
            "BYBIT_API_SECRET",
            "shown once when the key is created; for a self-generated key, its RSA private key (PEM)",
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
