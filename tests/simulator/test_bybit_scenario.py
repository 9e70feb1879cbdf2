"""The Bybit scenario: each core role and Bybit's own (expired, rsa) is the key it says, on the host it says;
rotation, balance changes and a threaded server with every environment's URL."""

from decimal import Decimal

import httpx
import pytest
from bybit_requests import bybit_error, bybit_get

from exchange_tui.simulator import ThreadedSimulator, new_state
from exchange_tui.simulator.core.scenario import ROLES

QUERY_API = "/v5/user/query-api"
WALLET = "/v5/account/wallet-balance"


async def test_every_role_answers_as_it_says(bybit_simulator):
    scenario = bybit_simulator.scenario
    assert scenario.exchange == "bybit"
    keys = {role: scenario.key(role) for role in (*ROLES, "expired", "rsa")}
    assert all(k.passphrase is None and k.site is None for k in keys.values())
    assert [role for role, k in keys.items() if k.demo_trading] == ["demo_trading"]
    async with httpx.AsyncClient(base_url=bybit_simulator.url) as http:
        checks = {role: (await bybit_get(http, key, QUERY_API)).json() for role, key in keys.items()}
        codes = {role: answer["retCode"] for role, answer in checks.items()}
        assert codes == {"connects": 0, "read_only": 0, "withdraw": 0, "ip_bound": 10010, "demo_trading": 10003,
                         "no_balance_permission": 0, "expired": 33004, "rsa": 0}
        connects = checks["connects"]["result"]
        assert (connects["readOnly"], connects["ips"], "Withdraw" in connects["permissions"]["Wallet"]) == (
            0, ["*"], False)
        assert checks["read_only"]["result"]["readOnly"] == 1
        assert "Withdraw" in checks["withdraw"]["result"]["permissions"]["Wallet"]
        refused = await bybit_get(http, keys["no_balance_permission"], WALLET, "accountType=UNIFIED")
        assert bybit_error(refused)[1] == 10005
    async with httpx.AsyncClient(base_url=bybit_simulator.urls["demo_url"]) as demo:
        assert (await bybit_get(demo, keys["demo_trading"], QUERY_API)).json()["retCode"] == 0
    with pytest.raises(KeyError):
        scenario.key("other_site")


async def test_rotation_and_balance_changes_share_the_account(bybit_simulator):
    scenario = bybit_simulator.scenario
    old = scenario.key("connects")
    new = scenario.add_key("rotated", "connects")
    assert (len(new.api_key), len(new.secret_key)) == (18, 36) and new.api_key != old.api_key
    rsa = scenario.add_key("rotated-rsa", "rsa")
    scenario.delete_key(old.api_key)
    scenario.change_balance("rotated", "USDT", Decimal("-20.48213"))
    async with httpx.AsyncClient(base_url=bybit_simulator.url) as http:
        assert bybit_error(await bybit_get(http, old, QUERY_API))[1] == 10003
        assert (await bybit_get(http, rsa, QUERY_API)).json()["retCode"] == 0
        wallet = (await bybit_get(http, new, WALLET, "accountType=UNIFIED&coin=USDT")).json()["result"]["list"][0]
    assert wallet["coin"][0]["walletBalance"] == "1500.00000"


def test_a_threaded_simulator_names_every_environments_urls():
    with ThreadedSimulator(new_state("bybit")) as sim:
        assert list(sim.urls) == ["url", "demo_url", "testnet_url"] and sim.url == sim.urls["url"]
        assert sim.ws_demo_url == sim.urls["demo_url"].replace("http", "ws") + "/v5/private"
        sim.scenario.skew_clock(-120)
        assert httpx.get(sim.urls["testnet_url"] + "/v5/market/time").json()["retCode"] == 0
