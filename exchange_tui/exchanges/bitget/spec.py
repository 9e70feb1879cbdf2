"""Bitget, as the rest of the app knows it: its key's parts, URLs, environments, format rule, guide,
demo keys and factories. Cheap to import: the client is imported when a key connects."""

from __future__ import annotations

import re

from exchange_tui.exchanges.base import (
    Connection,
    CredentialField,
    DemoKey,
    Environment,
    ExchangeClient,
    ExchangeSpec,
    Site,
    UrlSetting,
)
from exchange_tui.exchanges.bitget.guide import GUIDE
from exchange_tui.models import Credentials

ID = "bitget"
DEFAULT_BASE_URL = "https://api.bitget.com"
KEY_FORMAT = re.compile(r"bg_[0-9a-f]{32}")
PASSPHRASE_FORMAT = re.compile(r"[A-Za-z0-9]{8,32}")

URLS = (
    UrlSetting("url", "Bitget's REST base"),
    UrlSetting("ws_url", "Bitget's private WebSocket (live)", rest=False),
    UrlSetting("demo_ws_url", "Bitget's private WebSocket (demo trading)", rest=False),
)


def check_format(credentials: Credentials) -> list[str]:
    warnings = []
    if not KEY_FORMAT.fullmatch(credentials.api_key.get_secret_value()):
        warnings.append(
            "The API key does not look like a Bitget key (bg_ and 32 hex digits): "
            "check it is not another exchange's key or the secret key"
        )
    passphrase = credentials.passphrase
    if passphrase is not None and not PASSPHRASE_FORMAT.fullmatch(passphrase.get_secret_value()):
        warnings.append("Bitget passphrases are 8 to 32 letters and digits: Bitget will likely refuse this one")
    return warnings


def connect(credentials: Credentials, connection: Connection) -> ExchangeClient:
    from exchange_tui.exchanges.bitget.client import BitgetClient

    return BitgetClient(credentials, connection=connection)


def simulator() -> object:
    from exchange_tui.simulator import bitget

    return bitget


DEMO_KEYS: tuple[DemoKey, ...] = (
    DemoKey("demo", "demo-unified", "unified trading account, as a new one is: connects"),
    DemoKey("demo-readonly", "demo-readonly", "classic, read-only key: connects with a warning"),
    DemoKey("demo-withdraw", "demo-withdraw", "classic, can withdraw: connects with a warning"),
    DemoKey("demo-spot-only", "demo-spot-only", "classic, no futures permissions"),
    DemoKey("demo-classic", "demo", "classic account, spot and futures: connects"),
    DemoKey("demo-trading", "demo-trading", "Bitget demo trading (switch on)", demo_trading=True),
    DemoKey("demo-ip-bound", "demo-ip-bound", "bound to another IP: refused (40018)"),
    DemoKey("demo-typo", "demo", "mistyped passphrase: refused (40012)", wrong="passphrase"),
    DemoKey("demo-badsecret", "demo", "wrong secret key: refused (40009)", wrong="secret_key"),
    DemoKey("demo-trade-only", "demo-unified-trade-only", "unified, no UTA management: says what to add"),
)
"""The first is a unified account, as every new Bitget account is; a classic one is beside it."""

SPEC = ExchangeSpec(
    id=ID,
    name="Bitget",
    credentials=(
        CredentialField("api_key", "API key", "BITGET_API_KEY", "starts with bg_"),
        CredentialField("secret_key", "Secret key", "BITGET_API_SECRET", "shown once when the key is created"),
        CredentialField("passphrase", "Passphrase", "BITGET_API_PASSPHRASE", "the passphrase you set on Bitget"),
    ),
    urls=URLS,
    sites=(Site("global", "Bitget", DEFAULT_BASE_URL),),
    environments=(Environment.LIVE, Environment.DEMO),
    check_format=check_format,
    guide=GUIDE,
    demo_keys=DEMO_KEYS,
    connect=connect,
    simulator=simulator,
)
