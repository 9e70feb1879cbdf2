"""The OKX simulator over HTTP: every refusal of reference §4 and §8 (a)–(f), the envelope, the endpoints."""

import json
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from okx_requests import iso_now, okx_error, okx_get, okx_headers, okx_post

CONFIG = "/api/v5/account/config"
BALANCE = "/api/v5/account/balance"
FUNDING = "/api/v5/asset/balances"


@pytest.fixture
async def okx(okx_simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=okx_simulator.url) as http:
        yield http


@pytest.fixture
def scenario(okx_simulator):
    return okx_simulator.scenario


async def test_the_key_check_answers_in_okxs_envelope(okx, scenario):
    answer = (await okx_get(okx, scenario.key("connects"), CONFIG)).json()
    assert (answer["code"], answer["msg"]) == ("0", "")
    (config,) = answer["data"]
    assert (config["perm"], config["ip"], config["label"], config["acctLv"]) == ("read_only,trade", "", "demo", "2")
    assert config["uid"] == config["mainUid"] and config["type"] == "0"


async def test_a_sub_account_and_the_account_modes(okx, okx_simulator):
    state = okx_simulator.state
    sub = (await okx_get(okx, state.account("demo-sub"), CONFIG)).json()["data"][0]
    assert sub["uid"] != sub["mainUid"] and sub["type"] == "1"
    for label, level in (("demo-spot", "1"), ("demo", "2"), ("demo-multi", "3"), ("demo-portfolio", "4")):
        assert (await okx_get(okx, state.account(label), CONFIG)).json()["data"][0]["acctLv"] == level


async def test_withdraw_and_ip_bound_keys(okx, scenario):
    withdraw = (await okx_get(okx, scenario.key("withdraw"), CONFIG)).json()["data"][0]
    assert withdraw["perm"] == "read_only,trade,withdraw" and withdraw["ip"] == "127.0.0.1,::1"
    status, code, msg = okx_error(await okx_get(okx, scenario.key("ip_bound"), CONFIG))
    assert (status, code) == (401, "50110") and "127.0.0.1" in msg


@pytest.mark.parametrize("query", ["ccy=BTC%2CUSDT", "ccy=BTC,USDT"], ids=["ccxt-percent", "python-okx-raw"])
async def test_a_both_query_forms_verify_as_sent(okx, scenario, query):
    answer = (await okx_get(okx, scenario.key("connects"), f"{BALANCE}?{query}")).json()
    assert sorted(d["ccy"] for d in answer["data"][0]["details"]) == ["BTC", "USDT"]


async def test_b_an_epoch_ms_timestamp_is_50112(okx, scenario):
    response = await okx_get(okx, scenario.key("connects"), CONFIG, timestamp="1700000000000")
    assert okx_error(response)[:2] == (401, "50112")


async def test_c_a_skewed_clock_is_50102_and_30_s_is_the_edge(okx, scenario):
    key = scenario.key("connects")
    assert okx_error(await okx_get(okx, key, CONFIG, timestamp=iso_now(-31)))[:2] == (401, "50102")
    scenario.skew_clock(45)
    assert okx_error(await okx_get(okx, key, CONFIG))[1] == "50102"
    assert (await okx_get(okx, key, CONFIG, timestamp=iso_now(40))).json()["code"] == "0"


async def test_d_the_right_signature_with_a_wrong_passphrase_is_50105(okx, scenario):
    key = scenario.key("connects")
    headers = okx_headers(key, "GET", CONFIG) | {"OK-ACCESS-PASSPHRASE": "not-the-passphrase"}
    assert okx_error(await okx.get(CONFIG, headers=headers))[:2] == (401, "50105")


async def test_e_demo_and_live_do_not_mix(okx, scenario):
    demo = scenario.key("demo_trading")
    assert demo.demo_trading
    assert (await okx_get(okx, demo, CONFIG, demo=True)).json()["code"] == "0"
    assert okx_error(await okx_get(okx, demo, CONFIG))[:2] == (401, "50101")
    assert okx_error(await okx_get(okx, scenario.key("connects"), CONFIG, demo=True))[:2] == (401, "50101")


async def test_f_another_sites_key_is_50119_at_the_status_asked_for(okx, okx_simulator, scenario):
    eea = scenario.key("other_site")
    assert eea.site == "eea"
    assert okx_error(await okx_get(okx, eea, CONFIG))[:2] == (401, "50119")
    okx_simulator.state.faults.unknown_key_status = 200
    assert okx_error(await okx_get(okx, eea, CONFIG))[:2] == (200, "50119")


async def test_an_eea_server_takes_the_eea_key_and_refuses_the_global_one(scenario):
    from exchange_tui.simulator import SimulatorServer
    from exchange_tui.simulator.okx import SimulatorState

    async with SimulatorServer(SimulatorState(site="eea")) as server, httpx.AsyncClient(base_url=server.url) as http:
        assert (await okx_get(http, scenario.key("other_site"), CONFIG)).json()["code"] == "0"
        assert okx_error(await okx_get(http, scenario.key("connects"), CONFIG))[1] == "50119"


async def test_wrong_secret_malformed_unknown_and_deleted_keys(okx, scenario):
    key = scenario.key("connects")
    wrong_secret = okx_headers(key, "GET", CONFIG) | {"OK-ACCESS-SIGN": "c2lnbmF0dXJl"}
    assert okx_error(await okx.get(CONFIG, headers=wrong_secret))[:2] == (401, "50113")
    malformed = okx_headers(key, "GET", CONFIG) | {"OK-ACCESS-KEY": "not-a-uuid"}
    assert okx_error(await okx.get(CONFIG, headers=malformed))[:2] == (401, "50111")
    unknown = okx_headers(key, "GET", CONFIG) | {"OK-ACCESS-KEY": "00000000-0000-4000-8000-000000000000"}
    assert okx_error(await okx.get(CONFIG, headers=unknown))[1] == "50119"
    scenario.delete_key(key.api_key)
    assert okx_error(await okx_get(okx, key, CONFIG))[1] == "50119"


@pytest.mark.parametrize(
    ("header", "code"),
    [("OK-ACCESS-KEY", "50103"), ("OK-ACCESS-PASSPHRASE", "50104"), ("OK-ACCESS-SIGN", "50106"),
     ("OK-ACCESS-TIMESTAMP", "50107")],
)
async def test_a_missing_header_names_itself(okx, scenario, header, code):
    headers = {k: v for k, v in okx_headers(scenario.key("connects"), "GET", CONFIG).items() if k != header}
    status, got, msg = okx_error(await okx.get(CONFIG, headers=headers))
    assert (status, got) == (401, code) and header in msg


async def test_missing_permissions_are_50120_at_http_200(okx, scenario):
    body = json.dumps({"ccy": "USDT", "amt": "1", "from": "6", "to": "18"})
    assert okx_error(await okx_post(okx, scenario.key("read_only"), "/api/v5/asset/transfer", body))[:2] == (200, "50120")
    no_read = scenario.key("no_balance_permission")
    assert (await okx_get(okx, no_read, CONFIG)).json()["code"] == "0"
    assert okx_error(await okx_get(okx, no_read, BALANCE))[:2] == (200, "50120")
    assert okx_error(await okx_get(okx, no_read, FUNDING))[:2] == (200, "50120")


async def test_rate_limits_are_50011_at_429_per_user_id(okx, okx_simulator, scenario):
    key, state = scenario.key("connects"), okx_simulator.state
    answers = [(await okx_get(okx, key, CONFIG)).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    assert okx_error(await okx_get(okx, key, CONFIG)) == (429, "50011", "Too Many Requests")
    assert (await okx_get(okx, state.account("demo-readonly"), CONFIG)).status_code == 200  # another User ID


async def test_injected_failures(okx, scenario):
    scenario.fail_next(1, 429)
    assert okx_error(await okx.get("/api/v5/public/time"))[:2] == (429, "50011")
    scenario.fail_next(2, 502)
    first = await okx.get("/api/v5/public/time")
    assert first.status_code == 502 and first.headers["content-type"].startswith("text/html")
    assert (await okx.get("/api/v5/public/time")).status_code == 502
    assert (await okx.get("/api/v5/public/time")).json()["data"][0]["ts"].isdigit()


async def test_public_time_tickers_and_instruments(okx):
    tickers = (await okx.get("/api/v5/market/tickers?instType=SPOT")).json()["data"]
    btc = next(t for t in tickers if t["instId"] == "BTC-USDT")
    assert isinstance(btc["last"], str) and Decimal(btc["last"]) > 0
    assert okx_error(await okx.get("/api/v5/market/tickers"))[1] == "50014"
    instruments = (await okx.get("/api/v5/public/instruments?instType=SPOT")).json()["data"]
    assert {"baseCcy": "BTC", "quoteCcy": "USDT"}.items() <= next(i for i in instruments if i["instId"] == "BTC-USDT").items()
    assert (await okx.get("/api/v5/nothing/here")).status_code == 404


async def test_balances_list_only_non_zero_currencies_and_filter_by_ccy(okx, scenario):
    key = scenario.key("connects")
    trading = (await okx_get(okx, key, BALANCE)).json()["data"][0]
    details = {d["ccy"]: d for d in trading["details"]}
    assert set(details) == {"USDT", "BTC", "ETH"}
    assert (details["USDT"]["cashBal"], details["USDT"]["frozenBal"], details["USDT"]["availBal"]) == (
        "1520.48213", "120", "1400.48213")
    assert Decimal(trading["totalEq"]) == sum(Decimal(d["eqUsd"]) for d in details.values())
    funding = (await okx_get(okx, key, FUNDING)).json()["data"]
    assert {f["ccy"]: f["bal"] for f in funding} == {"USDT": "45.5", "BTC": "0.001"}
    only_usdt = (await okx_get(okx, key, f"{FUNDING}?ccy=USDT")).json()["data"]
    assert [f["ccy"] for f in only_usdt] == ["USDT"]


async def test_asset_valuation_totals_every_account_in_usdt(okx, scenario):
    valuation = (await okx_get(okx, scenario.key("connects"), "/api/v5/asset/asset-valuation?ccy=USDT")).json()
    (data,) = valuation["data"]
    assert Decimal(data["totalBal"]) == Decimal(data["details"]["trading"]) + Decimal(data["details"]["funding"])
    assert data["details"]["funding"] == "112.5123"


async def test_a_transfer_moves_funds_between_funding_and_trading(okx, scenario):
    key = scenario.key("connects")
    body = '{"ccy": "USDT", "amt": "10", "from": "6", "to": "18"}'  # spaced JSON, as python-okx sends it
    answer = (await okx_post(okx, key, "/api/v5/asset/transfer", body)).json()
    assert answer["code"] == "0" and answer["data"][0]["transId"]
    funding = (await okx_get(okx, key, f"{FUNDING}?ccy=USDT")).json()["data"][0]
    assert funding["bal"] == "35.5"
    trading = (await okx_get(okx, key, f"{BALANCE}?ccy=USDT")).json()["data"][0]["details"][0]
    assert trading["cashBal"] == "1530.48213"
    too_much = '{"ccy":"USDT","amt":"1000","from":"6","to":"18"}'
    assert okx_error(await okx_post(okx, key, "/api/v5/asset/transfer", too_much))[1] == "58350"
    other = scenario.key("withdraw")  # transfers are 2 / s per User ID
    assert okx_error(await okx_post(okx, other, "/api/v5/asset/transfer", '{"ccy":"USDT"}'))[1] == "50014"


async def test_a_key_added_for_rotation_shares_the_accounts_balances(okx, scenario):
    new = scenario.add_key("rotated", "connects")
    assert new.label == "rotated" and new.passphrase
    scenario.change_balance("rotated", "BTC", Decimal("1"))
    details = (await okx_get(okx, scenario.key("connects"), f"{BALANCE}?ccy=BTC")).json()["data"][0]["details"]
    assert details[0]["cashBal"] == "1.0421"
    assert (await okx_get(okx, new, CONFIG)).json()["data"][0]["label"] == "rotated"


async def test_the_control_endpoints(okx):
    assert (await okx.get("/_sim/faults")).json()["ws_idle_timeout_ms"] == 30_000
    changed = await okx.post("/_sim/balance", json={"label": "demo", "ccy": "SOL", "amount": "3"})
    assert changed.json() == {"changed": True}
    key = (await okx.post("/_sim/keys", json={"label": "ctl", "like": "demo"})).json()
    assert set(key) == {"label", "api_key", "secret_key", "passphrase"}
    assert (await okx.post("/_sim/keys/delete", json={"api_key": key["api_key"]})).json() == {"deleted": True}
    assert (await okx.post("/_sim/price", json={"inst_id": "BTC-USDT", "last": "70000"})).status_code == 200
    assert (await okx.post("/_sim/faults", json={"answer_code": "40015"})).status_code == 400
