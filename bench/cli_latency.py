"""Whole headless commands, as scripts on a trading box run them, against a baseline in the same run.

A Bitget simulator runs in its own process with 50 ms added to every answer; a real Secret Service
(gnome-keyring on a private D-Bus session) holds the key. Each round times, as separate processes:
``python -c pass``; a stdlib process that makes one signed request (the floor for any client);
``exchange-tui accounts --json``; ``exchange-tui check LABEL --json``. Medians are printed, then
``accounts_over_pass_s`` and, last, ``ratio=X.XX``: check over the stdlib one-request process.
Goals (issue 15): ratio <= 3.0; accounts within 0.15 s of ``python -c pass``.

The package is byte-compiled first, as an installed one is: an editable checkout run with
``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every module of ours on every run.

    python3 bench/cli_latency.py [--rounds N] [--latency-ms N]
"""

from __future__ import annotations

import argparse
import compileall
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "exchange_tui"
TESTS = PACKAGE.parent / "tests"
"""Where the tests' real Secret Service (``conftest.start_bus``) comes from: one, not a copy."""

LABEL = "main"
ACCOUNT = "demo-unified"
"""A unified Bitget account, as every new one is: its check is one round trip after the clock sync."""

ONE_SIGNED_REQUEST = """
import base64, hashlib, hmac, json, os, sys, time, urllib.request
key = json.loads(sys.stdin.read())
ts = str(int(time.time() * 1000))
path = "/api/v3/account/info"
sign = base64.b64encode(hmac.new(key["secret_key"].encode(), (ts + "GET" + path).encode(), hashlib.sha256).digest())
request = urllib.request.Request(os.environ["EXCHANGE_TUI_BITGET_URL"] + path, headers={
    "ACCESS-KEY": key["api_key"], "ACCESS-SIGN": sign.decode(), "ACCESS-TIMESTAMP": ts,
    "ACCESS-PASSPHRASE": key["passphrase"], "Content-Type": "application/json"})
assert json.load(urllib.request.urlopen(request))["code"] == "00000"
"""


def timed(args: list[str], env: dict[str, str], stdin: str = "") -> float:
    started = time.perf_counter()
    done = subprocess.run(args, input=stdin, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--latency-ms", type=int, default=50)
    args = parser.parse_args()
    compileall.compile_dir(PACKAGE, quiet=1)
    sys.path.insert(0, str(TESTS))
    start_bus = importlib.import_module("conftest").start_bus
    with tempfile.TemporaryDirectory(prefix="cli-latency-") as folder:
        home = Path(folder)
        simulator = subprocess.Popen(
            [sys.executable, "-m", "exchange_tui", "simulator", "--latency-ms", str(args.latency_ms)],
            stdout=subprocess.PIPE,
            text=True,
        )
        service = start_bus(home / "secret-service")
        try:
            service.start_keyring()
            line = json.loads(simulator.stdout.readline())
            account = next(a for a in line["accounts"] if a["label"] == ACCOUNT)
            key = json.dumps({part: account[part] for part in ("api_key", "secret_key", "passphrase")})
            env = {name: value for name, value in service.env.items() if name != "PYTHON_KEYRING_BACKEND"}
            env |= {"EXCHANGE_TUI_HOME": str(home / "exchange-tui"), "EXCHANGE_TUI_BITGET_URL": line["url"]}
            app = [sys.executable, "-m", "exchange_tui"]
            timed([*app, "add", "bitget", LABEL], env, key)
            runs: dict[str, list[float]] = {"python -c pass": [], "stdlib one request": [], "accounts": [], "check": []}
            for _ in range(args.rounds):
                runs["python -c pass"].append(timed([sys.executable, "-c", "pass"], env))
                runs["stdlib one request"].append(timed([sys.executable, "-c", ONE_SIGNED_REQUEST], env, key))
                runs["accounts"].append(timed([*app, "accounts", "--json"], env))
                runs["check"].append(timed([*app, "check", LABEL, "--json"], env))
        finally:
            service.stop()
            simulator.terminate()
            simulator.wait()
    medians = {name: statistics.median(times) for name, times in runs.items()}
    print(f"latency added per request: {args.latency_ms} ms, rounds: {args.rounds}, secret store: Secret Service")
    for name, median in medians.items():
        print(f"{name + ', median:':<28}{median * 1000:8.1f} ms")
    print(f"accounts_over_pass_s={medians['accounts'] - medians['python -c pass']:.3f}")
    print(f"ratio={medians['check'] / medians['stdlib one request']:.2f}")


if __name__ == "__main__":
    main()
