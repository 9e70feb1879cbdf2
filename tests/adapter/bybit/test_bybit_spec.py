"""Bybit's spec: its credentials, URL settings and environments, the key-format rule, where each environment's
REST and WebSocket are, and its place in the registry."""

import pytest
from bybit_support import VECTOR_KEY, rsa_key
from pydantic import SecretStr

from exchange_tui.exchanges.base import Connection, Environment
from exchange_tui.exchanges.bybit.client import BybitClient, rest_url
from exchange_tui.exchanges.bybit.live import ws_url_for
from exchange_tui.exchanges.bybit.spec import SPEC, check_format
from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.models import Credentials
from exchange_tui.validation import InvalidInput


def test_the_spec():
    assert EXCHANGES["bybit"] is SPEC and SPEC.name == "Bybit"
    assert [(c.name, c.env, c.pem) for c in SPEC.credentials] == [
        ("api_key", "BYBIT_API_KEY", False),
        ("secret_key", "BYBIT_API_SECRET", True),
    ]
    assert not SPEC.has_passphrase
    assert [s.env("bybit") for s in SPEC.urls] == [
        "EXCHANGE_TUI_BYBIT_URL",
        "EXCHANGE_TUI_BYBIT_DEMO_URL",
        "EXCHANGE_TUI_BYBIT_TESTNET_URL",
        "EXCHANGE_TUI_BYBIT_WS_URL",
        "EXCHANGE_TUI_BYBIT_DEMO_WS_URL",
        "EXCHANGE_TUI_BYBIT_TESTNET_WS_URL",
    ]
    assert SPEC.environments == (Environment.LIVE, Environment.DEMO, Environment.TESTNET)
    assert "90 days" in SPEC.key_expiry.rule
    assert SPEC.demo_keys[0].label == "demo"
    assert {k.label for k in SPEC.demo_keys} >= {"demo-readonly", "demo-withdraw", "demo-ip-bound", "demo-trading", "demo-rsa"}
    assert [k.wrong for k in SPEC.demo_keys if k.wrong] == ["secret_key"]
    assert [k.label for k in SPEC.demo_keys if k.demo_trading] == ["demo-trading"]


def credentials(key, secret):
    return Credentials(api_key=SecretStr(key), secret_key=SecretStr(secret))


def test_the_key_format():
    assert check_format(VECTOR_KEY) == []
    assert check_format(credentials("AbCdEfGhIjKlMnOpQr", rsa_key()[0])) == []
    assert [w.split(" (")[0] for w in check_format(credentials("bg_123", "short"))] == [
        "The API key does not look like a Bybit key",
        "The secret does not look like a Bybit secret",
    ]
    assert "whole PEM block" in check_format(credentials("AbCdEfGhIjKlMnOpQr", "-----BEGIN PRIVATE KEY-----\nAAAA"))[0]
    with pytest.raises(InvalidInput):
        check_format(credentials("AbCdEfGhIjKlMnOpQé", "x" * 36))


@pytest.mark.parametrize(
    ("environment", "urls", "rest", "ws"),
    [
        (Environment.LIVE, {}, "https://api.bybit.com", "wss://stream.bybit.com/v5/private"),
        (Environment.DEMO, {}, "https://api-demo.bybit.com", "wss://stream-demo.bybit.com/v5/private"),
        (Environment.TESTNET, {}, "https://api-testnet.bybit.com", "wss://stream-testnet.bybit.com/v5/private"),
        (Environment.LIVE, {"url": "http://127.0.0.1:8000"}, "http://127.0.0.1:8000", "ws://127.0.0.1:8000/v5/private"),
        (Environment.DEMO, {"url": "http://127.0.0.1:8000"}, "http://127.0.0.1:8000", "ws://127.0.0.1:8000/v5/private"),
        (
            Environment.DEMO,
            {"url": "http://127.0.0.1:8000", "demo_url": "http://127.0.0.1:8001/"},
            "http://127.0.0.1:8001",
            "ws://127.0.0.1:8001/v5/private",
        ),
        (Environment.TESTNET, {"url": "https://api.bybit.com"}, "https://api-testnet.bybit.com", "wss://stream-testnet.bybit.com/v5/private"),
        (Environment.LIVE, {"ws_url": "ws://127.0.0.1:9/x"}, "https://api.bybit.com", "ws://127.0.0.1:9/x"),
        (Environment.LIVE, {"url": "https://proxy.example/bybit"}, "https://proxy.example/bybit", "wss://proxy.example/bybit/v5/private"),
    ],
)
def test_where_each_environment_is(environment, urls, rest, ws):
    assert rest_url(environment, urls) == rest
    assert ws_url_for(environment, rest, urls) == ws


async def test_the_connection_picks_the_host():
    for connection, host in [
        (Connection(), "https://api.bybit.com"),
        (Connection(demo_trading=True), "https://api-demo.bybit.com"),
        (Connection(testnet=True), "https://api-testnet.bybit.com"),
    ]:
        async with BybitClient(VECTOR_KEY, connection=connection) as client:
            assert client.base_url == host
            assert (client.demo_trading, client.testnet) == (connection.demo_trading, connection.testnet)
