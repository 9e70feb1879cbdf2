"""The Binance simulator over HTTP on its two ports: the §8 vectors, every refusal of §4, permissions, environments,
request weights, the endpoints and the transfer."""

import json
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from binance_requests import (
    DOC_KEY,
    DOC_SECRET,
    ED_PRIVATE_PEM,
    ED_PUBLIC_PEM,
    binance_error,
    binance_get,
    binance_post,
    now_ms,
    signed_query,
)

from exchange_tui.simulator import ManualClock, SimulatorServer
from exchange_tui.simulator.binance import SimAccount, SimulatorState, demo_accounts

RESTRICTIONS = "/sapi/v1/account/apiRestrictions"
ACCOUNT = "/api/v3/account"
FUTURES = "/fapi/v3/balance"
FUNDING = "/sapi/v1/asset/get-funding-asset"
VECTOR_MS = 1700000000000
ED_KEY = "Ed25519Ed25519Ed25519Ed25519Ed25519Ed25519Ed25519Ed25519Ed255190"
FULL = {"enable_spot_and_margin_trading": True, "enable_futures": True}


@pytest.fixture
async def binance() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(SimulatorState()) as server:
        yield server


@pytest.fixture
async def http(binance) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """A client on each of the simulator's URLs, by setting name."""
    clients = {name: httpx.AsyncClient(base_url=url) for name, url in binance.urls.items()}
    yield clients
    for client in clients.values():
        await client.aclose()


@pytest.fixture
def scenario(binance):
    return binance.scenario


@pytest.fixture
async def vectors() -> AsyncIterator[SimulatorServer]:
    """The doc's HMAC key and the reference's Ed25519 key, on a clock stopped at the vectors' timestamp."""
    accounts = [
        SimAccount(label="doc", uid=1, api_key=DOC_KEY, secret_key=DOC_SECRET, **FULL,
                   spot=[{"asset": "USDT", "free": "1"}], funding=[{"asset": "USDT", "free": "1"}]),
        SimAccount(label="ed", uid=2, api_key=ED_KEY, key_type="ed25519", secret_key=ED_PRIVATE_PEM,
                   public_key=ED_PUBLIC_PEM),
    ]
    async with SimulatorServer(SimulatorState(accounts, clock=ManualClock(VECTOR_MS + 100))) as server:
        yield server


async def test_n1_to_n4_and_ned_verify_exactly_as_the_reference_sends_them(vectors):
    spot, futures = vectors.urls["url"], vectors.urls["futures_url"]
    headers = {"X-MBX-APIKEY": DOC_KEY}
    async with httpx.AsyncClient() as http:
        n1 = await http.get(spot + RESTRICTIONS + "?timestamp=1700000000000&recvWindow=5000&signature="
                            "1e007ef2535aaa12a2584e410f756c0f06b159ddad46fe71baa45f1ec8c7f9ec", headers=headers)
        assert n1.status_code == 200 and n1.json()["enableReading"] is True
        n2 = await http.get(spot + ACCOUNT + "?timestamp=1700000000000&omitZeroBalances=true&recvWindow=5000"
                            "&signature=b4506f87914212f7bba227174dc769482f8935aaa63d6c36f856a9e1c6c6ecbf", headers=headers)
        assert n2.status_code == 200 and n2.json()["uid"] == 1
        n3 = await http.get(futures + FUTURES + "?timestamp=1700000000000&recvWindow=5000&signature="
                            "1e007ef2535aaa12a2584e410f756c0f06b159ddad46fe71baa45f1ec8c7f9ec", headers=headers)
        assert n3.status_code == 200 and n3.json() == []
        n4 = await http.post(
            spot + FUNDING,
            content="timestamp=1700000000000&asset=USDT&recvWindow=5000&signature="
            "4f554907e19b1d6c342094a2c099722a95574ffc38f89ac8f1f55fc953bf769e",
            headers=headers | {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert n4.status_code == 200 and [row["asset"] for row in n4.json()] == ["USDT"]
        ned = await http.get(
            spot + RESTRICTIONS + "?timestamp=1700000000000&recvWindow=5000&signature="
            "gp4vz1w8p0e3I3aOb3pDGRjjfvIHTIBqwEXoRDB8bzFaxRRwkOsMBJxBud0d80pQiP2Bsjuj%2BHTWZQYyr5VADg%3D%3D",
            headers={"X-MBX-APIKEY": ED_KEY},
        )
        assert ned.status_code == 200


async def test_a_reordered_payload_b_upper_case_hex(vectors):
    spot = vectors.urls["url"]
    headers = {"X-MBX-APIKEY": DOC_KEY}
    async with httpx.AsyncClient(base_url=spot) as http:
        reordered = await http.get(RESTRICTIONS + "?recvWindow=5000&timestamp=1700000000000&signature="
                                   "1e007ef2535aaa12a2584e410f756c0f06b159ddad46fe71baa45f1ec8c7f9ec", headers=headers)
        assert binance_error(reordered) == (400, -1022, "Signature for this request is not valid.")
        upper = await http.get(RESTRICTIONS + "?timestamp=1700000000000&recvWindow=5000&signature="
                               + "1e007ef2535aaa12a2584e410f756c0f06b159ddad46fe71baa45f1ec8c7f9ec".upper(), headers=headers)
        assert upper.status_code == 200


async def test_c_the_timing_rule_at_its_edges(vectors):
    doc = vectors.state.account("doc")
    server_ms = VECTOR_MS + 100
    async with httpx.AsyncClient(base_url=vectors.url) as spot:
        ahead = await binance_get(spot, doc, RESTRICTIONS, timestamp=server_ms + 1000)
        assert binance_error(ahead) == (400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.")
        assert (await binance_get(spot, doc, RESTRICTIONS, timestamp=server_ms + 999)).status_code == 200
        assert (await binance_get(spot, doc, RESTRICTIONS, timestamp=server_ms - 5000)).status_code == 200
        late = await binance_get(spot, doc, RESTRICTIONS, timestamp=server_ms - 5001)
        assert binance_error(late) == (400, -1021, "Timestamp for this request is outside of the recvWindow.")
        wide = await binance_get(spot, doc, RESTRICTIONS, timestamp=server_ms - 50_000, recv_window=60_000)
        assert wide.status_code == 200
        assert (await binance_get(spot, doc, RESTRICTIONS, timestamp=server_ms * 1000)).status_code == 200


async def test_d_a_recv_window_over_60000_and_its_knob(binance, http, scenario):
    key = scenario.key("connects")
    assert binance_error(await binance_get(http["url"], key, RESTRICTIONS, recv_window=60_001))[:2] == (400, -1131)
    binance.state.update_faults(recv_window_code=-1102)
    assert binance_error(await binance_get(http["url"], key, RESTRICTIONS, recv_window=60_001))[:2] == (400, -1102)


async def test_e_a_demo_key_on_live_and_a_live_key_on_demo(http, scenario):
    demo, live = scenario.key("demo_trading"), scenario.key("connects")
    assert binance_error(await binance_get(http["url"], demo, ACCOUNT))[:2] == (401, -2015)
    assert binance_error(await binance_get(http["url"], demo, RESTRICTIONS)) == (400, -2008, "Invalid Api-Key ID.")
    assert (await binance_get(http["demo_url"], demo, ACCOUNT)).json()["uid"] == 731046592
    assert (await binance_get(http["demo_futures_url"], demo, FUTURES)).json()[0]["balance"] == "5000.00000000"
    assert binance_error(await binance_get(http["demo_url"], live, ACCOUNT))[:2] == (401, -2015)
    testnet = scenario.key("testnet")
    assert binance_error(await binance_get(http["url"], testnet, ACCOUNT))[:2] == (401, -2015)


async def test_g_futures_without_enable_futures_names_the_request_ip(http, scenario):
    for role in ("no_balance_permission", "read_only"):
        key = scenario.key(role)
        assert (await binance_get(http["url"], key, RESTRICTIONS)).json()["enableFutures"] is False
        assert (await binance_get(http["url"], key, ACCOUNT)).status_code == 200
        status, code, msg = binance_error(await binance_get(http["futures_url"], key, FUTURES))
        assert (status, code) == (401, -2015)
        assert msg == "Invalid API-key, IP, or permissions for action, request ip: 127.0.0.1"
        listen = await http["futures_url"].post("/fapi/v1/listenKey", headers={"X-MBX-APIKEY": key.api_key})
        assert binance_error(listen)[:2] == (401, -2015)


async def test_key_format_missing_parameters_and_a_wrong_secret(http, scenario):
    key = scenario.key("connects")
    spot = http["url"]
    assert binance_error(await spot.get(RESTRICTIONS + "?" + signed_query(key))) == (401, -2014, "API-key format invalid.")
    short = await spot.get(RESTRICTIONS + "?" + signed_query(key), headers={"X-MBX-APIKEY": key.api_key[:-1]})
    assert binance_error(short)[:2] == (401, -2014)
    unsigned = await spot.get(RESTRICTIONS + f"?timestamp={now_ms()}", headers={"X-MBX-APIKEY": key.api_key})
    assert binance_error(unsigned) == (400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")
    untimed = await spot.get(RESTRICTIONS + "?signature=00", headers={"X-MBX-APIKEY": key.api_key})
    assert binance_error(untimed)[:2] == (400, -1102)
    wrong = type("Key", (), {"api_key": key.api_key, "secret_key": key.secret_key[:-1] + "x"})()
    assert binance_error(await binance_get(spot, wrong, ACCOUNT))[:2] == (400, -1022)


async def test_asymmetric_keys_sign_every_endpoint(http, scenario):
    for role in ("ed25519", "rsa"):
        key = scenario.key(role)
        assert (await binance_get(http["url"], key, RESTRICTIONS)).status_code == 200
        assert (await binance_get(http["url"], key, ACCOUNT)).json()["uid"] == 354937868
        assert (await binance_get(http["futures_url"], key, FUTURES)).status_code == 200
        assert (await binance_post(http["url"], key, FUNDING)).status_code == 200
        other = scenario.key("rsa" if role == "ed25519" else "ed25519")
        forged = type("Key", (), {"api_key": key.api_key, "secret_key": other.secret_key})()
        assert binance_error(await binance_get(http["url"], forged, ACCOUNT))[:2] == (400, -1022)


async def test_unknown_and_deleted_keys(http, scenario):
    key = scenario.key("connects")
    scenario.delete_key(key.api_key)
    assert binance_error(await binance_get(http["url"], key, ACCOUNT)) == (
        401, -2015, "Invalid API-key, IP, or permissions for action.")
    assert binance_error(await binance_get(http["url"], key, RESTRICTIONS))[:2] == (400, -2008)
    assert binance_error(await binance_get(http["futures_url"], key, FUTURES))[:2] == (401, -2015)


async def test_an_ip_restricted_key_elsewhere_is_refused_on_both_ports(http, scenario):
    key = scenario.key("ip_bound")
    for name, path in (("url", RESTRICTIONS), ("url", ACCOUNT), ("futures_url", FUTURES)):
        assert binance_error(await binance_get(http[name], key, path))[:2] == (401, -2015)
    withdraw = (await binance_get(http["url"], scenario.key("withdraw"), RESTRICTIONS)).json()
    assert withdraw["ipRestrict"] is True and withdraw["enableWithdrawals"] is True
    assert "ipList" not in withdraw


async def test_the_key_check_account_and_balances(http, scenario):
    key = scenario.key("connects")
    restrictions = (await binance_get(http["url"], key, RESTRICTIONS)).json()
    assert restrictions["ipRestrict"] is False and restrictions["enableSpotAndMarginTrading"] is True
    assert "tradingAuthorityExpirationTime" not in restrictions
    account = await binance_get(http["url"], key, ACCOUNT, {"omitZeroBalances": "true"})
    assert account.headers["X-MBX-USED-WEIGHT-1M"] == "20"
    body = account.json()
    assert (body["uid"], body["canTrade"], body["accountType"]) == (354937868, True, "SPOT")
    assert body["balances"][0] == {"asset": "USDT", "free": "1520.48213000", "locked": "120.00000000"}
    assert "BNB" not in [b["asset"] for b in body["balances"]]
    everything = (await binance_get(http["url"], key, ACCOUNT)).json()["balances"]
    assert "BNB" in [b["asset"] for b in everything]
    funding = await binance_post(http["url"], key, FUNDING, {"needBtcValuation": "true"})
    assert funding.headers["X-SAPI-USED-IP-WEIGHT-1M"] == "1"
    assert [(r["asset"], r["free"]) for r in funding.json()] == [("USDT", "45.50000000"), ("BTC", "0.00100000")]
    assert Decimal(funding.json()[1]["btcValuation"]) == Decimal("0.001")
    for path in ("/fapi/v2/balance", FUTURES):
        (usdt, bnb) = (await binance_get(http["futures_url"], key, path)).json()
        assert (usdt["asset"], usdt["balance"], usdt["availableBalance"], bnb["balance"]) == (
            "USDT", "300.25000000", "300.25000000", "0.00000000")
    wallets = (await binance_get(http["url"], key, "/sapi/v1/asset/wallet/balance", {"quoteAsset": "USDT"})).json()
    by_name = {w["walletName"]: Decimal(w["balance"]) for w in wallets}
    assert by_name["Funding"] == Decimal("45.5") + Decimal("67.0123") and by_name["USDⓈ-M Futures"] == Decimal("300.25")
    refused = await binance_get(http["url"], scenario.key("read_only"), "/sapi/v1/asset/wallet/balance")
    assert binance_error(refused)[:2] == (401, -2015)


async def test_time_and_prices_on_both_ports(http):
    assert abs((await http["url"].get("/api/v3/time")).json()["serverTime"] - now_ms()) < 5000
    assert abs((await http["futures_url"].get("/fapi/v1/time")).json()["serverTime"] - now_ms()) < 5000
    one = (await http["url"].get("/api/v3/ticker/price", params={"symbol": "BTCUSDT"})).json()
    assert one == {"symbol": "BTCUSDT", "price": "67012.30000000"}
    some = await http["url"].get("/api/v3/ticker/price", params={"symbols": json.dumps(["ETHUSDT", "BNBUSDT"])})
    assert [p["symbol"] for p in some.json()] == ["ETHUSDT", "BNBUSDT"]
    assert binance_error(await http["url"].get("/api/v3/ticker/price", params={"symbol": "NOPE"}))[:2] == (400, -1121)


async def test_each_port_serves_its_own_paths(http, scenario):
    key = scenario.key("connects")
    assert (await http["url"].get("/fapi/v1/time")).status_code == 404
    assert (await http["futures_url"].get("/api/v3/time")).status_code == 404
    assert (await binance_get(http["futures_url"], key, ACCOUNT)).status_code == 404


async def test_a_transfer_moves_money_between_wallets(http, scenario):
    key = scenario.key("connects")
    moved = await binance_post(http["url"], key, "/sapi/v1/asset/transfer",
                               {"type": "MAIN_UMFUTURE", "asset": "USDT", "amount": "20.5"})
    assert isinstance(moved.json()["tranId"], int)
    spot = (await binance_get(http["url"], key, ACCOUNT)).json()["balances"][0]
    assert spot["free"] == "1499.98213000"
    assert (await binance_get(http["futures_url"], key, FUTURES)).json()[0]["balance"] == "320.75000000"
    too_much = await binance_post(http["url"], key, "/sapi/v1/asset/transfer",
                                  {"type": "FUNDING_MAIN", "asset": "USDT", "amount": "1000"})
    assert binance_error(too_much)[:2] == (400, -5002)
    unknown = await binance_post(http["url"], key, "/sapi/v1/asset/transfer",
                                 {"type": "MAIN_CMFUTURE", "asset": "USDT", "amount": "1"})
    assert binance_error(unknown)[:2] == (400, -1100)
    refused = await binance_post(http["url"], scenario.key("read_only"), "/sapi/v1/asset/transfer",
                                 {"type": "MAIN_UMFUTURE", "asset": "USDT", "amount": "1"})
    assert binance_error(refused)[:2] == (401, -2015)


async def test_listen_keys_are_api_key_only_and_expire(binance, http, scenario):
    key = scenario.key("connects")
    futures = http["futures_url"]
    headers = {"X-MBX-APIKEY": key.api_key}
    first = (await futures.post("/fapi/v1/listenKey", headers=headers)).json()["listenKey"]
    assert len(first) == 64
    assert (await futures.post("/fapi/v1/listenKey", headers=headers)).json()["listenKey"] == first
    assert (await futures.put("/fapi/v1/listenKey", headers=headers)).json() == {"listenKey": first}
    assert (await futures.delete("/fapi/v1/listenKey", headers=headers)).json() == {}
    assert binance_error(await futures.put("/fapi/v1/listenKey", headers=headers)) == (
        400, -1125, "This listenKey does not exist.")
    assert binance_error(await futures.post("/fapi/v1/listenKey"))[:2] == (401, -2014)


async def test_429_then_418_with_retry_after(binance, http, scenario):
    clock = ManualClock()
    binance.state.clock = clock
    key = scenario.key("connects")
    spot = http["url"]
    for _ in range(300):
        assert (await binance_get(spot, key, ACCOUNT, timestamp=clock.now_ms)).status_code == 200
    limited = await binance_get(spot, key, ACCOUNT, timestamp=clock.now_ms)
    assert binance_error(limited)[:2] == (429, -1003) and int(limited.headers["Retry-After"]) > 0
    banned = await binance_get(spot, key, ACCOUNT, timestamp=clock.now_ms)
    assert binance_error(banned)[:2] == (418, -1003) and int(banned.headers["Retry-After"]) == 120
    assert (await spot.get("/api/v3/time")).status_code == 418
    clock.advance(121_000)
    assert (await binance_get(spot, key, ACCOUNT, timestamp=clock.now_ms)).status_code == 200


async def test_the_fault_knobs_answer_in_binances_words(binance, http, scenario):
    scenario.fail_next(1, 429)
    limited = await http["futures_url"].get("/fapi/v1/time")
    assert binance_error(limited)[:2] == (429, -1003) and limited.headers["Retry-After"] == "60"
    scenario.fail_next(1, 502)
    failed = await http["url"].get("/api/v3/time")
    assert failed.status_code == 502 and failed.headers["content-type"].startswith("text/html")
    binance.state.update_faults(answer_code_next=1, answer_code="-1002")
    assert binance_error(await http["url"].get("/api/v3/time")) == (
        401, -1002, "You are not authorized to execute this request.")


@pytest.mark.parametrize("paper_sapi", ["not_found", "served"])
async def test_a_testnet_server_and_its_sapi_knob(paper_sapi):
    state = SimulatorState(environment="testnet", paper_environment=None)
    state.update_faults(paper_sapi=paper_sapi)
    key = next(a for a in demo_accounts() if a.environment == "testnet")
    async with SimulatorServer(state) as server, httpx.AsyncClient(base_url=server.url) as spot:
        assert set(server.urls) == {"url", "futures_url"}
        assert (await binance_get(spot, key, ACCOUNT)).json()["uid"] == 810293746
        restrictions = await binance_get(spot, key, RESTRICTIONS)
        assert restrictions.status_code == (404 if paper_sapi == "not_found" else 200)
        live = state.account("demo")
        assert binance_error(await binance_get(spot, live, ACCOUNT))[:2] == (401, -2015)


async def test_the_startup_line_names_every_url(binance):
    line = binance.startup_line()
    assert set(line) == {
        "url", "futures_url", "demo_url", "demo_futures_url", "ws_url", "futures_ws_url", "ws_demo_url",
        "futures_ws_demo_url", "accounts",
    }
    assert line["ws_url"] == binance.urls["url"].replace("http", "ws") + "/ws-api/v3"
    assert line["futures_ws_url"] == binance.urls["futures_url"].replace("http", "ws") + "/private/ws"
    first = line["accounts"][0]
    assert (first["label"], first["key_type"], first["environment"]) == ("demo", "hmac", "live")
    assert "passphrase" not in first
    labels = [a["label"] for a in line["accounts"]]
    assert labels[:5] == ["demo", "demo-readonly", "demo-withdraw", "demo-ip-restricted-elsewhere", "demo-trading"]
    assert {"demo-ed25519", "demo-rsa"} <= set(labels)


async def test_the_live_ports_also_serve_the_demo_under_a_prefix(binance, http, scenario):
    demo = scenario.key("demo_trading")
    assert (await binance_get(http["url"], demo, "/demo" + ACCOUNT)).json()["uid"] == 731046592
    assert (await binance_get(http["futures_url"], demo, "/demo" + FUTURES)).json()[0]["balance"] == "5000.00000000"
    assert (await binance_get(http["url"], demo, "/demo" + RESTRICTIONS)).status_code == 404
    assert binance_error(await binance_get(http["url"], scenario.key("connects"), "/demo" + ACCOUNT))[:2] == (401, -2015)
    assert (await binance_get(http["demo_url"], demo, "/demo" + ACCOUNT)).status_code == 404
