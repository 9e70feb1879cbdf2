"""The headless face for every registered exchange: its credential variables, JSON on stdin, its own
prompt, its URL setting, the same report fields and exit codes. Each exchange's simulator runs on a
thread; the CLI runs as a trading box runs it, in a process of its own."""

import json
import os
import select
import subprocess
import time

import pytest
from cli_support import COMMAND, this_checkout

from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.simulator import ThreadedSimulator, new_state


@pytest.fixture(scope="module", params=sorted(EXCHANGES))
def simulated(request):
    with ThreadedSimulator(new_state(request.param)) as simulator:
        yield request.param, simulator


@pytest.fixture
def box(cli, simulated):
    """The CLI of a box with no OS keyring, pointed at this exchange's simulator by its URL settings."""
    exchange, simulator = simulated
    simulator.state.reset()
    for setting in EXCHANGES[exchange].urls:
        if setting.name in simulator.urls:
            cli.env[setting.env(exchange)] = simulator.urls[setting.name]
    return cli


def fields(key) -> dict[str, str]:
    values = {"api_key": key.api_key, "secret_key": key.secret_key, "passphrase": key.passphrase}
    return {name: value for name, value in values.items() if value is not None}


def test_add_reads_the_exchanges_own_variables(box, simulated):
    exchange, simulator = simulated
    key = simulator.scenario.key("connects")
    env = {field.env: fields(key)[field.name] for field in EXCHANGES[exchange].credentials}
    added = box("add", exchange, "main", "--json", env=env)
    assert added.code == 0, added.stderr
    report = added.json
    assert (report["exchange"], report["status"], report["label"]) == (exchange, "connected", "main")
    assert report["uid"] and report["balances"] and report["warnings"]
    (listed,) = box("accounts", "--json").json["accounts"]
    assert (listed["exchange"], listed["label"], listed["last_check"]["status"]) == (exchange, "main", "connected")
    assert box("check", "main", "--json").json["status"] == "connected"
    assert key.secret_key not in added.stdout + added.stderr


def test_add_reads_one_json_object_on_stdin_with_the_exchanges_fields(box, simulated):
    exchange, simulator = simulated
    key = simulator.scenario.key("connects")
    added = box("add", exchange, "main", "--json", stdin=json.dumps(fields(key)))
    assert added.code == 0 and added.json["status"] == "connected", added.stderr
    partial = box("add", exchange, "other", stdin=json.dumps({"api_key": key.api_key}))
    assert partial.code == 2 and '"secret_key"' in partial.stderr and EXCHANGES[exchange].name in partial.stderr


def test_a_refused_key_exits_1_naming_the_wrong_part_and_stores_nothing(box, simulated):
    exchange, simulator = simulated
    key = fields(simulator.scenario.key("connects"))
    key["secret_key"] = key["secret_key"][:-1] + ("1" if key["secret_key"][-1] == "0" else "0")
    refused = box("add", exchange, "main", "--json", stdin=json.dumps(key))
    assert refused.code == 1
    assert refused.json["status"] == "failed"
    assert (refused.json["error"]["reason"], refused.json["error"]["credential"]) == ("secret_wrong", "secret_key")
    assert box("accounts", "--json").json == {"accounts": []}


def test_a_demo_trading_key_is_added_as_one(box, simulated):
    exchange, simulator = simulated
    key = simulator.scenario.key("demo_trading")
    added = box("add", exchange, "paper", "--demo-trading", "--json", stdin=json.dumps(fields(key)))
    assert added.code == 0 and added.json["demo_trading"] is True, added.stderr


def test_url_applies_to_the_account_it_names(box, simulated):
    exchange, simulator = simulated
    for label, role in (("main", "connects"), ("other", "read_only")):
        assert box("add", exchange, label, stdin=json.dumps(fields(simulator.scenario.key(role)))).code == 0
    elsewhere = box("check", "main", "--url", "http://127.0.0.1:9", "--json")
    assert elsewhere.code == 3 and elsewhere.json["error"]["reason"] == "unavailable"
    assert box("check", "other", "--json").json["status"] == "connected"
    assert box("balance", "--url", "http://127.0.0.1:9").code == 2


def test_the_prompt_asks_for_the_fields_the_exchange_has(box, simulated):
    """On a terminal (a pseudo-terminal here), one no-echo prompt for each part of the exchange's keys."""
    exchange, simulator = simulated
    key = fields(simulator.scenario.key("connects"))
    leader, follower = os.openpty()

    def controlling_terminal() -> None:
        os.setsid()
        os.close(os.open(os.ttyname(follower), os.O_RDWR))

    process = subprocess.Popen(
        [*COMMAND, "add", exchange, "main"],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=this_checkout(box.env),
        preexec_fn=controlling_terminal,
    )
    os.close(follower)
    asked = []
    try:
        for field in EXCHANGES[exchange].credentials:
            prompt = f"{field.label}: "
            asked.append(_read_until(leader, prompt))
            os.write(leader, (key[field.name] + "\n").encode())
        stdout, stderr = process.communicate(timeout=60)
    finally:
        os.close(leader)
    assert asked == [f"{field.label}: " for field in EXCHANGES[exchange].credentials]
    assert process.returncode == 0, stderr
    assert b"Connected" in stdout or b"connected" in stdout


def _read_until(fd: int, prompt: str) -> str:
    """What the terminal shows up to the end of ``prompt`` (waiting on the descriptor, 30 s at most)."""
    seen = b""
    deadline = time.monotonic() + 30
    while not seen.decode(errors="replace").endswith(prompt):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no prompt {prompt!r}; the terminal showed {seen!r}"
        seen += os.read(fd, 1024)
    return seen.decode().strip("\r\n").split("\n")[-1].lstrip("\r")
