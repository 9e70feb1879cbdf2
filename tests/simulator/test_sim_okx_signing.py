"""The OKX simulator's verifier against the reference's vectors O1–OWS (okx-v5.md §8)."""

import pytest
from starlette.datastructures import Headers

from exchange_tui.simulator.core.signing import sign
from exchange_tui.simulator.okx.auth import SignedRequest, iso_ms, prehashes, signature_matches

SECRET = "0123456789ABCDEF0123456789ABCDEF"
TS = "2023-11-14T22:13:20.000Z"
TRANSFER_BODY = b'{"ccy":"USDT","amt":"10","from":"6","to":"18"}'

VECTORS = [
    ("O1", "GET", b"/api/v5/account/config", b"", b"", "IsTa9OVS3J+tmSfDl42a9PVXhEkC0j/KJ8261xFI9sM="),
    ("O2", "GET", b"/api/v5/account/balance", b"ccy=BTC%2CUSDT", b"", "I2jzONaBpa4SYEYK5YqShQFisLsGVwTvaD8WQ8Mr3d8="),
    ("O2raw", "GET", b"/api/v5/account/balance", b"ccy=BTC,USDT", b"", "ZkN4CGy/CeFkomGku4VWFRdWFct17pXfHPo17v1iLlI="),
    ("O3", "GET", b"/api/v5/asset/balances", b"ccy=USDT", b"", "4yV7HpC9O1m/hcmM4qptLdUYETiHhrR6lQV0BVcXwFc="),
    ("O4", "POST", b"/api/v5/asset/transfer", b"", TRANSFER_BODY, "zpElzogMzNgYYiV7Oin+kutfkYJaMWJqgUpZKcds0mU="),
]


def request(method, path, query, body):
    return SignedRequest(method, path, query, body, Headers({}), "127.0.0.1")


@pytest.mark.parametrize(("name", "method", "path", "query", "body", "signature"), VECTORS, ids=[v[0] for v in VECTORS])
def test_the_reference_vectors_verify(name, method, path, query, body, signature):
    assert signature_matches(SECRET, signature, TS, request(method, path, query, body))
    assert sign(SECRET, prehashes(TS, method, path, query, body)[0]) == signature


def test_the_websocket_login_vector():
    assert sign(SECRET, b"1700000000GET/users/self/verify") == "Ikt+m8H9a4a71m253i8fzxPPDMmTxHlL+yYR4ULQnlc="


def test_each_query_form_verifies_against_what_was_sent():
    """(a): ccxt's %2C and python-okx's raw comma each verify as received; the raw form is also accepted for
    a %2C query (the decoded form, "harmless"), but a %2C signature never verifies a raw-comma request."""
    encoded, raw = VECTORS[1][5], VECTORS[2][5]
    assert signature_matches(SECRET, raw, TS, request("GET", b"/api/v5/account/balance", b"ccy=BTC%2CUSDT", b""))
    assert not signature_matches(SECRET, encoded, TS, request("GET", b"/api/v5/account/balance", b"ccy=BTC,USDT", b""))


def test_a_wrong_secret_body_or_method_does_not_verify():
    assert not signature_matches("F" * 32, VECTORS[0][5], TS, request("GET", b"/api/v5/account/config", b"", b""))
    spaced = b'{"ccy": "USDT", "amt": "10", "from": "6", "to": "18"}'
    assert not signature_matches(SECRET, VECTORS[4][5], TS, request("POST", b"/api/v5/asset/transfer", b"", spaced))
    assert not signature_matches(SECRET, VECTORS[0][5], TS, request("POST", b"/api/v5/account/config", b"", b""))


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (TS, 1_700_000_000_000),
        ("2020-12-08T09:08:57.715Z", 1_607_418_537_715),
        ("1700000000000", None),
        ("2023-11-14T22:13:20Z", None),
        ("2023-11-14T22:13:20.000+00:00", None),
        ("2023-13-14T22:13:20.000Z", None),
    ],
)
def test_only_iso_milliseconds_with_z_is_a_timestamp(timestamp, expected):
    assert iso_ms(timestamp) == expected


def test_a_keys_repr_shows_no_secret():
    from exchange_tui.simulator.okx import demo_accounts

    account = demo_accounts()[0]
    assert account.secret_key not in repr(account) and account.passphrase not in repr(account)
