"""The published signing vectors (reference/bitget-v2.md §7) pin our signer, on what is really sent."""

import httpx
import pytest
from exchange_tui.exchanges.bitget.client import BitgetClient
from exchange_tui.exchanges.bitget.signing import prehash, query_string, ws_login_signature
from exchange_tui.models import Credentials

VECTOR_KEY = Credentials(
    api_key="bg_0123456789abcdef0123456789abcdef",
    secret_key="0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
    passphrase="Passphrase123",
)

VECTORS = [
    ("V1", 1700000000000, "GET", "/api/v2/spot/account/info", {}, b"", "B6FKg55UpjHTudgVp52Llzm5Gqf25UZ1vrsX3gUHk84="),
    (
        "V2",
        1700000000000,
        "GET",
        "/api/v2/mix/account/accounts",
        {"productType": "USDT-FUTURES"},
        b"",
        "4ork0kV/xQZTLVsPECGoCJNMPjzWzMhKfv0+OV8IjsE=",
    ),
    (
        "V3",
        1700000000123,
        "GET",
        "/api/v2/spot/account/assets",
        {"coin": "USDT", "assetType": "hold_only"},
        b"",
        "cWZZUSvPWxjHTFrwwtsDjzEc6ruLNL0iISZpujm6C6I=",
    ),
    (
        "V4",
        1700000000456,
        "POST",
        "/api/v2/spot/wallet/transfer",
        {},
        b'{"fromType":"spot","toType":"usdt_futures","amount":"10","coin":"USDT"}',
        "z9YfSmFyZyH4aYSXCdgUDcK2ZVIPQn+8dgJI82+OOIA=",
    ),
]


@pytest.mark.parametrize(("name", "ts", "method", "path", "params", "body", "expected"), VECTORS, ids=[v[0] for v in VECTORS])
async def test_vector_signed_as_sent(name, ts, method, path, params, body, expected):
    client = BitgetClient(VECTOR_KEY, base_url="http://127.0.0.1:9", clock=lambda: ts / 1000)
    try:
        target = path + ("?" + query_string(params) if params else "")
        request = httpx.Request(method, "http://127.0.0.1:9" + target, content=body)
        client.sign(request)
        signed = request
    finally:
        await client.aclose()
    assert signed.headers["ACCESS-SIGN"] == expected
    assert signed.headers["ACCESS-TIMESTAMP"] == str(ts)
    assert signed.headers["ACCESS-KEY"] == "bg_0123456789abcdef0123456789abcdef"
    assert signed.headers["ACCESS-PASSPHRASE"] == "Passphrase123"
    assert "paptrading" not in signed.headers


def test_v3_query_is_sorted_and_sent_in_the_signed_order():
    assert query_string({"coin": "USDT", "assetType": "hold_only"}) == "assetType=hold_only&coin=USDT"


def test_query_values_are_signed_decoded_and_sent_encoded():
    wire = query_string({"symbol": "$DEGENUSDT"})
    assert wire == "symbol=%24DEGENUSDT"
    assert prehash("1", "GET", "/api/x?" + wire) == "1GET/api/x?symbol=$DEGENUSDT"


def test_websocket_login_vector():
    assert ws_login_signature(VECTOR_KEY.secret_key, "1700000000") == "7tUBO/iMUNawthzys0GLwkIDPPzc4nlPr4R61AVqKlQ="


async def test_demo_trading_key_sends_paptrading():
    client = BitgetClient(VECTOR_KEY, base_url="http://127.0.0.1:9", demo_trading=True)
    try:
        signed = httpx.Request("GET", "http://127.0.0.1:9/api/v2/spot/account/info")
        client.sign(signed)
    finally:
        await client.aclose()
    assert signed.headers["paptrading"] == "1"
