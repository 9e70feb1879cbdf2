"""The headless CLI as a trading box uses it: separate processes, real store, the simulator over TCP."""

import json
import signal
import subprocess
import threading
from decimal import Decimal

import pytest
from cli_support import interrupt

from exchange_tui.simulator import RequestArrived


def secrets_of(bitget, label="demo"):
    account = bitget.state.account(label)
    return [account.secret_key, account.passphrase]


def test_add_from_stdin_json_verifies_stores_and_reports(cli, key_json, bitget):
    added = cli("add", "bitget", "main", "--json", stdin=key_json())
    assert added.code == 0, added.stderr
    report = added.json
    assert report["label"] == "main" and report["status"] == "connected" and report["error"] is None
    assert report["uid"] == bitget.state.account("demo").uid
    assert "futures holdings (read-write)" in report["permissions"]
    assert any("No IP is bound" in w for w in report["warnings"])
    first = report["balances"][0]
    assert set(first) == {"account", "coin", "available", "frozen", "locked", "usdt_value"}
    assert all(isinstance(first[k], str) for k in ("available", "frozen", "locked"))
    assert Decimal(report["total_usdt"]) == sum(Decimal(b["usdt_value"]) for b in report["balances"])

    listed = cli("accounts", "--json").json["accounts"]
    assert [(a["label"], a["key_prefix"], a["last_check"]["status"]) for a in listed] == [
        ("main", bitget.state.account("demo").api_key[:7] + "…", "connected")
    ]
    assert cli.files_containing(secrets_of(bitget)) == []


def test_add_from_the_environment(cli, bitget):
    account = bitget.state.account("demo-trading")
    env = {
        "BITGET_API_KEY": account.api_key,
        "BITGET_API_SECRET": account.secret_key,
        "BITGET_API_PASSPHRASE": account.passphrase,
    }
    added = cli("add", "bitget", "paper", "--demo-trading", "--json", env=env)
    assert added.code == 0 and added.json["demo_trading"] is True


def test_refused_key_exits_1_and_stores_nothing(cli, key_json):
    refused = cli("add", "bitget", "main", "--json", stdin=key_json(passphrase="WrongPassphrase1"))
    assert refused.code == 1
    assert refused.json["status"] == "failed"
    assert refused.json["error"]["code"] == "40012" and "passphrase" in refused.json["error"]["hint"]
    assert cli("accounts", "--json").json == {"accounts": []}


def test_refused_key_in_text_says_what_to_do(cli, key_json):
    refused = cli("add", "bitget", "main", stdin=key_json("demo-ip-bound"))
    assert refused.code == 1
    assert "whitelist" in refused.stdout and "40018" in refused.stdout


def test_unreachable_exchange_exits_3(cli, key_json, unused_tcp_port):
    down = cli("add", "bitget", "main", "--url", f"http://127.0.0.1:{unused_tcp_port}", stdin=key_json())
    assert down.code == 3
    assert "Cannot reach Bitget" in down.stdout


def test_bad_input_exits_2_with_one_line_naming_the_field(cli, key_json):
    bad_label = cli("add", "bitget", "two words", stdin=key_json())
    assert bad_label.code == 2 and "Label" in bad_label.stderr
    empty_key = cli("add", "bitget", "main", stdin=key_json(api_key=" \n"))
    assert empty_key.code == 2 and empty_key.stderr.strip() == "exchange-tui: The API key is empty"
    partial = cli("add", "bitget", "main", env={"BITGET_API_KEY": "bg_x"})
    assert partial.code == 2 and "BITGET_API_SECRET" in partial.stderr
    not_json = cli("add", "bitget", "main", stdin="api_key=bg_x")
    assert not_json.code == 2 and "JSON" in not_json.stderr
    unknown = cli("add", "kraken", "main", stdin=key_json())
    assert unknown.code == 2 and "bitget" in unknown.stderr


def test_no_secret_store_exits_4_with_the_fix(cli, key_json):
    result = cli("add", "bitget", "main", stdin=key_json(), env={"EXCHANGE_TUI_MASTER_PASSWORD": ""})
    assert result.code == 4
    assert len(result.stderr.strip().splitlines()) == 1
    assert "EXCHANGE_TUI_MASTER_PASSWORD" in result.stderr


def test_wrong_master_password_exits_4(cli, key_json):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    result = cli("doctor", env={"EXCHANGE_TUI_MASTER_PASSWORD": "not-the-master-password"})
    assert result.code == 4 and "master password" in result.stderr


def test_rotate_verifies_first_and_keeps_the_old_key_on_refusal(cli, key_json, bitget):
    assert cli("add", "bitget", "main", stdin=key_json("demo")).code == 0
    refused = cli("rotate", "main", "--json", stdin=key_json("demo-withdraw", passphrase="WrongPassphrase1"))
    assert refused.code == 1 and refused.json["error"]["code"] == "40012"
    kept = cli("check", "main", "--json")
    assert kept.code == 0 and kept.json["uid"] == bitget.state.account("demo").uid

    rotated = cli("rotate", "main", "--json", stdin=key_json("demo-withdraw"))
    assert rotated.code == 0 and rotated.json["status"] == "connected"
    account = cli("accounts", "--json").json["accounts"][0]
    assert account["rotated"] is not None
    assert account["key_prefix"] == bitget.state.account("demo-withdraw").api_key[:7] + "…"
    assert cli("check", "main", "--json").json["uid"] == bitget.state.account("demo-withdraw").uid


@pytest.mark.slow
def test_rotate_killed_mid_check_leaves_the_old_key(cli, key_json, bitget):
    assert cli("add", "bitget", "main", stdin=key_json("demo")).code == 0
    new_key = bitget.state.account("demo-withdraw").api_key
    checking = threading.Event()
    bitget.state.faults.latency_ms = 2_000
    unsubscribe = bitget.state.subscribe(
        lambda event: isinstance(event, RequestArrived) and event.path == "/api/v2/spot/account/info" and checking.set()
    )
    rotate = cli.start("rotate", "main", stdin=key_json("demo-withdraw"))
    try:
        assert checking.wait(30), "the rotate never reached the exchange"
    finally:
        rotate.send_signal(signal.SIGKILL)
        rotate.wait()
        unsubscribe()
        bitget.state.faults.latency_ms = 0
    account = cli("accounts", "--json").json["accounts"][0]
    assert account["rotated"] is None and not new_key.startswith(account["key_prefix"].rstrip("…"))
    assert cli("check", "main", "--json").json["uid"] == bitget.state.account("demo").uid


def test_remove_asks_unless_yes(cli, key_json, bitget):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    unasked = cli("remove", "main")
    assert unasked.code == 2 and "--yes" in unasked.stderr
    removed = cli("remove", "main", "--yes", "--json")
    assert removed.code == 0 and removed.json["removed"]["label"] == "main"
    assert cli("accounts", "--json").json == {"accounts": []}
    gone = cli("check", "main")
    assert gone.code == 2 and "no account labelled 'main'" in gone.stderr


def test_balance_of_every_account(cli, key_json):
    assert cli("add", "bitget", "main", stdin=key_json("demo")).code == 0
    assert cli("add", "bitget", "spot", stdin=key_json("demo-spot-only")).code == 0
    balances = cli("balance", "--json").json
    assert [a["label"] for a in balances["accounts"]] == ["main", "spot"]
    assert Decimal(balances["total_usdt"]) == sum(Decimal(a["total_usdt"]) for a in balances["accounts"])
    text = cli("balance", "main")
    assert text.code == 0 and text.stdout.startswith("main: ")


def test_locate_names_the_folders_and_backend(cli):
    located = cli("locate", "--json").json
    assert located["data"] == str(cli.home / "exchange-tui" / "data")
    assert located["secret_backend"] == "encrypted-file"
    assert "PYTHON_KEYRING_BACKEND" in located["secret_backend_detail"]


def test_on_a_real_secret_service(cli, key_json, bitget, secret_service):
    env = {
        "PYTHON_KEYRING_BACKEND": None,
        "EXCHANGE_TUI_MASTER_PASSWORD": None,
        "DBUS_SESSION_BUS_ADDRESS": secret_service.address,
    }
    located = cli("locate", "--json", env=env).json
    assert "Secret Service" in located["secret_backend_detail"]
    added = cli("add", "bitget", "ssh-box", "--json", stdin=key_json(), env=env)
    assert added.code == 0, added.stderr
    assert cli("check", "ssh-box", env=env).code == 0
    assert cli.files_containing(secrets_of(bitget)) == []
    assert cli("remove", "ssh-box", "--yes", env=env).code == 0
    assert json.loads(cli("accounts", "--json", env=env).stdout) == {"accounts": []}


def test_balance_watch_streams_one_json_line_per_change(cli, key_json, bitget):
    import queue

    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    watch = cli.start("balance", "main", "--watch", "--json")
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in watch.stdout], daemon=True).start()
    try:
        first = json.loads(lines.get(timeout=30))
        assert first["label"] == "main" and first["source"] == "live" and first["error"] is None
        bitget.state.set_balance("demo", "USDT", "4242.5")
        while True:
            line = json.loads(lines.get(timeout=30))
            usdt = next(b for b in line["balances"] if b["account"] == "spot" and b["coin"] == "USDT")
            if usdt["available"] == "4242.5":
                break
        assert Decimal(line["total_usdt"]) > Decimal(first["total_usdt"])
    finally:
        interrupt(watch)
    assert "Traceback" not in watch.stderr.read()


def test_a_quiet_watch_outlives_its_timeout(cli, key_json, bitget):
    """Balances that do not change for longer than --timeout are not an unreachable exchange."""
    import queue

    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    watch = cli.start("balance", "main", "--watch", "--json", "--timeout", "1")
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in watch.stdout], daemon=True).start()
    try:
        assert json.loads(lines.get(timeout=30))["source"] == "live"
        with pytest.raises(subprocess.TimeoutExpired):
            watch.wait(timeout=3)  # three times --timeout without a change, and still watching
        bitget.state.set_balance("demo", "USDT", "777")
        assert json.loads(lines.get(timeout=30))["error"] is None
    finally:
        interrupt(watch)
    assert "unreachable" not in watch.stderr.read()


def test_a_watch_ends_with_one_line_when_its_account_is_removed(cli, key_json):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    watch = cli.start("balance", "main", "--watch", "--json")
    assert json.loads(watch.stdout.readline())["source"] == "live"

    assert cli("remove", "main", "--yes").code == 0

    assert watch.wait(timeout=30) == 2
    assert watch.stderr.read().strip() == "exchange-tui: account 'main' was removed: nothing left to watch"


def test_balance_watch_gives_up_with_3_when_unreachable(cli, key_json, unused_tcp_port):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    down = cli("balance", "main", "--watch", "--timeout", "4", "--interval", "0.2", "--url", f"http://127.0.0.1:{unused_tcp_port}")
    assert down.code == 3
    assert "unreachable for 4 s" in down.stderr and "Cannot reach Bitget" in down.stderr
