"""What each endpoint answers over real HTTP: Bitget's envelope, field names and decimal strings."""

import json
from decimal import Decimal

import httpx
import pytest
from sim_requests import bitget_error, signed_get, signed_headers, signed_post

from exchange_tui.simulator import BalanceChanged, SimulatorServer
from exchange_tui.simulator.bitget import SimulatorState
from exchange_tui.simulator.bitget.market import USD_PER_USDT

TICKER_FIELDS = {
    "symbol", "high24h", "open", "low24h", "lastPr", "quoteVolume", "baseVolume", "usdtVolume",
    "bidPr", "askPr", "bidSz", "askSz", "openUtc", "ts", "changeUtc24h", "change24h",
}  # fmt: skip
FUTURES_FIELDS = {
    "marginCoin", "locked", "available", "crossedMaxAvailable", "isolatedMaxAvailable", "maxTransferOut",
    "accountEquity", "usdtEquity", "btcEquity", "crossedRiskRate", "unrealizedPL", "coupon",
    "unionTotalMagin", "unionAvailable", "unionMm", "assetList", "isolatedMargin", "crossedMargin",
    "crossedUnrealizedPL", "isolatedUnrealizedPL", "assetMode",
}  # fmt: skip
CLASSIC_PRIVATE = [
    "/api/v2/spot/account/info",
    "/api/v2/spot/account/assets",
    "/api/v2/mix/account/accounts?productType=USDT-FUTURES",
    "/api/v2/account/all-account-balance",
]
UNIFIED_PRIVATE = [
    "/api/v3/account/assets",
    "/api/v3/account/funding-assets",
    "/api/v3/account/info",
    "/api/v3/account/settings",
]
TRANSFER = "/api/v2/spot/wallet/transfer"
USDT_FUTURES = "/api/v2/mix/account/accounts?productType=USDT-FUTURES"


def transfer_body(**changes: str) -> bytes:
    """A compact transfer body, 1 USDT from spot to USDT-M futures unless ``changes`` say otherwise."""
    fields = {"fromType": "spot", "toType": "usdt_futures", "amount": "1", "coin": "USDT"}
    return json.dumps({**fields, **changes}, separators=(",", ":")).encode()


def ok(response):
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["code"], body["msg"]) == ("00000", "success")
    assert isinstance(body["requestTime"], int)
    return body["data"]


def strings_only(value):
    if isinstance(value, dict):
        return all(strings_only(v) for v in value.values())
    if isinstance(value, list):
        return all(strings_only(v) for v in value)
    return isinstance(value, str)


async def test_server_time(client, simulator):
    before = simulator.state.now_ms()
    data = ok(await client.get("/api/v2/public/time"))
    assert before <= int(data["serverTime"]) <= simulator.state.now_ms()


async def test_all_tickers_and_one(client):
    tickers = ok(await client.get("/api/v2/spot/market/tickers"))
    assert {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BGBUSDT", "XRPUSDT", "USDCUSDT"} <= {t["symbol"] for t in tickers}
    assert all(set(t) == TICKER_FIELDS and strings_only(t) for t in tickers)
    (btc,) = ok(await client.get("/api/v2/spot/market/tickers", params={"symbol": "BTCUSDT"}))
    assert btc["lastPr"] == "67012.35" and Decimal(btc["askPr"]) > Decimal(btc["bidPr"])


async def test_unknown_ticker_symbol(client):
    response = await client.get("/api/v2/spot/market/tickers", params={"symbol": "NOPEUSDT"})
    assert bitget_error(response) == (400, "40034", "Parameter NOPEUSDT does not exist")


async def test_spot_account_info(client, sim_accounts):
    demo = sim_accounts["demo"]
    info = ok(await signed_get(client, demo, "/api/v2/spot/account/info"))
    assert info == {
        "userId": demo.uid,
        "inviterId": "0",
        "ips": "",
        "authorities": ["stor", "stow", "coor", "coow", "cpor", "cpow", "wtor", "wtow"],
        "parentId": int(demo.uid),
        "traderType": "not_trader",
        "channelCode": "",
        "channel": "",
        "regisTime": "1651658400000",
    }
    bound = ok(await signed_get(client, sim_accounts["demo-withdraw"], "/api/v2/spot/account/info"))
    assert bound["ips"] == "127.0.0.1,::1" and "wwow" in bound["authorities"]


async def test_spot_assets_hide_zero_balances_unless_asked(client, sim_accounts, simulator):
    demo = sim_accounts["demo"]
    held = ok(await signed_get(client, demo, "/api/v2/spot/account/assets"))
    assert [a["coin"] for a in held] == ["USDT", "BTC", "ETH", "BGB"]
    assert held[0] == {
        "coin": "USDT",
        "available": "1520.48213",
        "frozen": "120.00000",
        "locked": "0",
        "limitAvailable": "0",
        "uTime": str(simulator.state.started_ms),
    }
    every = ok(await signed_get(client, demo, "/api/v2/spot/account/assets?assetType=all"))
    assert [a["coin"] for a in every] == ["USDT", "BTC", "ETH", "BGB", "SOL"]
    zero = ok(await signed_get(client, demo, "/api/v2/spot/account/assets?assetType=hold_only&coin=sol"))
    assert [(a["coin"], a["available"]) for a in zero] == [("SOL", "0")]
    assert ok(await signed_get(client, demo, "/api/v2/spot/account/assets?coin=DOGE")) == []
    refused = await signed_get(client, demo, "/api/v2/spot/account/assets?assetType=some")
    assert bitget_error(refused) == (400, "40020", "Parameter assetType error")


async def test_futures_accounts(client, sim_accounts):
    demo = sim_accounts["demo"]
    (usdt,) = ok(await signed_get(client, demo, "/api/v2/mix/account/accounts?productType=USDT-FUTURES"))
    assert set(usdt) == FUTURES_FIELDS
    assert strings_only({k: v for k, v in usdt.items() if k != "assetList"}) and usdt["assetList"] == []
    assert (usdt["marginCoin"], usdt["available"], usdt["locked"]) == ("USDT", "820.11320000", "35.20000000")
    assert Decimal(usdt["accountEquity"]) == Decimal(usdt["usdtEquity"]) == Decimal("855.3132")
    assert Decimal(usdt["btcEquity"]) == (Decimal("855.3132") / Decimal("67012.35")).quantize(Decimal("1e-12"))
    (usdc,) = ok(await signed_get(client, demo, "/api/v2/mix/account/accounts?productType=usdc-futures"))
    assert Decimal(usdc["usdtEquity"]) == Decimal("250") * Decimal("0.9998")
    (demo_coins,) = ok(await signed_get(client, demo, "/api/v2/mix/account/accounts?productType=SUSDT-FUTURES"))
    assert demo_coins["marginCoin"] == "SUSDT"
    assert ok(await signed_get(client, demo, "/api/v2/mix/account/accounts?productType=COIN-FUTURES")) == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/api/v2/mix/account/accounts", (400, "40019", "Parameter productType cannot be empty")),
        ("/api/v2/mix/account/accounts?productType=", (400, "40019", "Parameter productType cannot be empty")),
        ("/api/v2/mix/account/accounts?productType=SPOT", (400, "40020", "Parameter productType error")),
    ],
)
async def test_futures_accounts_need_a_product_type(client, sim_accounts, target, expected):
    assert bitget_error(await signed_get(client, sim_accounts["demo"], target)) == expected


async def test_all_account_balance_values_every_wallet_in_usdt(client, sim_accounts, simulator):
    simulator.state.set_price("BTCUSDT", "60000")
    simulator.state.set_price("ETHUSDT", "3000")
    simulator.state.set_price("BGBUSDT", "1")
    simulator.state.set_price("USDCUSDT", "1")
    overview = ok(await signed_get(client, sim_accounts["demo"], "/api/v2/account/all-account-balance"))
    spot = Decimal("1640.48213") + Decimal("0.0421") * 60000 + Decimal("0.8125") * 3000 + Decimal("412.37")
    futures = Decimal("855.3132") + Decimal("250")
    assert overview == [
        {"accountType": "spot", "usdtBalance": str(spot.normalize())},
        {"accountType": "futures", "usdtBalance": str(futures.normalize())},
        {"accountType": "funding", "usdtBalance": "45.50"},
        {"accountType": "earn", "usdtBalance": "300.00"},
        {"accountType": "bots", "usdtBalance": "0"},
        {"accountType": "margin", "usdtBalance": "0"},
    ]


async def test_unified_account_endpoints(client, sim_accounts, simulator):
    unified = sim_accounts["demo-unified"]
    simulator.state.set_price("BTCUSDT", "60000")
    simulator.state.set_price("ETHUSDT", "3000")
    assets = ok(await signed_get(client, unified, "/api/v3/account/assets"))
    assert isinstance(assets, dict)
    assert [a["coin"] for a in assets["assets"]] == ["USDT", "BTC", "ETH"]
    assert assets["assets"][1] == {
        "coin": "BTC",
        "equity": "0.01500000",
        "usdValue": "899.64",
        "balance": "0.01500000",
        "available": "0.01500000",
        "debt": "0",
        "locked": "0",
    }
    assert assets["usdtEquity"] == "4250.12"
    assert Decimal(assets["accountEquity"]) == Decimal("4250.12") * USD_PER_USDT
    assert strings_only({k: v for k, v in assets.items() if k != "assets"})
    info = ok(await signed_get(client, unified, "/api/v3/account/info"))
    assert info == {
        "uid": unified.uid,
        "inviterId": "0",
        "parentId": "",
        "channelCode": "",
        "channel": "",
        "ips": "",
        "permType": "read-and-write",
        "permissions": ["uta_mgt", "uta_trade"],
        "regisTime": unified.regis_time,
    }
    funding = ok(await signed_get(client, unified, "/api/v3/account/funding-assets"))
    assert funding == [
        {"coin": "USDT", "available": "120.00000000", "frozen": "0", "balance": "120.00000000"},
        {"coin": "BGB", "available": "15.00000000", "frozen": "0", "balance": "15.00000000"},
    ]
    (bgb,) = ok(await signed_get(client, unified, "/api/v3/account/funding-assets?coin=bgb"))
    assert bgb["coin"] == "BGB"
    settings = ok(await signed_get(client, unified, "/api/v3/account/settings"))
    assert settings["accountMode"] == "unified" and {"accountLevel", "assetMode", "holdMode"} <= set(settings)


@pytest.mark.parametrize("target", [*CLASSIC_PRIVATE, TRANSFER])
async def test_unified_accounts_are_refused_on_every_classic_endpoint(client, sim_accounts, target):
    unified = sim_accounts["demo-unified"]
    if target == TRANSFER:
        response = await signed_post(client, unified, target, transfer_body())
    else:
        response = await signed_get(client, unified, target)
    assert bitget_error(response) == (
        400,
        "40085",
        "You are in Unified Account mode, and the Classic Account API is not supported at this time",
    )


@pytest.mark.parametrize(
    ("shape", "info", "balances"),
    [("40085", "40085", "40085"), ("info-then-40731", None, "40731"), ("info-then-40085", None, "40085")],
)
async def test_every_shape_a_unified_account_may_take_on_classic_endpoints(sim_accounts, shape, info, balances):
    base = sim_accounts["demo-unified"]
    account = base.model_copy(update={"unified": base.unified.model_copy(update={"classic_api": shape})})
    state = SimulatorState([account])
    async with SimulatorServer(state) as server, httpx.AsyncClient(base_url=server.url) as http:
        answer = await signed_get(http, account, "/api/v2/spot/account/info")
        if info is None:
            assert ok(answer)["userId"] == account.uid
        else:
            assert bitget_error(answer)[1] == info
        for target in CLASSIC_PRIVATE[1:]:
            assert bitget_error(await signed_get(http, account, target))[1] == balances
        assert bitget_error(await signed_post(http, account, TRANSFER, transfer_body()))[1] == balances
        assert ok(await signed_get(http, account, "/api/v3/account/info"))["uid"] == account.uid


@pytest.mark.parametrize("target", UNIFIED_PRIVATE)
async def test_classic_accounts_are_refused_on_v3(client, sim_accounts, target):
    assert bitget_error(await signed_get(client, sim_accounts["demo"], target)) == (
        400,
        "40084",
        "You are in Classic Account mode, and the Unified Account API is not supported at this time",
    )


@pytest.mark.parametrize(
    ("label", "target", "words"),
    [
        ("demo-spot-only", USDT_FUTURES, "futures read"),
        ("demo-readonly", TRANSFER, "wallet transfer"),
    ],
)
async def test_missing_permissions(client, sim_accounts, label, target, words):
    account = sim_accounts[label]
    if target == TRANSFER:
        response = await signed_post(client, account, target, transfer_body())
    else:
        response = await signed_get(client, account, target)
    assert bitget_error(response) == (400, "40014", f"Incorrect permissions, need {words} permissions")


async def test_any_valid_key_reads_the_overview_and_readonly_keys_read_everything(client, sim_accounts):
    ok(await signed_get(client, sim_accounts["demo-spot-only"], "/api/v2/account/all-account-balance"))
    for target in CLASSIC_PRIVATE:
        ok(await signed_get(client, sim_accounts["demo-readonly"], target))


async def test_demo_trading_key_works_with_paptrading(client, sim_accounts):
    demo_trading = sim_accounts["demo-trading"]
    for target in CLASSIC_PRIVATE:
        ok(await signed_get(client, demo_trading, target, paptrading=True))
    refused = await signed_get(client, demo_trading, "/api/v2/spot/account/assets")
    assert bitget_error(refused) == (400, "40099", "exchange environment is incorrect")


async def test_transfer_moves_money_and_tells_listeners(client, sim_accounts, simulator):
    heard = []
    simulator.state.subscribe(heard.append)
    body = transfer_body(amount="20.48213", clientOid="x1")
    data = ok(await signed_post(client, sim_accounts["demo"], TRANSFER, body))
    assert data["clientOid"] == "x1" and data["transferId"].isdigit()
    spot = ok(await signed_get(client, sim_accounts["demo"], "/api/v2/spot/account/assets?coin=USDT"))
    assert spot[0]["available"] == "1500.00000"
    changes = [(e.wallet, e.coin) for e in heard if isinstance(e, BalanceChanged)]
    assert changes == [("spot", "USDT"), ("USDT-FUTURES", "USDT")]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"not json", ("40017", "Parameter verification failed")),
        (b"[]", ("40017", "Parameter verification failed")),
        (b'{"fromType":"spot","toType":"usdt_futures","coin":"USDT"}', ("40019", "Parameter amount cannot be empty")),
        (transfer_body(fromType="p2p", toType="spot"), ("40020", "Parameter fromType error")),
        (transfer_body(toType="spot"), ("40020", "Parameter toType error")),
        (transfer_body(amount="-1"), ("40020", "Parameter amount error")),
        (transfer_body(amount="ten"), ("40020", "Parameter amount error")),
        (transfer_body(coin="BTC"), ("40020", "Parameter coin error")),
        (transfer_body(toType="coin_futures"), ("40020", "Parameter coin error")),
        (transfer_body(amount="99999"), ("43012", "Insufficient balance")),
    ],
)
async def test_transfer_refusals(client, sim_accounts, body, expected):
    response = await signed_post(client, sim_accounts["demo"], TRANSFER, body)
    assert bitget_error(response)[1:] == expected


async def test_post_needs_a_json_content_type(client, sim_accounts):
    body = transfer_body()
    headers = signed_headers(sim_accounts["demo"], "POST", TRANSFER, body)
    headers["Content-Type"] = "text/plain"
    response = await client.post(TRANSFER, content=body, headers=headers)
    assert bitget_error(response) == (400, "40007", "Invalid Content_Type")


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("GET", "/api/v2/spot/account/nothing"),
        ("GET", "/"),
        ("POST", "/api/v2/public/time"),
        ("GET", "/api/v2/public/time/"),
    ],
)
async def test_unknown_paths_and_methods(client, method, target):
    response = await client.request(method, target)
    assert bitget_error(response) == (404, "40404", "Request URL NOT FOUND")


async def test_balance_changes_show_in_the_answers(client, sim_accounts, simulator):
    simulator.state.set_balance("demo", "USDT", "12.5", locked="0.5", wallet="USDT-FUTURES")
    (usdt,) = ok(await signed_get(client, sim_accounts["demo"], USDT_FUTURES))
    figures = (usdt["available"], usdt["accountEquity"], usdt["maxTransferOut"], usdt["usdtEquity"])
    assert figures == ("12.5", "13.0", "12.5", "13")
    simulator.state.set_balance("demo-unified", "SOL", "2", wallet="unified")
    assets = ok(await signed_get(client, sim_accounts["demo-unified"], "/api/v3/account/assets"))
    assert "SOL" in [a["coin"] for a in assets["assets"]]
