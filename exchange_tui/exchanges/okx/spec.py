"""OKX, as the rest of the app knows it: its key's parts, URLs, sites, environments, format rule, guide,
demo keys and factories. Cheap to import: the client is imported when a key connects."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

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
from exchange_tui.exchanges.okx.guide import GUIDE
from exchange_tui.exchanges.okx.permissions import TRADE, WITHDRAW
from exchange_tui.models import Credentials, KeyFacts
from exchange_tui.validation import InvalidInput

ID = "okx"
NAME = "OKX"

SITES = (
    Site("global", "OKX (www.okx.com)", "https://www.okx.com"),
    Site("eea", "OKX EEA (my.okx.com)", "https://eea.okx.com"),
    Site("us", "OKX US (app.okx.com)", "https://us.okx.com"),
)
"""Each site's REST host (reference §3, §6): a key works on its account's site only."""

WS_HOSTS: dict[str, tuple[str, str]] = {
    "global": ("wss://ws.okx.com:8443/ws/v5/private", "wss://wspap.okx.com:8443/ws/v5/private"),
    "eea": ("wss://wseea.okx.com:8443/ws/v5/private", "wss://wseeapap.okx.com:8443/ws/v5/private"),
    "us": ("wss://wsus.okx.com:8443/ws/v5/private", "wss://wsuspap.okx.com:8443/ws/v5/private"),
}
"""Each site's private WebSocket, live then demo trading (reference §6)."""

URLS = (
    UrlSetting("url", "OKX's REST base"),
    UrlSetting("ws_url", "OKX's private WebSocket (live)", rest=False),
    UrlSetting("demo_ws_url", "OKX's private WebSocket (demo trading)", rest=False),
)

KEY_FORMAT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SECRET_FORMAT = re.compile(r"[0-9A-Fa-f]{32}")
PASSPHRASE_LENGTH = range(8, 33)

UNUSED_FOR = timedelta(days=14)


def deleted_at(facts: KeyFacts, use: KeyUse) -> datetime | None:
    """When OKX deletes a key with Trade or Withdraw and no IP bound: 14 days after its last use, as far as
    this box saw it (a use elsewhere puts it off); never for a read-only, IP-bound or demo-trading key."""
    if facts.ips or facts.demo_trading or not {TRADE, WITHDRAW} & set(facts.permissions):
        return None
    return (use.last_used or use.set_at) + UNUSED_FOR


KEY_EXPIRY = KeyExpiry(
    rule="OKX deletes a key with Trade or Withdraw and no IP bound after 14 days unused, "
    "counted here from the last use this box saw",
    event="OKX deletes this key",
    advice="bind this box's IP to the key on OKX, or use the key at least every 14 days",
    at=deleted_at,
)


def check_format(credentials: Credentials) -> list[str]:
    """OKX keys are UUIDs, secrets 32 hex digits (reference §1); its passphrase rules are not published
    in full (8 to 32 characters by one OKX page), so an odd one is only a warning. What goes in a header
    must be ASCII: a key or passphrase that is not cannot be sent at all."""
    api_key = credentials.api_key.get_secret_value()
    passphrase = credentials.passphrase.get_secret_value() if credentials.passphrase is not None else None
    if not api_key.isascii():
        raise InvalidInput("api_key", "The API key has characters OKX keys never have: copy it again from OKX")
    if passphrase is not None and not passphrase.isascii():
        raise InvalidInput("passphrase", "The passphrase has non-ASCII characters, which cannot be sent to OKX")
    warnings = []
    if not KEY_FORMAT.fullmatch(api_key):
        warnings.append(
            "The API key does not look like an OKX key (a UUID: 8-4-4-4-12 hex digits): "
            "check it is not another exchange's key or the secret key"
        )
    if not SECRET_FORMAT.fullmatch(credentials.secret_key.get_secret_value()):
        warnings.append("The secret key does not look like an OKX secret (32 hex digits): check it was copied whole")
    if passphrase is not None and len(passphrase) not in PASSPHRASE_LENGTH:
        warnings.append(
            "OKX passphrases are usually 8 to 32 characters: check this is the key's passphrase, "
            "not your login password"
        )
    return warnings


def connect(credentials: Credentials, connection: Connection) -> ExchangeClient:
    from exchange_tui.exchanges.okx.client import OkxClient

    return OkxClient(credentials, connection=connection)


def simulator() -> object:
    from exchange_tui.simulator import okx

    return okx


DEMO_KEYS: tuple[DemoKey, ...] = (
    DemoKey("demo", "demo", "Futures mode, Read and Trade: connects"),
    DemoKey("demo-readonly", "demo-readonly", "read-only key: connects with a warning"),
    DemoKey("demo-withdraw", "demo-withdraw", "can withdraw: connects with a warning"),
    DemoKey("demo-ip-bound", "demo-ip-bound", "bound to another IP: refused (50110)"),
    DemoKey("demo-trading", "demo-trading", "OKX demo trading (switch on)", demo_trading=True),
    DemoKey("demo-eea", "demo-eea", "an EEA account (my.okx.com): refused here (50119) until added with --site eea"),
    DemoKey("demo-spot-mode", "demo-spot", "Spot mode (acctLv 1): connects, no futures"),
    DemoKey("demo-typo", "demo", "mistyped passphrase: refused (50105)", wrong="passphrase"),
    DemoKey("demo-badsecret", "demo", "wrong secret key: refused (50113)", wrong="secret_key"),
)
"""The simulator's accounts (exchange_tui/simulator/okx): the first connects."""

SPEC = ExchangeSpec(
    id=ID,
    name=NAME,
    credentials=(
        CredentialField("api_key", "API key", "OKX_API_KEY", "a UUID, shown on OKX's API page"),
        CredentialField("secret_key", "Secret key", "OKX_API_SECRET", "shown once when the key is created"),
        CredentialField("passphrase", "Passphrase", "OKX_API_PASSPHRASE", "the passphrase you set for this key"),
    ),
    urls=URLS,
    sites=SITES,
    environments=(Environment.LIVE, Environment.DEMO),
    check_format=check_format,
    guide=GUIDE,
    demo_keys=DEMO_KEYS,
    connect=connect,
    simulator=simulator,
    key_expiry=KEY_EXPIRY,
)
