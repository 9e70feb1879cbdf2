"""A headless command imports what it uses and no more: no Textual or Rich, no Vault client outside
Vault mode, no ccxt, no other exchange's adapter than the account's, no secret store for a command
that reads no secret, and no encrypted-file backend (nor keyring's backend discovery) where the
Secret Service is the store. A regression guard that needs no clock: the command runs in a process
of its own and lists, at exit, the modules it loaded."""

import json
import subprocess
import sys

import pytest
from cli_support import this_checkout

from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.simulator import ThreadedSimulator, new_state

NEVER = {"textual", "rich", "hvac", "ccxt", "trio"}
ENCRYPTED_FILE = {"keyrings", "Crypto", "argon2"}
"""The encrypted file's backend and its ciphers."""
SECRET_STORES = {"keyring", "secretstorage", "jeepney"} | ENCRYPTED_FILE
ADAPTER = ("client", "stream", "live", "signing", "errors")
"""The modules of an exchange's folder that talk to it and read its answers; its spec, guide and the
words of its permissions are plain data and may load."""

PROBE = """
import atexit, json, os, sys
atexit.register(lambda: open(os.environ["MODULES_FILE"], "w").write(json.dumps(sorted(
    name for name, module in sys.modules.items() if module is not None  # None: marked absent, never loaded
))))
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


def forbidden(modules: set[str], exchange: str | None, also: set[str] = frozenset()) -> list[str]:
    found = sorted(m for m in modules if m.split(".")[0] in NEVER | also)
    for other in EXCHANGES:
        if other != exchange:
            found += sorted(m for m in modules if m.startswith(f"exchange_tui.exchanges.{other}.") and m.rsplit(".", 1)[-1] in ADAPTER)
    return found


@pytest.fixture(scope="module", params=sorted(EXCHANGES))
def simulated(request):
    with ThreadedSimulator(new_state(request.param)) as simulator:
        yield request.param, simulator


def test_accounts_loads_no_adapter_no_secret_store_and_no_user_interface(cli, key_json, tmp_path):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    modules = loaded(cli.env, tmp_path, "accounts", "--json")
    assert "exchange_tui.store.index" in modules, "the probe sees what the command loaded"
    assert forbidden(modules, None, also=SECRET_STORES) == []


def test_check_on_the_secret_service_loads_no_encrypted_file_and_no_keyring(cli, tmp_path, simulated, on_secret_service):
    exchange, simulator = simulated
    env = {name: value for name, value in cli.env.items() if name not in ("PYTHON_KEYRING_BACKEND", "EXCHANGE_TUI_MASTER_PASSWORD")}
    modules = check(env | on_secret_service.env | {"HOME": cli.env["HOME"]}, tmp_path, exchange, simulator)
    assert "exchange_tui.store.secret_service" in modules, "the key was read from the Secret Service"
    assert forbidden(modules, exchange, also=ENCRYPTED_FILE | {"keyring"}) == []


def test_check_loads_only_its_exchanges_adapter(cli, tmp_path, simulated):
    exchange, simulator = simulated
    assert forbidden(check(dict(cli.env), tmp_path, exchange, simulator), exchange) == []


def check(env: dict[str, str], tmp_path, exchange: str, simulator) -> set[str]:
    """The modules ``check`` loads for a key of ``exchange`` added first (in its own process)."""
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
    return modules
