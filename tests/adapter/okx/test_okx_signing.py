"""The reference's signing vectors (reference/okx-v5.md §8) pin our signer, and the client's requests
as they arrive on the wire."""

import pytest

from exchange_tui.exchanges.okx.client import OkxClient
from exchange_tui.exchanges.okx.signing import prehash, sign, timestamp, ws_login_signature
from exchange_tui.models import Credentials, Reason

from okx_support import OWS, VECTOR_EPOCH_S, VECTOR_KEY

TS = "2023-11-14T22:13:20.000Z"
BODY = '{"ccy":"USDT","amt":"10","from":"6","to":"18"}'

VECTORS = [
    ("O1", "GET", "/api/v5/account/config", "", "IsTa9OVS3J+tmSfDl42a9PVXhEkC0j/KJ8261xFI9sM="),
    ("O2", "GET", "/api/v5/account/balance?ccy=BTC%2CUSDT", "", "I2jzONaBpa4SYEYK5YqShQFisLsGVwTvaD8WQ8Mr3d8="),
    ("O2raw", "GET", "/api/v5/account/balance?ccy=BTC,USDT", "", "ZkN4CGy/CeFkomGku4VWFRdWFct17pXfHPo17v1iLlI="),
    ("O3", "GET", "/api/v5/asset/balances?ccy=USDT", "", "4yV7HpC9O1m/hcmM4qptLdUYETiHhrR6lQV0BVcXwFc="),
    ("O4", "POST", "/api/v5/asset/transfer", BODY, "zpElzogMzNgYYiV7Oin+kutfkYJaMWJqgUpZKcds0mU="),
]


def test_the_timestamp_is_iso_with_milliseconds_and_z():
    assert timestamp(VECTOR_EPOCH_S * 1000) == TS
    assert timestamp(VECTOR_EPOCH_S * 1000 + 7) == "2023-11-14T22:13:20.007Z"


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), VECTORS, ids=[v[0] for v in VECTORS])
def test_vector(name, method, path, body, expected):
    message = prehash(TS, method, path, body)
    assert message == TS + method + path + body
    assert sign(VECTOR_KEY.secret_key, message) == expected


def test_websocket_login_vector():
    assert ws_login_signature(VECTOR_KEY.secret_key, str(VECTOR_EPOCH_S)) == OWS


async def _vector_client(base_url: str, **options) -> OkxClient:
    """A client on the vector's instant, its clock synced to a server that says the same instant."""
    client = OkxClient(VECTOR_KEY, base_url=base_url, clock=lambda: VECTOR_EPOCH_S, **options)
    await client.ensure_clock()
    assert client.clock_offset_ms == 0
    return client


async def test_o1_as_sent(recorder):
    url, sent = recorder
    async with await _vector_client(url) as client:
        await client.account_config()
    request = sent[-1]
    assert (request.method, request.target, request.body) == ("GET", "/api/v5/account/config", b"")
    assert request.headers["ok-access-key"] == "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    assert request.headers["ok-access-sign"] == "IsTa9OVS3J+tmSfDl42a9PVXhEkC0j/KJ8261xFI9sM="
    assert request.headers["ok-access-timestamp"] == TS
    assert request.headers["ok-access-passphrase"] == "Passphrase123!"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-simulated-trading"] == "0"


async def test_o2_query_is_sent_and_signed_percent_encoded(recorder):
    url, sent = recorder
    async with await _vector_client(url) as client:
        await client.request("GET", "/api/v5/account/balance", {"ccy": "BTC,USDT"})
    assert sent[-1].target == "/api/v5/account/balance?ccy=BTC%2CUSDT"
    assert sent[-1].headers["ok-access-sign"] == "I2jzONaBpa4SYEYK5YqShQFisLsGVwTvaD8WQ8Mr3d8="


async def test_o4_body_is_sent_as_signed(recorder):
    url, sent = recorder
    async with await _vector_client(url) as client:
        await client.request("POST", "/api/v5/asset/transfer", body=BODY)
    assert (sent[-1].method, sent[-1].body) == ("POST", BODY.encode())
    assert sent[-1].headers["ok-access-sign"] == "zpElzogMzNgYYiV7Oin+kutfkYJaMWJqgUpZKcds0mU="


async def test_a_demo_trading_key_says_so_on_every_request(recorder):
    url, sent = recorder
    async with await _vector_client(url, demo_trading=True) as client:
        await client.account_config()
        await client.spot_tickers()
    assert [r.headers["x-simulated-trading"] for r in sent] == ["1", "1", "1"]
    assert sent[-2].headers["ok-access-sign"] == "IsTa9OVS3J+tmSfDl42a9PVXhEkC0j/KJ8261xFI9sM="


async def test_public_calls_are_not_signed(recorder):
    url, sent = recorder
    async with await _vector_client(url) as client:
        await client.spot_tickers()
    assert sorted(r.target for r in sent) == ["/api/v5/market/tickers?instType=SPOT", "/api/v5/public/time"]
    assert not any(name.startswith("ok-access") for r in sent for name in r.headers)


async def test_a_key_without_its_passphrase_is_not_sent(recorder):
    url, sent = recorder
    key = Credentials(api_key=VECTOR_KEY.api_key, secret_key=VECTOR_KEY.secret_key)
    async with OkxClient(key, base_url=url) as client:
        report = await client.check_key()
    assert (report.connected, report.error.reason, report.error.credential) == (False, Reason.CREDENTIAL_MISSING, "passphrase")
    assert sorted(r.target for r in sent) == ["/api/v5/market/tickers?instType=SPOT", "/api/v5/public/time"]
