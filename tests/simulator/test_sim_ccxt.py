"""ccxt's bitget class, an independent client, against the simulator (implicit API, no load_markets)."""

from collections.abc import Iterator

import ccxt
import pytest

from exchange_tui.simulator import ThreadedSimulator
from exchange_tui.simulator.bitget import SimAccount


@pytest.fixture(scope="module")
def sim() -> Iterator[ThreadedSimulator]:
    with ThreadedSimulator() as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_state(sim: ThreadedSimulator) -> None:
    sim.state.reset()


def bitget(sim: ThreadedSimulator, account: SimAccount, **changes: str) -> ccxt.bitget:
    exchange = ccxt.bitget(
        {
            "apiKey": changes.get("api_key", account.api_key),
            "secret": changes.get("secret_key", account.secret_key),
            "password": changes.get("passphrase", account.passphrase),
            "enableRateLimit": False,
            "timeout": 5000,
        }
    )
    exchange.urls["api"] = dict.fromkeys(exchange.urls["api"], sim.url)
    return exchange


def test_demo_key_is_accepted(sim, sim_accounts):
    exchange = bitget(sim, sim_accounts["demo"])
    assert exchange.publicCommonGetV2PublicTime()["code"] == "00000"
    info = exchange.privateSpotGetV2SpotAccountInfo()
    assert info["data"]["userId"] == sim_accounts["demo"].uid
    futures = exchange.privateMixGetV2MixAccountAccounts({"productType": "USDT-FUTURES"})
    assert futures["data"][0]["marginCoin"] == "USDT"
    assets = exchange.privateSpotGetV2SpotAccountAssets({"coin": "USDT", "assetType": "hold_only"})
    assert [a["coin"] for a in assets["data"]] == ["USDT"]
    overview = exchange.privateSpotGetV2AccountAllAccountBalance()
    assert overview["data"][0]["accountType"] == "spot"


def test_ccxt_signs_post_bodies_the_simulator_accepts(sim, sim_accounts):
    exchange = bitget(sim, sim_accounts["demo"])
    transfer = exchange.privateSpotPostV2SpotWalletTransfer(
        {"fromType": "spot", "toType": "usdt_futures", "amount": "10", "coin": "USDT"}
    )
    assert transfer["code"] == "00000" and transfer["data"]["transferId"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"passphrase": "LoginPassword1"}, "40012"),
        ({"api_key": "bg_" + "9" * 32}, "40037"),
        ({"secret_key": "0" * 64}, "40009"),
    ],
    ids=["wrong-passphrase", "unknown-key", "wrong-secret"],
)
def test_bad_credentials_become_authentication_errors(sim, sim_accounts, change, code):
    exchange = bitget(sim, sim_accounts["demo"], **change)
    with pytest.raises(ccxt.AuthenticationError, match=code):
        exchange.privateSpotGetV2SpotAccountInfo()


def test_ip_whitelist_and_permissions_become_permission_denied(sim, sim_accounts):
    with pytest.raises(ccxt.PermissionDenied, match="40018"):
        bitget(sim, sim_accounts["demo-ip-bound"]).privateSpotGetV2SpotAccountInfo()
    with pytest.raises(ccxt.PermissionDenied, match="40014"):
        bitget(sim, sim_accounts["demo-spot-only"]).privateMixGetV2MixAccountAccounts({"productType": "USDT-FUTURES"})


def test_sandbox_mode_takes_the_demo_trading_key_and_refuses_a_live_one(sim, sim_accounts):
    demo_trading = bitget(sim, sim_accounts["demo-trading"])
    demo_trading.set_sandbox_mode(True)
    assert demo_trading.privateSpotGetV2SpotAccountInfo()["data"]["userId"] == sim_accounts["demo-trading"].uid
    live = bitget(sim, sim_accounts["demo"])
    live.set_sandbox_mode(True)
    with pytest.raises(ccxt.ExchangeError, match="40099"):
        live.privateSpotGetV2SpotAccountInfo()
    with pytest.raises(ccxt.ExchangeError, match="40099"):
        bitget(sim, sim_accounts["demo-trading"]).privateSpotGetV2SpotAccountInfo()


def test_demo_coin_product_types_need_no_paptrading_header(sim, sim_accounts):
    live = bitget(sim, sim_accounts["demo"])
    live.set_sandbox_mode(True)
    response = live.privateMixGetV2MixAccountAccounts({"productType": "SUSDT-FUTURES"})
    assert response["data"][0]["marginCoin"] == "SUSDT"


def test_unified_accounts_on_v3_and_ccxts_uta_detection(sim, sim_accounts):
    unified = bitget(sim, sim_accounts["demo-unified"])
    assert unified.privateUtaGetV3AccountAssets()["data"]["assets"][0]["coin"] == "USDT"
    assert unified.privateUtaGetV3AccountInfo()["data"]["permType"] == "read-and-write"
    assert unified.handle_uta_and_params({}, "fetchBalance")[0] is True
    with pytest.raises(ccxt.PermissionDenied, match="40085"):
        unified.privateSpotGetV2SpotAccountAssets()
    classic = bitget(sim, sim_accounts["demo"])
    assert classic.handle_uta_and_params({}, "fetchBalance")[0] is False
    with pytest.raises(ccxt.ExchangeError, match="40084"):
        classic.privateUtaGetV3AccountSettings()


def test_ccxt_fetch_balance_with_uta_reads_the_unified_account_and_its_funding_wallet(sim, sim_accounts):
    unified = bitget(sim, sim_accounts["demo-unified"])
    unified.markets = {}  # fetch_balance loads markets first, which the simulator does not serve
    balance = unified.fetch_balance({"uta": True})
    assert balance["USDT"] == {"free": 2400.12, "used": 50.0, "total": 2450.12, "debt": 0.0}
    assert balance["BTC"]["total"] == 0.015
    funding = unified.fetch_balance({"uta": True, "type": "funding"})
    assert (funding["USDT"]["total"], funding["BGB"]["free"]) == (120.0, 15.0)


def test_ccxt_on_an_elite_unified_key_and_a_unified_demo_trading_key(sim, sim_accounts):
    elite = bitget(sim, sim_accounts["demo-unified-elite"])
    assert elite.privateSpotGetV2SpotAccountInfo()["data"]["userId"] == sim_accounts["demo-unified-elite"].uid
    with pytest.raises(ccxt.ExchangeError, match="40731"):
        elite.privateSpotGetV2SpotAccountAssets()
    assert elite.handle_uta_and_params({}, "fetchBalance")[0] is True
    demo = bitget(sim, sim_accounts["demo-trading-unified"])
    demo.set_sandbox_mode(True)
    demo.markets = {}
    assert demo.fetch_balance({"uta": True})["BTC"]["total"] == 1.0
    with pytest.raises(ccxt.PermissionDenied, match="40014"):
        bitget(sim, sim_accounts["demo-unified-trade-only"]).privateUtaGetV3AccountAssets()


def test_rate_limits_become_ddos_protection(sim, sim_accounts):
    exchange = bitget(sim, sim_accounts["demo"])
    exchange.privateSpotGetV2SpotAccountInfo()
    with pytest.raises(ccxt.DDoSProtection):
        exchange.privateSpotGetV2SpotAccountInfo()
