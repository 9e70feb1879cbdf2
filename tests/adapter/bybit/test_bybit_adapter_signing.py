"""The reference's signing vectors (reference/bybit-v5.md §8) pin our signer, and the client's requests as it
sends them; an RSA key's signature verifies with its public key (§2.1: RSA-SHA256, PKCS#1 v1.5, base64)."""

import base64
import json

import pytest
from bybit_support import VECTOR_API_KEY, VECTOR_EXPIRES, VECTOR_KEY, VECTOR_SECRET, VECTOR_TS, rsa_key
from pydantic import SecretStr

from exchange_tui.exchanges.bybit.signing import BadPrivateKey, headers, prehash, sign, ws_auth_signature
from exchange_tui.exchanges.bybit.stream import auth_message
from exchange_tui.models import Credentials, Reason

SECRET = SecretStr(VECTOR_SECRET)

VECTORS = [
    ("B1", "", "1700000000000AbCdEfGhIjKlMnOpQr5000", "ad8d0b414addaa0d6e4ddf9730c9b72b497a8a21e34b1108b2bd393c84074b26"),
    (
        "B2",
        "accountType=UNIFIED",
        "1700000000000AbCdEfGhIjKlMnOpQr5000accountType=UNIFIED",
        "b4fef2280c2152fe7ac56e5be48b8f1fa1ca958410281fa636de94d5e1ace703",
    ),
    (
        "B3",
        "accountType=FUND&coin=USDT",
        "1700000000000AbCdEfGhIjKlMnOpQr5000accountType=FUND&coin=USDT",
        "c2d989c8be86e0105c7a97808ae632ccb71ce9af51189a9ceab8bdbaa3f54241",
    ),
    (
        "B4",
        '{"accountType":"UNIFIED","coin":"USDT"}',
        '1700000000000AbCdEfGhIjKlMnOpQr5000{"accountType":"UNIFIED","coin":"USDT"}',
        "b609418fa2e4a3f543e91c861072a4b43ab073b969f6fc22994bce4ce99dddf8",
    ),
]


@pytest.mark.parametrize(("name", "payload", "expected_prehash", "expected"), VECTORS, ids=[v[0] for v in VECTORS])
def test_vector(name, payload, expected_prehash, expected):
    assert prehash(VECTOR_TS, VECTOR_API_KEY, payload) == expected_prehash
    assert sign(SECRET, expected_prehash) == expected


def test_the_b2_headers():
    assert headers(VECTOR_API_KEY, SECRET, VECTOR_TS, "accountType=UNIFIED") == {
        "X-BAPI-API-KEY": "AbCdEfGhIjKlMnOpQr",
        "X-BAPI-TIMESTAMP": "1700000000000",
        "X-BAPI-RECV-WINDOW": "5000",
        "X-BAPI-SIGN": "b4fef2280c2152fe7ac56e5be48b8f1fa1ca958410281fa636de94d5e1ace703",
    }


def test_the_websocket_auth_vector_and_frame():
    signature = "9e4a4a94822966c2021936baff6491254a6b78c1a554ed319c89d3b1adf1b14d"
    assert ws_auth_signature(SECRET, VECTOR_EXPIRES) == signature
    assert json.loads(auth_message(VECTOR_KEY, VECTOR_EXPIRES)) == json.loads(
        '{"op":"auth","args":["AbCdEfGhIjKlMnOpQr",1700000010000,'
        '"9e4a4a94822966c2021936baff6491254a6b78c1a554ed319c89d3b1adf1b14d"]}'
    )


def test_an_rsa_key_signs_pkcs1_v15_sha256_in_base64():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    pem, public = rsa_key()
    message = prehash(VECTOR_TS, VECTOR_API_KEY, "accountType=UNIFIED")
    signature = sign(SecretStr(pem), message)
    public.verify(base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256())
    assert sign(SecretStr(pem), message) == signature, "PKCS#1 v1.5 is deterministic"
    ws = ws_auth_signature(SecretStr(pem), VECTOR_EXPIRES)
    public.verify(base64.b64decode(ws), f"GET/realtime{VECTOR_EXPIRES}".encode(), padding.PKCS1v15(), hashes.SHA256())


def test_an_unreadable_private_key_says_so_without_the_key():
    broken = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"
    with pytest.raises(BadPrivateKey) as raised:
        sign(SecretStr(broken), "x")
    assert "not a key" not in str(raised.value)


async def test_the_client_signs_the_query_as_sent(answered):
    client, sent = answered()
    client.clock.clock = lambda: VECTOR_TS / 1000
    client.clock.offset_ms = 0
    await client.unified_balances()
    (request,) = sent
    assert request.url.raw_path == b"/v5/account/wallet-balance?accountType=UNIFIED"
    assert request.headers["X-BAPI-SIGN"] == "b4fef2280c2152fe7ac56e5be48b8f1fa1ca958410281fa636de94d5e1ace703"
    assert request.headers["X-BAPI-TIMESTAMP"] == "1700000000000"
    assert request.headers["X-BAPI-RECV-WINDOW"] == "5000"


async def test_commas_go_unencoded_and_are_signed_so(answered):
    client, sent = answered()
    client.clock.offset_ms = 0
    await client.request("GET", "/v5/asset/transfer/query-account-coins-balance", {"accountType": "FUND", "coin": "USDT,BTC"})
    request = sent[0]
    assert request.url.query == b"accountType=FUND&coin=USDT,BTC"
    stamp = int(request.headers["X-BAPI-TIMESTAMP"])
    assert request.headers["X-BAPI-SIGN"] == sign(SECRET, prehash(stamp, VECTOR_API_KEY, "accountType=FUND&coin=USDT,BTC"))


async def test_a_broken_private_key_fails_the_check_naming_the_secret(answered):
    client, sent = answered(credentials=Credentials(api_key=SecretStr(VECTOR_API_KEY), secret_key=SecretStr(
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"
    )))
    report = await client.check_key()
    assert not report.connected
    assert (report.error.reason, report.error.credential) == (Reason.SECRET_WRONG, "secret_key")
    assert "AAAA" not in report.model_dump_json()
