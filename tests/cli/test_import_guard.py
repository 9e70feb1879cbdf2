"""A headless command imports what it uses and no more: no Textual or Rich, no Vault client outside
Vault mode, no ccxt, and no other exchange's adapter than the account's. A regression guard that
needs no clock: the command runs in a process of its own and lists, at exit, the modules it loaded."""

import json
import subprocess
import sys

import pytest
from cli_support import this_checkout

from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.simulator import ThreadedSimulator, new_state

NEVER = {"textual", "rich", "hvac", "ccxt"}
ADAPTER = ("client", "stream", "live", "signing", "errors")
"""The modules of an exchange's folder that talk to it and read its answers; its spec, guide and the
words of its permissions are plain data and may load."""

PROBE = """
import atexit, json, os, sys
atexit.register(lambda: open(os.environ["MODULES_FILE"], "w").write(json.dumps(sorted(sys.modules))))
from exchange_tui.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def loaded(env: dict[str, str], tmp_path, *args: str, stdin: str = "") -> set[str]:
    listing = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=this_checkout(env | {"MODULES_FILE": str(listing)}),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(listing.read_text()))


def forbidden(modules: set[str], exchange: str | None) -> list[str]:
    found = sorted(m for m in modules if m.split(".")[0] in NEVER)
    for other in EXCHANGES:
        if other != exchange:
            found += sorted(m for m in modules if m.startswith(f"exchange_tui.exchanges.{other}.") and m.rsplit(".", 1)[-1] in ADAPTER)
    return found


@pytest.fixture(scope="module", params=sorted(EXCHANGES))
def simulated(request):
    with ThreadedSimulator(new_state(request.param)) as simulator:
        yield request.param, simulator


def test_accounts_loads_no_adapter_and_no_user_interface(cli, tmp_path):
    assert forbidden(loaded(cli.env, tmp_path, "accounts", "--json"), None) == []


def test_check_loads_only_its_exchanges_adapter(cli, tmp_path, simulated):
    exchange, simulator = simulated
    env = dict(cli.env)
    for setting in EXCHANGES[exchange].urls:
        if setting.name in simulator.urls:
            env[setting.env(exchange)] = simulator.urls[setting.name]
    key = simulator.scenario.key("connects")
    parts = {"api_key": key.api_key, "secret_key": key.secret_key, "passphrase": key.passphrase}
    stdin = json.dumps({name: value for name, value in parts.items() if value is not None})
    assert subprocess.run(
        [sys.executable, "-m", "exchange_tui", "add", exchange, "main"], input=stdin, capture_output=True, text=True,
        env=this_checkout(env), timeout=60,
    ).returncode == 0
    modules = loaded(env, tmp_path, "check", "main", "--json")
    assert f"exchange_tui.exchanges.{exchange}.client" in modules, "the probe sees what the command loaded"
    assert forbidden(modules, exchange) == []
