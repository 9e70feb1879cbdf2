"""The Bybit simulator over HTTP: the envelope, every refusal of reference §4 and §8 (a)–(e), environments as
hosts (§6), the endpoints of §3, rate limits (§5) and the knobs for what the reference leaves open."""

import json
import uuid
from decimal import Decimal

import httpx
import pytest
from bybit_requests import bybit_error, bybit_get, bybit_headers, bybit_post, now_ms

from exchange_tui.simulator import SimulatorServer
from exchange_tui.simulator.bybit import SimulatorState
from exchange_tui.simulator.core.clock import ManualClock

QUERY_API = "/v5/user/query-api"
WALLET = "/v5/account/wallet-balance"
FUND = "/v5/asset/transfer/query-account-coins-balance"
TRANSFER = "/v5/asset/transfer/inter-transfer"
DOCS_KEY_FIELDS = [
    "id", "note", "apiKey", "readOnly", "secret", "permissions", "ips", "type", "deadlineDay", "expiredAt",
    "createdAt", "unified", "uta", "userID", "inviterID", "vipLevel", "mktMakerLevel", "affiliateID",
    "rsaPublicKey", "isMaster", "parentUid", "kycLevel", "kycRegion", "userIDInt64", "inviterIDInt64",
    "affiliateIDInt64",
]


@pytest.fixture
async def http(bybit_simulator):
    async with httpx.AsyncClient(base_url=bybit_simulator.url) as client:
        yield client


@pytest.fixture
def scenario(bybit_simulator):
    return bybit_simulator.scenario


async def key_check(http, key, **options) -> dict:
    answer = (await bybit_get(http, key, QUERY_API, **options)).json()
    assert (answer["retCode"], answer["retMsg"]) == (0, ""), answer
    return answer["result"]


async def test_the_key_check_is_the_docs_example_shape(http, scenario):
    result = await key_check(http, scenario.key("connects"))
    assert list(result) == DOCS_KEY_FIELDS
    assert (result["readOnly"], result["ips"], result["uta"], result["isMaster"], result["parentUid"]) == (
        0, ["*"], 1, True, "0")
    assert result["permissions"]["Wallet"] == ["AccountTransfer"] and result["permissions"]["Options"] == []
    assert result["deadlineDay"] == 89 and result["expiredAt"] > result["createdAt"]


async def test_read_only_withdraw_sub_and_rsa_keys(http, bybit_simulator, scenario):
    assert (await key_check(http, scenario.key("read_only")))["readOnly"] == 1
    withdraw = await key_check(http, scenario.key("withdraw"))
    assert "Withdraw" in withdraw["permissions"]["Wallet"] and withdraw["ips"] == ["127.0.0.1", "::1"]
    assert (withdraw["deadlineDay"], withdraw["expiredAt"]) == (-2, "1970-01-01T00:00:00Z")
    sub = await key_check(http, bybit_simulator.state.account("demo-sub"))
    assert (sub["isMaster"], sub["parentUid"]) == (False, "1448939")
    rsa = await key_check(http, scenario.key("rsa"))
    assert rsa["rsaPublicKey"].startswith("-----BEGIN PUBLIC KEY-----")


async def test_each_refusal_code(http, bybit_simulator, scenario):
    key = scenario.key("connects")
    assert bybit_error(await bybit_get(http, scenario.key("ip_bound"), QUERY_API))[:2] == (200, 10010)
    assert bybit_error(await bybit_get(http, scenario.key("expired"), QUERY_API))[:2] == (200, 33004)
    status, code, msg = bybit_error(await http.get(QUERY_API, headers={**bybit_headers(key), "X-BAPI-SIGN": "0" * 64}))
    assert (status, code, msg) == (200, 10004, "Error sign, please check your signature generation algorithm.")
    status, code, _ = bybit_error(await http.get(QUERY_API, headers={**bybit_headers(key), "X-BAPI-API-KEY": "x" * 18}))
    assert (status, code) == (401, 10003)
    assert bybit_error(await http.get(QUERY_API))[1] == 10003
    assert bybit_error(await bybit_get(http, key, QUERY_API, timestamp=now_ms(-6000)))[1] == 10002
    assert bybit_error(await bybit_get(http, key, QUERY_API, recv_window="soon"))[1] == 10001
    assert bybit_error(await bybit_get(http, scenario.key("read_only"), TRANSFER))[1] == 404
    bybit_simulator.state.delete_key(key.api_key)
    assert bybit_error(await bybit_get(http, key, QUERY_API))[1] == 10003


async def test_the_knobs_for_10003s_status_and_10004s_message(http, bybit_simulator, scenario):
    bybit_simulator.state.update_faults(unknown_key_status=200, bad_sign_message="origin")
    key = scenario.key("connects")
    assert bybit_error(await http.get(QUERY_API, headers={**bybit_headers(key), "X-BAPI-API-KEY": "y" * 18}))[:2] == (
        200, 10003)
    headers = {**bybit_headers(key), "X-BAPI-SIGN": "0" * 64}
    _, code, msg = bybit_error(await http.get(QUERY_API, headers=headers))
    assert code == 10004 and msg == f"error sign! origin_string[{headers['X-BAPI-TIMESTAMP']}{key.api_key}5000]"


async def test_a_larger_recv_window_admits_an_older_timestamp(http, scenario):
    await key_check(http, scenario.key("connects"), timestamp=now_ms(-9000), recv_window="10000")


async def test_every_environment_is_its_own_host_and_key_space(bybit_simulator, scenario):
    """§6, §8 (d): every mismatch of key and host is 10003."""
    urls = bybit_simulator.urls
    assert list(urls) == ["url", "demo_url", "testnet_url"] and len(set(urls.values())) == 3
    testnet = bybit_simulator.state.account("demo-testnet")
    expected = {"url": "demo", "demo_url": "demo-trading", "testnet_url": "demo-testnet"}
    for name, url in urls.items():
        async with httpx.AsyncClient(base_url=url) as http:
            for key in (scenario.key("connects"), scenario.key("demo_trading"), testnet):
                answer = (await bybit_get(http, key, QUERY_API)).json()
                assert (answer["retCode"] == 0) == (key.label == expected[name]), (name, key.label)


async def test_a_server_of_one_environment(scenario):
    state = SimulatorState(environment="demo", also_serve=())
    async with SimulatorServer(state) as server, httpx.AsyncClient(base_url=server.url) as http:
        assert list(server.urls) == ["url"] and server.ws_demo_url == server.ws_url
        assert (await bybit_get(http, scenario.key("demo_trading"), QUERY_API)).json()["retCode"] == 0
        assert bybit_error(await bybit_get(http, scenario.key("connects"), QUERY_API))[1] == 10003


async def test_the_unified_wallet(http, scenario):
    key = scenario.key("connects")
    answer = (await bybit_get(http, key, WALLET, "accountType=UNIFIED")).json()
    (wallet,) = answer["result"]["list"]
    coins = {c["coin"]: c for c in wallet["coin"]}
    assert set(coins) == {"USDT", "BTC", "ETH"} and wallet["accountType"] == "UNIFIED"
    assert (coins["USDT"]["walletBalance"], coins["USDT"]["locked"]) == ("1520.48213", "120")
    assert Decimal(wallet["totalEquity"]) == sum(Decimal(c["usdValue"]) for c in coins.values())
    only = (await bybit_get(http, key, WALLET, "accountType=UNIFIED&coin=BTC,SOL")).json()["result"]["list"][0]
    assert [c["coin"] for c in only["coin"]] == ["BTC", "SOL"]
    _, code, msg = bybit_error(await bybit_get(http, key, WALLET, "accountType=SPOT"))
    assert (code, msg) == (10001, "accountType only support UNIFIED account")
    assert bybit_error(await bybit_get(http, key, WALLET))[1] == 10001


async def test_the_funding_wallet_and_its_coin_knob(http, bybit_simulator, scenario):
    key = scenario.key("connects")
    answer = (await bybit_get(http, key, FUND, "accountType=FUND")).json()
    assert answer["retMsg"] == "success" and answer["result"]["accountType"] == "FUND"
    assert {b["coin"]: b["walletBalance"] for b in answer["result"]["balance"]} == {"USDT": "45.5", "BTC": "0.001"}
    bybit_simulator.state.faults.fund_coin_required = True
    assert bybit_error(await bybit_get(http, key, FUND, "accountType=FUND"))[1] == 10001
    one = (await bybit_get(http, key, FUND, "accountType=FUND&coin=USDT")).json()["result"]["balance"]
    assert one == [{"coin": "USDT", "transferBalance": "45.5", "walletBalance": "45.5", "bonus": ""}]


async def test_account_info_overview_tickers_and_time(http, bybit_simulator, scenario):
    key = scenario.key("connects")
    info = (await bybit_get(http, key, "/v5/account/info")).json()["result"]
    assert (info["unifiedMarginStatus"], info["marginMode"]) == (6, "REGULAR_MARGIN")
    overview = (await bybit_get(http, key, "/v5/asset/asset-overview")).json()["result"]
    assert Decimal(overview["totalEquity"]) == sum(Decimal(e["equity"]) for e in overview["list"])
    tickers = (await http.get("/v5/market/tickers?category=spot")).json()["result"]
    assert {t["symbol"]: t["lastPrice"] for t in tickers["list"]}["BTCUSDT"] == "67012.3"
    assert bybit_error(await http.get("/v5/market/tickers?category=linear"))[1] == 10001
    time = (await http.get("/v5/market/time")).json()
    assert int(time["result"]["timeSecond"]) == time["time"] // 1000
    async with httpx.AsyncClient(base_url=bybit_simulator.urls["demo_url"]) as demo:
        trading = scenario.key("demo_trading")
        assert (await bybit_get(demo, trading, "/v5/account/info")).json()["retCode"] == 0
        bybit_simulator.state.faults.demo_account_info = False
        assert (await bybit_get(demo, trading, "/v5/account/info")).status_code == 404


async def test_a_key_without_balance_reads_is_refused_them(http, scenario):
    key = scenario.key("no_balance_permission")
    assert (await key_check(http, key))["permissions"]["Exchange"] == ["ExchangeHistory"]
    for path, query in ((WALLET, "accountType=UNIFIED"), (FUND, "accountType=FUND"), ("/v5/asset/asset-overview", "")):
        assert bybit_error(await bybit_get(http, key, path, query))[1] == 10005


def transfer_body(amount: str, source: str, target: str) -> str:
    return json.dumps({"transferId": str(uuid.uuid4()), "coin": "USDT", "amount": amount,
                       "fromAccountType": source, "toAccountType": target}, separators=(",", ":"))


async def test_an_inter_transfer_moves_money_between_unified_and_fund(http, bybit_simulator, scenario):
    key = scenario.key("connects")
    answer = (await bybit_post(http, key, TRANSFER, transfer_body("40", "FUND", "UNIFIED"))).json()
    assert answer["retCode"] == 0 and answer["result"]["status"] == "SUCCESS"
    wallets = bybit_simulator.state.wallets("1448939")
    assert (wallets.fund["USDT"].wallet_balance, wallets.unified["USDT"].wallet_balance) == (
        Decimal("5.5"), Decimal("1560.48213"))
    assert bybit_error(await bybit_post(http, key, TRANSFER, transfer_body("1500", "UNIFIED", "FUND")))[1] == 10001
    assert bybit_error(await bybit_post(http, key, TRANSFER, transfer_body("1", "FUND", "FUND")))[1] == 10001
    read_only = scenario.key("read_only")
    assert bybit_error(await bybit_post(http, read_only, TRANSFER, transfer_body("1", "FUND", "UNIFIED")))[1] == 10005


async def test_the_per_uid_limit_and_its_headers(http, scenario):
    """§5: query-api is 10 / s per UID; every signed answer says what is left."""
    key = scenario.key("connects")
    answers = [await bybit_get(http, key, QUERY_API) for _ in range(11)]
    assert [a.headers["X-Bapi-Limit-Status"] for a in answers[:3]] == ["9", "8", "7"]
    assert {a.headers["X-Bapi-Limit"] for a in answers} == {"10"}
    assert bybit_error(answers[-1])[:2] == (200, 10006)
    assert int(answers[-1].headers["X-Bapi-Limit-Reset-Timestamp"]) > answers[-1].json()["time"]


@pytest.mark.parametrize(("answer", "status"), [("10006", 200), ("403", 403), ("429", 429)])
async def test_the_rate_limit_answer_knob(http, bybit_simulator, scenario, answer, status):
    bybit_simulator.state.faults.rate_limit_answer = answer
    scenario.fail_next(1, 429)
    refused = await bybit_get(http, scenario.key("connects"), QUERY_API)
    assert refused.status_code == status
    assert answer != "10006" or bybit_error(refused)[1] == 10006
    assert (await bybit_get(http, scenario.key("connects"), QUERY_API)).json()["retCode"] == 0


async def test_a_5xx_is_the_cdns_page_and_an_unknown_path_404(http, scenario):
    scenario.fail_next(1, 503)
    failed = await bybit_get(http, scenario.key("connects"), QUERY_API)
    assert failed.status_code == 503 and failed.headers["content-type"].startswith("text/html")
    assert (await http.get("/v5/nowhere")).status_code == 404


def test_the_startup_line(bybit_simulator):
    line = bybit_simulator.startup_line()
    assert list(line) == ["url", "demo_url", "testnet_url", "ws_url", "ws_demo_url", "ws_testnet_url", "accounts"]
    assert line["ws_demo_url"].startswith(line["demo_url"].replace("http", "ws"))
    accounts = {a["label"]: a for a in line["accounts"]}
    assert list(accounts)[:1] == ["demo"] and "passphrase" not in accounts["demo"]
    assert len(accounts["demo"]["api_key"]) == 18 and len(accounts["demo"]["secret_key"]) == 36
    assert "PRIVATE KEY" in accounts["demo-rsa"]["secret_key"] and accounts["demo-trading"]["environment"] == "demo"


async def test_a_key_bound_to_no_ip_expires_after_90_days(scenario):
    """§1: "An API key created without binding IP address(es) will expire after 90 days"; a bound one does not."""
    clock = ManualClock()
    async with SimulatorServer(SimulatorState(clock=clock, also_serve=())) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            clock.advance(89 * 86_400_000)
            assert (await key_check(http, scenario.key("connects"), timestamp=str(clock())))["deadlineDay"] == 1
            clock.advance(86_400_000)
            expired = await bybit_get(http, scenario.key("connects"), QUERY_API, timestamp=str(clock()))
            assert bybit_error(expired) == (200, 33004, "(Derivatives) Your api key has expired")
            assert (await key_check(http, scenario.key("withdraw"), timestamp=str(clock())))["deadlineDay"] == -2
