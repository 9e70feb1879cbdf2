"""The command line: one JSON line, then serving until a signal."""

import json
import signal
import socket
import subprocess
import sys

import httpx
import pytest
from cli_support import default_sigint
from sim_requests import account_fields

from exchange_tui.simulator.__main__ import main
from exchange_tui.simulator.bitget.accounts import demo_accounts


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "exchange_tui.simulator", *args],
        preexec_fn=default_sigint,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_prints_one_json_line_serves_and_exits_0_on_a_signal(stop):
    process = start("--port", "0", "--latency-ms", "1")
    try:
        line = json.loads(process.stdout.readline())
        assert set(line) == {"url", "ws_url", "ws_demo_url", "ws_uta_url", "ws_uta_demo_url", "accounts"}
        assert line["url"].startswith("http://127.0.0.1:")
        port = line["url"].rsplit(":", 1)[1]
        assert line["ws_url"] == f"ws://127.0.0.1:{port}/v2/ws/private"
        assert line["ws_demo_url"] == f"ws://127.0.0.1:{port}/demo/v2/ws/private"
        assert line["ws_uta_url"] == f"ws://127.0.0.1:{port}/v3/ws/private"
        assert line["ws_uta_demo_url"] == f"ws://127.0.0.1:{port}/demo/v3/ws/private"
        labels = [a["label"] for a in line["accounts"]]
        assert labels == [a.label for a in demo_accounts()]
        assert all(set(a) == {"label", "api_key", "secret_key", "passphrase"} for a in line["accounts"])
        answer = httpx.get(line["url"] + "/api/v2/public/time").json()
        assert answer["code"] == "00000"
        assert httpx.get(line["url"] + "/_sim/faults").json()["latency_ms"] == 1
        process.send_signal(stop)
        assert process.wait(timeout=10) == 0
        assert process.stdout.read() == ""
    finally:
        process.kill()
        process.wait()


def test_serves_an_accounts_file(tmp_path):
    account = account_fields()
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"accounts": [account]}))
    process = start("--accounts", str(path))
    try:
        line = json.loads(process.stdout.readline())
        assert line["accounts"] == [{k: account[k] for k in ("label", "api_key", "secret_key", "passphrase")}]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


def test_refuses_a_non_loopback_host_without_allow_remote(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--host", "0.0.0.0"])
    assert exit_.value.code == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_a_busy_port_is_reported_not_raised(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["--port", str(taken.getsockname()[1])]) == 1
    assert "cannot serve" in capsys.readouterr().err


def test_refuses_a_bad_accounts_file(tmp_path, capsys):
    path = tmp_path / "accounts.json"
    path.write_text('{"accounts": [{"label": "x"}]}')
    assert main(["--accounts", str(path)]) == 2
    assert main(["--accounts", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().out == ""


def test_serves_okx_with_its_own_websocket_paths():
    process = start("--exchange", "okx")
    try:
        line = json.loads(process.stdout.readline())
        assert set(line) == {"url", "ws_url", "ws_demo_url", "accounts"}
        port = line["url"].rsplit(":", 1)[1]
        assert line["ws_url"] == f"ws://127.0.0.1:{port}/ws/v5/private"
        assert line["ws_demo_url"] == f"ws://127.0.0.1:{port}/demo/ws/v5/private"
        assert line["accounts"][0]["label"] == "demo"
        assert httpx.get(line["url"] + "/api/v5/public/time").json()["code"] == "0"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()
