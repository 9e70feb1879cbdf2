"""The Bybit simulator's own verifier on the reference's §8 vectors and edge cases (a)–(c), HMAC and RSA."""

import base64

import httpx
import pytest
from bybit_requests import bybit_error, signature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from exchange_tui.simulator import SimulatorServer
from exchange_tui.simulator.bybit import SimAccount, SimulatorState
from exchange_tui.simulator.bybit.auth import hmac_hex, rsa_public_numbers, rsa_verifies
from exchange_tui.simulator.core.clock import ManualClock

KEY, SECRET, TS = "AbCdEfGhIjKlMnOpQr", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", 1700000000000
VECTORS = [
    ("B1", "1700000000000AbCdEfGhIjKlMnOpQr5000", "ad8d0b414addaa0d6e4ddf9730c9b72b497a8a21e34b1108b2bd393c84074b26"),
    ("B2", "1700000000000AbCdEfGhIjKlMnOpQr5000accountType=UNIFIED",
     "b4fef2280c2152fe7ac56e5be48b8f1fa1ca958410281fa636de94d5e1ace703"),
    ("B3", "1700000000000AbCdEfGhIjKlMnOpQr5000accountType=FUND&coin=USDT",
     "c2d989c8be86e0105c7a97808ae632ccb71ce9af51189a9ceab8bdbaa3f54241"),
    ("B4", '1700000000000AbCdEfGhIjKlMnOpQr5000{"accountType":"UNIFIED","coin":"USDT"}',
     "b609418fa2e4a3f543e91c861072a4b43ab073b969f6fc22994bce4ce99dddf8"),
    ("BWS", "GET/realtime1700000010000", "9e4a4a94822966c2021936baff6491254a6b78c1a554ed319c89d3b1adf1b14d"),
]


@pytest.mark.parametrize(("name", "prehash", "expected"), VECTORS, ids=[v[0] for v in VECTORS])
def test_the_reference_vectors(name, prehash, expected):
    assert hmac_hex(SECRET, prehash.encode()) == expected


@pytest.fixture
async def vectors():
    """A server whose clock stands at the vectors' timestamp, with the vectors' key."""
    account = SimAccount(label="vectors", uid="100", api_key=KEY, secret_key=SECRET,
                         unified=[{"coin": "USDT", "walletBalance": "1"}], fund=[{"coin": "USDT", "walletBalance": "2"}])
    async with SimulatorServer(SimulatorState([account], clock=ManualClock(TS), also_serve=())) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            yield server, http


def headers(sign: str, ts: int = TS) -> dict[str, str]:
    return {"X-BAPI-API-KEY": KEY, "X-BAPI-TIMESTAMP": str(ts), "X-BAPI-RECV-WINDOW": "5000", "X-BAPI-SIGN": sign}


async def test_b1_to_b3_verify_on_the_wire(vectors):
    _, http = vectors
    for target, (_, _, sign) in (
        ("/v5/user/query-api", VECTORS[0]),
        ("/v5/account/wallet-balance?accountType=UNIFIED", VECTORS[1]),
        ("/v5/asset/transfer/query-account-coins-balance?accountType=FUND&coin=USDT", VECTORS[2]),
    ):
        answer = (await http.get(target, headers=headers(sign))).json()
        assert answer["retCode"] == 0, (target, answer)


async def test_the_other_query_order_verifies_only_against_itself(vectors):
    """§8 (b): PYBIT's sorted ``coin=USDT&accountType=FUND`` is a different prehash."""
    _, http = vectors
    target = "/v5/asset/transfer/query-account-coins-balance?coin=USDT&accountType=FUND"
    wrong = await http.get(target, headers=headers(VECTORS[2][2]))
    assert bybit_error(wrong)[1] == 10004
    sign = hmac_hex(SECRET, f"{TS}{KEY}5000coin=USDT&accountType=FUND".encode())
    assert (await http.get(target, headers=headers(sign))).json()["retCode"] == 0


async def test_b4_and_a_spaced_body_verify_against_their_own_bytes(vectors):
    """§8 (c): the raw body is signed; B4's signature does not fit PYBIT's spaced JSON."""
    _, http = vectors
    compact = (
        '{"transferId":"3f1b2c4d-0000-4000-8000-000000000001","coin":"USDT","amount":"1",'
        '"fromAccountType":"FUND","toAccountType":"UNIFIED"}'
    )
    spaced = compact.replace(":", ": ").replace(",", ", ")
    path = "/v5/asset/transfer/inter-transfer"
    for body in (compact, spaced):
        sign = hmac_hex(SECRET, f"{TS}{KEY}5000{body}".encode())
        assert (await http.post(path, content=body, headers=headers(sign))).json()["retCode"] == 0
    compact_sign = hmac_hex(SECRET, f"{TS}{KEY}5000{compact}".encode())
    assert bybit_error(await http.post(path, content=spaced, headers=headers(compact_sign)))[1] == 10004


async def test_the_window_is_recv_window_behind_and_one_second_ahead(vectors):
    """§8 (a): ``server + 1000`` fails, ``server - 5000`` passes."""
    _, http = vectors
    for ts, code in ((TS - 5000, 0), (TS + 999, 0), (TS + 1000, 10002), (TS - 5001, 10002)):
        sign = hmac_hex(SECRET, f"{ts}{KEY}5000".encode())
        answer = (await http.get("/v5/user/query-api", headers=headers(sign, ts))).json()
        assert answer["retCode"] == code, ts
    assert "recv_window[5000]" in answer["retMsg"] and f"server_timestamp[{TS}]" in answer["retMsg"]


def test_rsa_signatures_verify_with_the_public_key_only():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = private.public_key()
    spki = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    pkcs1 = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()
    numbers = public.public_numbers()
    assert rsa_public_numbers(spki) == rsa_public_numbers(pkcs1) == (numbers.n, numbers.e)
    sign = signature(pem, "1700000000000AbCdEfGhIjKlMnOpQr5000")
    assert rsa_verifies(spki, b"1700000000000AbCdEfGhIjKlMnOpQr5000", sign)
    assert not rsa_verifies(spki, b"1700000000000AbCdEfGhIjKlMnOpQr5001", sign)
    assert not rsa_verifies(spki, b"1700000000000AbCdEfGhIjKlMnOpQr5000", base64.b64encode(b"short").decode())
    with pytest.raises(ValueError):
        rsa_public_numbers("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
