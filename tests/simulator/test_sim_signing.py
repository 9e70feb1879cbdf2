"""Signature verification and the order of the authentication checks, without HTTP.

The expected signatures are the literal strings published in reference/bitget-v2.md §7.
"""

import json

import pytest
from sim_requests import VECTOR_ACCOUNT, hmac_base64, signed_headers
from starlette.datastructures import Headers

from exchange_tui.simulator.bitget.accounts import demo_accounts
from exchange_tui.simulator.bitget.auth import (
    FUTURES_READ,
    SPOT_READ,
    UTA_READ,
    SignedRequest,
    authenticate,
    authorize,
    prehashes,
    signature_matches,
)
from exchange_tui.simulator.bitget.errors import BitgetError

SECRET = VECTOR_ACCOUNT.secret_key
ASSETS = "/api/v2/spot/account/assets"
TRANSFER = "/api/v2/spot/wallet/transfer"
V4_BODY = b'{"fromType":"spot","toType":"usdt_futures","amount":"10","coin":"USDT"}'
VECTORS = [
    ("1700000000000", "GET", "/api/v2/spot/account/info", b"", b"", "B6FKg55UpjHTudgVp52Llzm5Gqf25UZ1vrsX3gUHk84="),
    (
        "1700000000000",
        "GET",
        "/api/v2/mix/account/accounts",
        b"productType=USDT-FUTURES",
        b"",
        "4ork0kV/xQZTLVsPECGoCJNMPjzWzMhKfv0+OV8IjsE=",
    ),
    (
        "1700000000123",
        "GET",
        ASSETS,
        b"assetType=hold_only&coin=USDT",
        b"",
        "cWZZUSvPWxjHTFrwwtsDjzEc6ruLNL0iISZpujm6C6I=",
    ),
    ("1700000000456", "POST", TRANSFER, b"", V4_BODY, "z9YfSmFyZyH4aYSXCdgUDcK2ZVIPQn+8dgJI82+OOIA="),
]
ACCOUNTS = {a.label: a for a in (*demo_accounts(), VECTOR_ACCOUNT)}
NOW = 1_700_000_000_000


@pytest.mark.parametrize("vector", VECTORS, ids=["V1", "V2", "V3", "V4"])
def test_published_vectors_verify(vector):
    timestamp, method, path, query, body, signature = vector
    assert signature_matches(SECRET, signature, timestamp, method, path, query, body)


def test_ws_login_vector_uses_the_same_hmac():
    assert hmac_base64(SECRET, "1700000000GET/user/verify") == "7tUBO/iMUNawthzys0GLwkIDPPzc4nlPr4R61AVqKlQ="


def test_the_test_signer_reproduces_the_vectors():
    for timestamp, method, path, query, body, signature in VECTORS:
        target = path + ("?" + query.decode() if query else "")
        headers = signed_headers(VECTOR_ACCOUNT, method, target, body, timestamp=timestamp)
        assert headers["ACCESS-SIGN"] == signature


def test_query_is_verified_in_the_order_it_arrived():
    sorted_sign = "cWZZUSvPWxjHTFrwwtsDjzEc6ruLNL0iISZpujm6C6I="
    unsorted = b"coin=USDT&assetType=hold_only"
    assert not signature_matches(SECRET, sorted_sign, "1700000000123", "GET", ASSETS, unsorted, b"")
    unsorted_sign = hmac_base64(SECRET, "1700000000123GET/api/v2/spot/account/assets?coin=USDT&assetType=hold_only")
    assert signature_matches(SECRET, unsorted_sign, "1700000000123", "GET", ASSETS, unsorted, b"")


@pytest.mark.parametrize(
    ("wire", "signed"),
    [
        (b"symbol=%24DEGENUSDT", "symbol=$DEGENUSDT"),
        (b"symbol=%E9%BE%99%E8%99%BEUSDT", "symbol=龙虾USDT"),
        (b"symbol=%24DEGENUSDT", "symbol=%24DEGENUSDT"),
        (b"note=a+b", "note=a b"),
        (b"note=a+b", "note=a+b"),
    ],
    ids=["dollar-decoded", "non-ascii-decoded", "as-on-the-wire", "plus-as-space", "plus-kept"],
)
def test_accepted_query_forms(wire, signed):
    signature = hmac_base64(SECRET, f"{NOW}GET/api/v2/spot/account/assets?{signed}")
    assert signature_matches(SECRET, signature, str(NOW), "GET", ASSETS, wire, b"")


def test_a_query_signed_in_another_encoding_than_sent_is_refused():
    signature = hmac_base64(SECRET, f"{NOW}GET/api/v2/spot/account/assets?symbol=%24DEGENUSDT")
    assert not signature_matches(SECRET, signature, str(NOW), "GET", ASSETS, b"symbol=$DEGENUSDT", b"")


def test_body_is_verified_byte_for_byte():
    spaced = json.dumps({"fromType": "spot", "toType": "usdt_futures", "amount": "10", "coin": "USDT"}).encode()
    assert b", " in spaced
    spaced_sign = hmac_base64(SECRET, b"1700000000456POST/api/v2/spot/wallet/transfer" + spaced)
    assert signature_matches(SECRET, spaced_sign, "1700000000456", "POST", TRANSFER, b"", spaced)
    compact_sign = VECTORS[3][5]
    assert not signature_matches(SECRET, compact_sign, "1700000000456", "POST", TRANSFER, b"", spaced)


def test_empty_query_adds_no_question_mark():
    assert prehashes("1", "GET", "/api/x", b"", b"") == [b"1GET/api/x"]


def request(label="demo", *, drop=(), change=None, target="/api/v2/spot/account/info", ip="127.0.0.1", **signing):
    account = ACCOUNTS[label]
    headers = signed_headers(account, "GET", target, timestamp=signing.pop("timestamp", NOW), **signing)
    for name in drop:
        del headers[name]
    headers.update(change or {})
    path, _, query = target.partition("?")
    return SignedRequest("GET", path, query.encode(), b"", Headers(headers), ip)


def refusal(signed, now=NOW):
    with pytest.raises(BitgetError) as caught:
        authenticate(signed, lambda key: next((a for a in ACCOUNTS.values() if a.api_key == key), None), now)
    return caught.value.code


def test_a_correct_request_authenticates():
    find = {a.api_key: a for a in ACCOUNTS.values()}.get
    assert authenticate(request(), find, NOW).label == "demo"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ({"drop": ["ACCESS-KEY"]}, "40001"),
        ({"change": {"ACCESS-KEY": ""}}, "40001"),
        ({"drop": ["ACCESS-SIGN"]}, "40002"),
        ({"drop": ["ACCESS-PASSPHRASE"]}, "40011"),
        ({"drop": ["ACCESS-TIMESTAMP"]}, "40005"),
        ({"change": {"ACCESS-TIMESTAMP": "1700000000.5"}}, "40005"),
        ({"change": {"ACCESS-TIMESTAMP": "-1700000000000"}}, "40005"),
        ({"timestamp": NOW - 30_001}, "40008"),
        ({"timestamp": NOW + 30_001}, "40008"),
        ({"timestamp": NOW // 1000}, "40008"),
        ({"change": {"ACCESS-KEY": "bg_" + "0" * 32}}, "40037"),
        ({"change": {"ACCESS-PASSPHRASE": "NotThePassphrase1"}}, "40012"),
        ({"change": {"ACCESS-SIGN": hmac_base64("0" * 64, "x")}}, "40009"),
        ({"label": "demo-ip-bound"}, "40018"),
        ({"paptrading": True}, "40099"),
        ({"label": "demo-trading"}, "40099"),
    ],
)
def test_each_refusal(case, code):
    assert refusal(request(**case)) == code


def test_timestamp_window_is_inclusive():
    find = {a.api_key: a for a in ACCOUNTS.values()}.get
    for timestamp in (NOW - 30_000, NOW + 30_000):
        assert authenticate(request(timestamp=timestamp), find, NOW).label == "demo"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ({"drop": ["ACCESS-KEY", "ACCESS-SIGN", "ACCESS-PASSPHRASE", "ACCESS-TIMESTAMP"]}, "40001"),
        ({"drop": ["ACCESS-SIGN", "ACCESS-PASSPHRASE"]}, "40002"),
        ({"drop": ["ACCESS-PASSPHRASE", "ACCESS-TIMESTAMP"]}, "40011"),
        ({"change": {"ACCESS-TIMESTAMP": "soon", "ACCESS-KEY": "bg_" + "0" * 32}}, "40005"),
        ({"timestamp": 1, "change": {"ACCESS-KEY": "bg_" + "0" * 32}}, "40008"),
        ({"change": {"ACCESS-KEY": "bg_" + "0" * 32, "ACCESS-PASSPHRASE": "x"}}, "40037"),
        ({"change": {"ACCESS-PASSPHRASE": "NotThePassphrase1", "ACCESS-SIGN": "AAAA"}}, "40012"),
        ({"label": "demo-ip-bound", "change": {"ACCESS-SIGN": "AAAA"}}, "40009"),
        ({"label": "demo-ip-bound", "paptrading": True}, "40018"),
    ],
)
def test_the_first_failing_check_answers(case, code):
    assert refusal(request(**case)) == code


def test_header_names_are_case_insensitive():
    signed = request("demo-trading", paptrading=True)
    lower = SignedRequest(
        signed.method,
        signed.path,
        signed.query,
        b"",
        Headers({name.lower() if name != "paptrading" else "PAPTRADING": v for name, v in signed.headers.items()}),
        signed.client_ip,
    )
    assert authenticate(lower, {a.api_key: a for a in ACCOUNTS.values()}.get, NOW).label == "demo-trading"


def test_whitelisted_ip_passes_also_as_ipv4_mapped_ipv6():
    find = {a.api_key: a for a in ACCOUNTS.values()}.get
    assert authenticate(request("demo-ip-bound", ip="203.0.113.7"), find, NOW).label == "demo-ip-bound"
    assert authenticate(request("demo-ip-bound", ip="::ffff:203.0.113.7"), find, NOW).label == "demo-ip-bound"
    assert authenticate(request("demo-withdraw", ip="::1"), find, NOW).label == "demo-withdraw"


def authorize_code(label, api, permission):
    with pytest.raises(BitgetError) as caught:
        authorize(ACCOUNTS[label], api, permission)
    return caught.value.code, caught.value.msg


def test_account_mode_comes_before_permission():
    assert authorize_code("demo-unified", "classic", SPOT_READ)[0] == "40085"
    assert authorize_code("demo-unified", "classic-info", SPOT_READ)[0] == "40085"
    assert authorize_code("demo-spot-only", "unified", UTA_READ)[0] == "40084"


def test_missing_permission_is_named_in_plain_words():
    assert authorize_code("demo-spot-only", "classic", FUTURES_READ) == (
        "40014",
        "Incorrect permissions, need futures read permissions",
    )
    authorize(ACCOUNTS["demo-readonly"], "classic", FUTURES_READ)
    authorize(ACCOUNTS["demo-unified"], "unified", UTA_READ)
