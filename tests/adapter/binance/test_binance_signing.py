"""Binance signing, pinned by every vector of reference/binance.md §2.1, §7.1 and §8, and the request
lines as the client puts them on the wire."""

import base64
from urllib.parse import quote

import httpx
import pytest
from binance_examples import ED25519_PEM, ED25519_PUBLIC_PEM, VECTOR_API_KEY, VECTOR_KEY, VECTOR_MS, VECTOR_SECRET
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import SecretStr

from exchange_tui.exchanges.binance import signing
from exchange_tui.exchanges.binance.client import BinanceClient
from exchange_tui.exchanges.binance.signing import KeyType, UnusableKey, key_type, rest_payload, sign, ws_payload
from exchange_tui.models import Credentials

SECRET = SecretStr(VECTOR_SECRET)

REST_VECTORS = [
    ("timestamp=1700000000000&recvWindow=5000", "1e007ef2535aaa12a2584e410f756c0f06b159ddad46fe71baa45f1ec8c7f9ec"),
    (
        "timestamp=1700000000000&omitZeroBalances=true&recvWindow=5000",
        "b4506f87914212f7bba227174dc769482f8935aaa63d6c36f856a9e1c6c6ecbf",
    ),
    ("timestamp=1700000000000&asset=USDT&recvWindow=5000", "4f554907e19b1d6c342094a2c099722a95574ffc38f89ac8f1f55fc953bf769e"),
    (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
    ),
]
"""N1 (and N3, the same payload on the futures host), N2, N4, and the docs' own §2.1 vector."""

NED = "gp4vz1w8p0e3I3aOb3pDGRjjfvIHTIBqwEXoRDB8bzFaxRRwkOsMBJxBud0d80pQiP2Bsjuj+HTWZQYyr5VADg=="
NED_IN_URL = "gp4vz1w8p0e3I3aOb3pDGRjjfvIHTIBqwEXoRDB8bzFaxRRwkOsMBJxBud0d80pQiP2Bsjuj%2BHTWZQYyr5VADg%3D%3D"


@pytest.mark.parametrize(("payload", "signature"), REST_VECTORS)
def test_the_rest_vectors(payload, signature):
    assert sign(SECRET, payload) == signature


def test_the_docs_non_ascii_vector_signs_the_percent_encoded_string():
    payload = (
        f"symbol={quote('１２３４５６')}&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
        "&recvWindow=5000&timestamp=1499827319559"
    )
    assert payload.startswith("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&")
    assert sign(SECRET, payload) == "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"


def test_the_payload_is_the_query_then_the_body_without_a_separator():
    assert rest_payload("timestamp=1700000000000", "&asset=USDT&recvWindow=5000") == REST_VECTORS[2][0]
    assert rest_payload(REST_VECTORS[0][0]) == REST_VECTORS[0][0]


def test_the_websocket_vector_sorts_the_params():
    params = {"timestamp": VECTOR_MS, "apiKey": VECTOR_API_KEY}
    assert ws_payload(params) == f"apiKey={VECTOR_API_KEY}&timestamp=1700000000000"
    assert sign(SECRET, ws_payload(params)) == "00c94588a012feaade12a8cbf80b3c3de219102ed19552e0a3645dd022cf84e8"


def test_the_docs_websocket_vector():
    params = {
        "symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01000000",
        "price": "52000.00", "recvWindow": 100, "timestamp": 1645423376532, "apiKey": VECTOR_API_KEY,
        "signature": "left out",
    }
    assert sign(SECRET, ws_payload(params)) == "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"


def test_the_ed25519_vector():
    secret = SecretStr(ED25519_PEM)
    assert key_type(secret) is KeyType.ED25519
    assert sign(secret, REST_VECTORS[0][0]) == NED


def test_an_rsa_key_signs_pkcs1_v15_sha256_in_base64():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    secret = SecretStr(pem.decode())
    assert key_type(secret) is KeyType.RSA
    signature = base64.b64decode(sign(secret, REST_VECTORS[0][0]))
    key.public_key().verify(signature, REST_VECTORS[0][0].encode(), padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize("pem", [ED25519_PUBLIC_PEM, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
def test_a_pem_that_is_no_private_key_is_unusable_and_says_nothing_of_it(pem):
    with pytest.raises(UnusableKey) as raised:
        sign(SecretStr(pem), "x")
    assert "AAAA" not in str(raised.value) and "MCow" not in str(raised.value)


def test_hmac_is_the_key_type_of_a_plain_secret():
    assert key_type(SECRET) is KeyType.HMAC


class Recorder:
    def __init__(self):
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={})


@pytest.fixture
async def wire():
    """``wire(credentials)``: a client on a fixed clock whose spot and futures hosts record each request."""
    clients = []

    def make(credentials=VECTOR_KEY):
        client = BinanceClient(credentials, clock=lambda: VECTOR_MS / 1000)
        recorder = Recorder()
        for rest in (client, client.futures):
            rest._http._transport = httpx.MockTransport(recorder)
            rest.clock.offset_ms = 0
        clients.append(client)
        return client, recorder

    yield make
    for client in clients:
        await client.aclose()


async def test_n1_goes_on_the_wire_as_the_reference_writes_it(wire):
    client, sent = wire()
    await client.api_restrictions()
    (request,) = sent.requests
    assert str(request.url) == (
        "https://api.binance.com/sapi/v1/account/apiRestrictions?timestamp=1700000000000&recvWindow=5000"
        "&signature=1e007ef2535aaa12a2584e410f756c0f06b159ddad46fe71baa45f1ec8c7f9ec"
    )
    assert request.headers[signing.API_KEY_HEADER] == VECTOR_API_KEY


async def test_n2_puts_the_params_between_timestamp_and_recv_window(wire):
    client, sent = wire()
    await client.account()
    assert sent.requests[0].url.query.decode() == REST_VECTORS[1][0] + "&signature=" + REST_VECTORS[1][1]


async def test_n3_is_n1_on_the_futures_host(wire):
    client, sent = wire()
    sent_rows = await client.futures.request("GET", "/fapi/v3/balance")
    assert sent_rows == {}
    assert str(sent.requests[0].url) == (
        "https://fapi.binance.com/fapi/v3/balance?timestamp=1700000000000&recvWindow=5000&signature=" + REST_VECTORS[0][1]
    )


async def test_an_ed25519_signature_is_percent_encoded_in_the_url(wire):
    client, sent = wire(Credentials(api_key=VECTOR_API_KEY, secret_key=ED25519_PEM))
    await client.api_restrictions()
    assert sent.requests[0].url.query.decode().endswith("&signature=" + NED_IN_URL)


async def test_a_listen_key_carries_the_api_key_and_no_signature(wire):
    client, sent = wire()
    await client.futures.request("POST", "/fapi/v1/listenKey")
    (request,) = sent.requests
    assert request.url.query == b"" and request.headers[signing.API_KEY_HEADER] == VECTOR_API_KEY


async def test_a_listen_key_under_a_base_path_is_still_unsigned(wire):
    client, sent = wire()
    client.futures.point_at("http://127.0.0.1:9/demo")
    client.futures.clock.offset_ms = 0
    await client.futures.request("POST", "/fapi/v1/listenKey")
    assert sent.requests[0].url.path == "/demo/fapi/v1/listenKey" and sent.requests[0].url.query == b""


async def test_public_prices_carry_no_key(wire):
    client, sent = wire()
    await client.prices()
    assert signing.API_KEY_HEADER not in sent.requests[0].headers and sent.requests[0].url.query == b""
