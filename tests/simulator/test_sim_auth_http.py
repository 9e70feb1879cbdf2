"""Authentication over real HTTP: the published vectors as sent bytes, the edge cases, the clock."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from sim_requests import VECTOR_ACCOUNT, bitget_error, hmac_base64, now_ms, signed_get, signed_headers, signed_post

from exchange_tui.simulator import ManualClock, SimulatorServer
from exchange_tui.simulator.bitget import SimulatorState, demo_accounts

V4_BODY = b'{"fromType":"spot","toType":"usdt_futures","amount":"10","coin":"USDT"}'
INFO = "/api/v2/spot/account/info"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_700_000_000_000)


@pytest.fixture
async def vector_client(clock) -> AsyncIterator[httpx.AsyncClient]:
    """A simulator whose clock stands at the vectors' time and which knows the vectors' key."""
    state = SimulatorState([*demo_accounts(), VECTOR_ACCOUNT], clock=clock)
    async with SimulatorServer(state) as server, httpx.AsyncClient(base_url=server.url) as http:
        yield http


def vector_headers(sign: str, timestamp: str) -> dict[str, str]:
    return {
        "ACCESS-KEY": "bg_0123456789abcdef0123456789abcdef",
        "ACCESS-SIGN": sign,
        "ACCESS-TIMESTAMP": timestamp,
        "ACCESS-PASSPHRASE": "Passphrase123",
        "Content-Type": "application/json",
    }


def success(response: httpx.Response) -> object:
    assert response.status_code == 200, response.text
    assert response.json()["code"] == "00000"
    return response.json()["data"]


async def test_v1(vector_client):
    headers = vector_headers("B6FKg55UpjHTudgVp52Llzm5Gqf25UZ1vrsX3gUHk84=", "1700000000000")
    assert success(await vector_client.get("/api/v2/spot/account/info", headers=headers))["userId"] == "1000000001"


async def test_v2(vector_client):
    headers = vector_headers("4ork0kV/xQZTLVsPECGoCJNMPjzWzMhKfv0+OV8IjsE=", "1700000000000")
    data = success(await vector_client.get("/api/v2/mix/account/accounts?productType=USDT-FUTURES", headers=headers))
    assert data[0]["marginCoin"] == "USDT"


async def test_v3(vector_client, clock):
    clock.advance(123)
    headers = vector_headers("cWZZUSvPWxjHTFrwwtsDjzEc6ruLNL0iISZpujm6C6I=", "1700000000123")
    response = await vector_client.get("/api/v2/spot/account/assets?assetType=hold_only&coin=USDT", headers=headers)
    data = success(response)
    assert data[0]["available"] == "100"


async def test_v4(vector_client, clock):
    clock.advance(456)
    headers = vector_headers("z9YfSmFyZyH4aYSXCdgUDcK2ZVIPQn+8dgJI82+OOIA=", "1700000000456")
    data = success(await vector_client.post("/api/v2/spot/wallet/transfer", content=V4_BODY, headers=headers))
    assert data["transferId"]


async def test_a_sorted_signature_on_an_unsorted_url_is_refused(vector_client, clock):
    clock.advance(123)
    headers = vector_headers("cWZZUSvPWxjHTFrwwtsDjzEc6ruLNL0iISZpujm6C6I=", "1700000000123")
    response = await vector_client.get("/api/v2/spot/account/assets?coin=USDT&assetType=hold_only", headers=headers)
    assert bitget_error(response) == (400, "40009", "sign signature error")


async def test_an_unsorted_url_signed_as_sent_is_accepted(client, sim_accounts):
    target = "/api/v2/spot/account/assets?coin=USDT&assetType=hold_only"
    assert success(await signed_get(client, sim_accounts["demo"], target))[0]["coin"] == "USDT"


@pytest.mark.parametrize(
    ("target", "signed_query"),
    [
        ("/api/v2/spot/account/assets?coin=%24DEGEN", "coin=$DEGEN"),
        ("/api/v2/spot/account/assets?coin=%E9%BE%99%E8%99%BE", "coin=龙虾"),
        ("/api/v2/spot/account/assets?coin=%24DEGEN", "coin=%24DEGEN"),
    ],
    ids=["dollar", "non-ascii", "signed-as-sent"],
)
async def test_percent_encoded_values(client, sim_accounts, target, signed_query):
    response = await signed_get(client, sim_accounts["demo"], target, signed_query=signed_query)
    assert success(response) == []


async def test_a_value_signed_encoded_but_sent_raw_is_refused(client, sim_accounts):
    target = "/api/v2/spot/account/assets?coin=$DEGEN"
    response = await signed_get(client, sim_accounts["demo"], target, signed_query="coin=%24DEGEN")
    assert bitget_error(response)[1] == "40009"


async def test_body_with_spaces_is_verified_as_received(client, sim_accounts):
    spaced = json.dumps({"fromType": "spot", "toType": "usdt_futures", "amount": "1", "coin": "USDT"}).encode()
    assert b": " in spaced
    success(await signed_post(client, sim_accounts["demo"], "/api/v2/spot/wallet/transfer", spaced))
    compact = json.dumps(json.loads(spaced), separators=(",", ":")).encode()
    headers = signed_headers(sim_accounts["demo"], "POST", "/api/v2/spot/wallet/transfer", compact)
    response = await client.post("/api/v2/spot/wallet/transfer", content=spaced, headers=headers)
    assert bitget_error(response)[1] == "40009"


@pytest.mark.parametrize(
    ("offset", "code"), [(-30_001, "40008"), (30_001, "40008"), (-29_000, "00000"), (29_000, "00000")]
)
async def test_timestamp_window(vector_client, offset, code):
    account = VECTOR_ACCOUNT
    headers = signed_headers(account, "GET", "/api/v2/spot/account/info", timestamp=1_700_000_000_000 + offset)
    response = await vector_client.get("/api/v2/spot/account/info", headers=headers)
    assert response.json()["code"] == code


async def test_clock_offset_moves_the_server_clock(client, sim_accounts, simulator):
    simulator.state.faults.clock_offset_ms = 45_000
    response = await signed_get(client, sim_accounts["demo"], "/api/v2/spot/account/info")
    assert bitget_error(response) == (400, "40008", "Request timestamp expired")
    server_time = int((await client.get("/api/v2/public/time")).json()["data"]["serverTime"])
    assert server_time - now_ms() > 40_000
    synced = await signed_get(client, sim_accounts["demo"], "/api/v2/spot/account/info", timestamp=server_time)
    assert success(synced)["userId"] == sim_accounts["demo"].uid


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, (400, "40001", "ACCESS_KEY cannot be empty")),
        ({"ACCESS-KEY": "bg_x"}, (400, "40002", "ACCESS_SIGN cannot be empty")),
        ({"ACCESS-KEY": "bg_x", "ACCESS-SIGN": "x"}, (400, "40011", "ACCESS_PASSPHRASE cannot be empty")),
        (
            {"ACCESS-KEY": "bg_x", "ACCESS-SIGN": "x", "ACCESS-PASSPHRASE": "x"},
            (400, "40005", "Invalid ACCESS_TIMESTAMP"),
        ),
        (
            {"ACCESS-KEY": "bg_x", "ACCESS-SIGN": "x", "ACCESS-PASSPHRASE": "x", "ACCESS-TIMESTAMP": "now"},
            (400, "40005", "Invalid ACCESS_TIMESTAMP"),
        ),
    ],
)
async def test_missing_headers(client, headers, expected):
    assert bitget_error(await client.get("/api/v2/spot/account/info", headers=headers)) == expected


async def test_unknown_key_wrong_passphrase_wrong_secret(client, sim_accounts):
    demo = sim_accounts["demo"]

    async def info_with(**change: str):
        headers = signed_headers(demo.model_copy(update=change), "GET", INFO)
        return bitget_error(await client.get(INFO, headers=headers))

    assert await info_with(api_key="bg_" + "f" * 32) == (400, "40037", "Apikey does not exist")
    assert await info_with(passphrase="LoginPassword1") == (400, "40012", "apikey/password is incorrect")
    assert await info_with(secret_key="0" * 64) == (400, "40009", "sign signature error")
    forged = signed_headers(demo, "GET", INFO)
    forged["ACCESS-SIGN"] = hmac_base64(demo.secret_key, forged["ACCESS-TIMESTAMP"] + "GET/api/v2/spot/account/assets")
    assert bitget_error(await client.get(INFO, headers=forged))[1] == "40009"


async def test_ip_whitelist(client, sim_accounts):
    response = await signed_get(client, sim_accounts["demo-ip-bound"], "/api/v2/spot/account/info")
    assert bitget_error(response) == (400, "40018", "Invalid IP")
    success(await signed_get(client, sim_accounts["demo-withdraw"], "/api/v2/spot/account/info"))


@pytest.mark.parametrize(("label", "paptrading"), [("demo-trading", False), ("demo", True)])
async def test_demo_and_live_environments_do_not_mix(client, sim_accounts, label, paptrading):
    response = await signed_get(client, sim_accounts[label], "/api/v2/spot/account/info", paptrading=paptrading)
    assert bitget_error(response) == (400, "40099", "exchange environment is incorrect")


async def test_paptrading_header_name_is_case_insensitive(client, sim_accounts):
    headers = signed_headers(sim_accounts["demo-trading"], "GET", "/api/v2/spot/account/info")
    headers["PAPTRADING"] = "1"
    success(await client.get("/api/v2/spot/account/info", headers=headers))
