"""The Binance simulator's scenario roles, accounts files and command line."""

import json
import re
import subprocess
import sys
from decimal import Decimal

import httpx
import pytest
from binance_requests import binance_get
from pydantic import ValidationError

from exchange_tui.simulator import SimulatorServer, new_state
from exchange_tui.simulator.binance import SimAccount, demo_accounts, load_accounts
from exchange_tui.simulator.binance.accounts import KEY_PATTERN
from exchange_tui.simulator.core.scenario import ROLES

ACCOUNT = "/api/v3/account"
EXTRA_ROLES = ("testnet", "ed25519", "rsa")


def test_every_core_role_and_binances_own():
    scenario = new_state("binance").scenario
    assert scenario.exchange == "binance"
    for role in (*ROLES, *EXTRA_ROLES):
        key = scenario.key(role)
        assert key.passphrase is None and key.site is None
        assert (key.demo_trading, key.testnet) == (role == "demo_trading", role == "testnet")
    assert "PRIVATE KEY" in scenario.key("ed25519").secret_key and len(scenario.key("ed25519").secret_key) <= 120
    assert len(scenario.key("rsa").secret_key) > 120
    with pytest.raises(KeyError):
        scenario.key("other_site")


def test_the_demo_accounts_in_binances_formats():
    accounts = demo_accounts()
    assert accounts[0].label == "demo"
    first = accounts[0]
    assert (first.enable_reading, first.enable_spot_and_margin_trading, first.enable_futures) == (True, True, True)
    assert (first.enable_withdrawals, first.ips) == (False, ())
    for account in accounts:
        assert re.fullmatch(KEY_PATTERN, account.api_key)
        if account.key_type == "hmac":
            assert re.fullmatch(KEY_PATTERN, account.secret_key)


@pytest.mark.parametrize(
    "changes",
    [
        {"enable_withdrawals": True},
        {"secret_key": "-----BEGIN PRIVATE KEY-----"},
        {"key_type": "ed25519"},
        {"api_key": "x" * 63},
        {"ips": ["10.0.0.1"] * 31},
        {"spot": [{"asset": "USDT", "free": "1"}, {"asset": "usdt", "free": "2"}]},
    ],
)
def test_an_accounts_file_is_checked(changes):
    base = {"label": "a", "uid": 1, "api_key": "A" * 64, "secret_key": "B" * 64}
    with pytest.raises(ValidationError):
        SimAccount.model_validate(base | changes)


def test_an_accounts_file_loads(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"accounts": [{"label": "mine", "uid": 7, "api_key": "A" * 64, "secret_key": "B" * 64,
                                              "spot": [{"asset": "usdt", "free": 5}]}]}))
    (account,) = load_accounts(path)
    assert (account.label, account.spot[0].asset, account.spot[0].free) == ("mine", "USDT", Decimal(5))


async def test_a_rotated_key_of_each_type_works_and_the_old_one_can_be_deleted():
    async with SimulatorServer(new_state("binance")) as server, httpx.AsyncClient(base_url=server.url) as spot:
        scenario = server.scenario
        for role in ("connects", "ed25519", "rsa"):
            old = scenario.key(role)
            new = scenario.add_key(f"rotated-{role}", role)
            assert new.api_key != old.api_key and ("PRIVATE KEY" in new.secret_key) == (role != "connects")
            assert (await binance_get(spot, new, ACCOUNT)).json()["uid"] == 354937868
            scenario.delete_key(old.api_key)
            assert (await binance_get(spot, old, ACCOUNT)).status_code == 401
        scenario.change_balance("rotated-connects", "USDT", Decimal(1))
        balances = (await binance_get(spot, new, ACCOUNT)).json()["balances"]
        assert balances[0]["free"] == "1521.48213000"
        with pytest.raises(ValueError):
            scenario.change_balance("demo-readonly", "USDT", Decimal(-1000))
        with pytest.raises(ValueError):
            scenario.fail_next(1, 404)


def test_the_command_line_prints_both_ports_and_the_websockets():
    process = subprocess.Popen(
        [sys.executable, "-m", "exchange_tui.simulator", "--exchange", "binance"], stdout=subprocess.PIPE, text=True
    )
    try:
        line = json.loads(process.stdout.readline())
        assert httpx.get(line["futures_url"] + "/fapi/v1/time").json()["serverTime"] > 0
        assert httpx.get(line["url"] + "/api/v3/time").json()["serverTime"] > 0
    finally:
        process.terminate()
        process.wait(5)
    assert {"url", "futures_url", "demo_url", "demo_futures_url", "ws_url", "futures_ws_url", "accounts"} <= set(line)
    assert line["accounts"][0]["label"] == "demo"
