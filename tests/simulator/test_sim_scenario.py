"""The scenarios: each role is the key it says, and each knob does what the contract suite expects."""

from decimal import Decimal

import httpx
import pytest
from sim_requests import bitget_error, signed_get

from exchange_tui.simulator import SimulatorServer, ThreadedSimulator, new_state
from exchange_tui.simulator.core.scenario import ROLES

INFO = "/api/v2/spot/account/info"
UTA_INFO = "/api/v3/account/info"
UTA_ASSETS = "/api/v3/account/assets"


async def test_every_role_is_offered_and_answers_as_it_says(client, simulator):
    scenario = simulator.scenario
    assert scenario.exchange == "bitget"
    keys = {role: scenario.key(role) for role in ROLES}
    connects = (await signed_get(client, keys["connects"], INFO)).json()["data"]
    assert connects["ips"] == "" and "wwow" not in connects["authorities"]
    assert "wwow" in (await signed_get(client, keys["withdraw"], INFO)).json()["data"]["authorities"]
    read_only = (await signed_get(client, keys["read_only"], INFO)).json()["data"]["authorities"]
    assert not [code for code in read_only if code.endswith("w")]
    assert bitget_error(await signed_get(client, keys["ip_bound"], INFO))[1] == "40018"
    assert keys["demo_trading"].demo_trading
    assert (await signed_get(client, keys["demo_trading"], INFO, paptrading=True)).json()["code"] == "00000"
    assert (await signed_get(client, keys["no_balance_permission"], UTA_INFO)).json()["code"] == "00000"
    assert bitget_error(await signed_get(client, keys["no_balance_permission"], UTA_ASSETS))[1] == "40014"
    with pytest.raises(KeyError):
        scenario.key("other_site")


async def test_skew_and_failures(client, simulator):
    scenario, key = simulator.scenario, simulator.scenario.key("connects")
    scenario.skew_clock(60)
    assert bitget_error(await signed_get(client, key, INFO))[1] == "40008"
    scenario.skew_clock(0)
    scenario.fail_next(1, 429)
    assert bitget_error(await signed_get(client, key, INFO))[:2] == (429, "429")
    scenario.fail_next(2, 503)
    assert [(await client.get("/api/v2/public/time")).status_code for _ in range(3)] == [503, 503, 200]
    with pytest.raises(ValueError):
        scenario.fail_next(1, 404)


async def test_delete_and_add_keys_on_the_same_account(client, simulator):
    scenario = simulator.scenario
    old = scenario.key("connects")
    new = scenario.add_key("rotated", "connects")
    assert new.label == "rotated" and new.api_key != old.api_key
    scenario.delete_key(old.api_key)
    assert bitget_error(await signed_get(client, old, INFO))[1] == "40037"
    assert (await signed_get(client, new, INFO)).json()["data"]["userId"] == simulator.state.account("demo").uid
    scenario.change_balance("rotated", "USDT", Decimal("-20.48213"))
    assets = (await signed_get(client, new, "/api/v2/spot/account/assets?coin=USDT")).json()["data"]
    assert assets[0]["available"] == "1500.00000"


def test_a_threaded_simulator_takes_scenario_calls_from_the_test_thread():
    with ThreadedSimulator() as sim:
        key = sim.scenario.key("connects")
        sim.scenario.skew_clock(-120)
        assert sim.state.faults.clock_offset_ms == -120_000
        assert httpx.get(sim.url + "/api/v2/public/time").json()["code"] == "00000"
        assert sim.ws_url.startswith("ws://127.0.0.1:") and sim.ws_demo_url.endswith("/demo/v2/ws/private")
        assert key.api_key.startswith("bg_")


def test_servers_name_their_urls():
    server = SimulatorServer()
    assert server.state.exchange == "bitget"
    assert set(server.ws_urls) == {"ws_url", "ws_demo_url", "ws_uta_url", "ws_uta_demo_url"}


def test_an_okx_threaded_simulator_offers_every_role_and_the_other_site():
    with ThreadedSimulator(new_state("okx")) as sim:
        assert sim.scenario.exchange == "okx"
        keys = {role: sim.scenario.key(role) for role in (*ROLES, "other_site")}
        assert keys["demo_trading"].demo_trading and keys["other_site"].site == "eea"
        assert {key.site for role, key in keys.items() if role != "other_site"} == {"global"}
        assert sim.ws_demo_url.endswith("/demo/ws/v5/private")
