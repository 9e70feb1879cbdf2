"""What the streams send and where (reference/binance.md §6, §7): the signed subscription frame (the NWS
vector), the WebSocket URLs for each environment and for a REST base of our own."""

import base64
import json

import pytest
from binance_examples import ED25519_PEM, VECTOR_API_KEY, VECTOR_KEY, VECTOR_MS
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from exchange_tui.exchanges.base import Connection, Environment
from exchange_tui.exchanges.binance.client import BinanceClient, rest_urls
from exchange_tui.exchanges.binance.live import ws_urls_for
from exchange_tui.exchanges.binance.stream import PING_ID, BalanceStream, subscribe_request
from exchange_tui.models import Credentials


def test_the_subscription_is_the_reference_frame():
    frame = subscribe_request(VECTOR_KEY, VECTOR_MS, "1")
    assert json.dumps(frame, separators=(",", ":")) == (
        '{"id":"1","method":"userDataStream.subscribe.signature","params":{"apiKey":"'
        + VECTOR_API_KEY
        + '","timestamp":1700000000000,"signature":"00c94588a012feaade12a8cbf80b3c3de219102ed19552e0a3645dd022cf84e8"}}'
    )


def test_an_ed25519_subscription_is_signed_in_base64_over_the_sorted_params():
    frame = subscribe_request(Credentials(api_key=VECTOR_API_KEY, secret_key=ED25519_PEM), VECTOR_MS)
    signature = base64.b64decode(frame["params"]["signature"])
    public = load_pem_private_key(ED25519_PEM.encode(), password=None).public_key()
    public.verify(signature, f"apiKey={VECTOR_API_KEY}&timestamp={VECTOR_MS}".encode())


def test_the_ping_is_the_websocket_api_ping_request():
    assert json.loads(BalanceStream.ping) == {"id": PING_ID, "method": "ping"}


@pytest.fixture
async def client_for():
    clients = []

    def make(**connection):
        client = BinanceClient(VECTOR_KEY, connection=Connection(**connection))
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.mark.parametrize(
    ("connection", "expected"),
    [
        ({}, ("wss://ws-api.binance.com:443/ws-api/v3", "wss://fstream.binance.com/private/ws")),
        ({"demo_trading": True}, ("wss://demo-ws-api.binance.com/ws-api/v3", "wss://fstream.binancefuture.com/ws")),
        ({"testnet": True}, ("wss://ws-api.testnet.binance.vision/ws-api/v3", "wss://fstream.binancefuture.com/ws")),
    ],
)
async def test_binance_own_hosts_pair_with_their_environment_websockets(client_for, connection, expected):
    assert ws_urls_for(client_for(**connection)) == expected


async def test_a_rest_base_of_our_own_serves_the_websockets_on_itself(client_for):
    client = client_for(urls={"url": "http://127.0.0.1:8001", "futures_url": "http://127.0.0.1:8002"})
    assert (client.base_url, client.futures.base_url) == ("http://127.0.0.1:8001", "http://127.0.0.1:8002")
    assert ws_urls_for(client) == ("ws://127.0.0.1:8001/ws-api/v3", "ws://127.0.0.1:8002/private/ws")


async def test_one_base_of_our_own_serves_futures_too(client_for):
    client = client_for(urls={"url": "http://127.0.0.1:8001"})
    assert client.futures.base_url == "http://127.0.0.1:8001"
    assert ws_urls_for(client) == ("ws://127.0.0.1:8001/ws-api/v3", "ws://127.0.0.1:8001/private/ws")


async def test_websocket_settings_win(client_for):
    urls = {"url": "http://127.0.0.1:8001", "ws_api_url": "ws://proxy/a", "futures_ws_url": "ws://proxy/b"}
    assert ws_urls_for(client_for(urls=urls)) == ("ws://proxy/a", "ws://proxy/b")


def test_environments_of_a_base_of_our_own_are_under_a_prefix():
    urls = {"url": "http://127.0.0.1:8001"}
    assert rest_urls(Environment.DEMO, urls) == ("http://127.0.0.1:8001/demo", "http://127.0.0.1:8001/demo")
    assert rest_urls(Environment.TESTNET, {}) == ("https://testnet.binance.vision", "https://testnet.binancefuture.com")
    assert rest_urls(Environment.LIVE, {"url": "https://api.binance.com"}) == (
        "https://api.binance.com",
        "https://fapi.binance.com",
    )
