"""How fast a balance change at the exchange reaches the app: WebSocket pushes against REST polling.

The simulator runs as its own process (so the RSS figures are ours alone) with 100 accounts. The
app side watches every account with the same live-balance code the TUI and ``balance --watch``
use (Bitget's private WebSocket, REST polling while it is down). Each trial changes one account's
USDT balance through the simulator's control endpoint and times until that account's watcher has
the new figure; the same for one account watched by ``exchange-tui balance LABEL --watch --json``,
until the line with the new figure is printed. Goal: p95 <= 100 ms over loopback with 100 accounts on the WebSocket, and RSS
growth from 1 to 100 watched accounts under 30 MB.

The polling phase makes the simulator refuse every WebSocket login, so the streams' failed logins
there are expected and kept out of the output; a failed login anywhere else (in the WebSocket
phases, or in ``balance --watch``) is a broken bench: it is printed and the bench exits 1.

    python3 bench/live_latency.py [--accounts 100] [--trials 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx

from exchange_tui.exchanges.bitget import stream
from exchange_tui.exchanges.bitget.client import BitgetClient
from exchange_tui.exchanges.bitget.live import live_balances, ws_url_for
from exchange_tui.models import BalanceSource, Credentials
from exchange_tui.simulator.bitget import demo_accounts

POLL_INTERVAL_S = 2.0
POLLED_ACCOUNTS = 10
POLLED_TRIALS = 10


def accounts_file(count: int, folder: Path) -> Path:
    template = next(a for a in demo_accounts() if a.label == "demo")
    accounts = [
        template.model_copy(
            update={
                "label": f"bench-{i}",
                "uid": str(4_000_000_000 + i),
                "api_key": "bg_" + secrets.token_hex(16),
                "secret_key": secrets.token_hex(32),
                "passphrase": f"Bench{i:04d}pass",
            }
        )
        for i in range(count)
    ]
    path = folder / "accounts.json"
    path.write_text(json.dumps({"accounts": [a.model_dump(mode="json", by_alias=True) for a in accounts]}))
    return path


class StreamFailures(logging.Handler):
    """The live streams' warnings (a stream that failed for good, e.g. a refused login), kept off the
    terminal: expected while ``expected`` is set, collected as failures otherwise."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.expected = False
        self.unexpected: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not self.expected:
            self.unexpected.append(record.getMessage())


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Watchers:
    """One live-balance watcher per account, remembering each account's latest USDT figure."""

    def __init__(self, url: str, accounts: list[dict[str, str]]) -> None:
        self.url = url
        self.accounts = accounts
        self.usdt: dict[str, Decimal] = {}
        self.sources: dict[str, BalanceSource] = {}
        self.changed = asyncio.Condition()
        self.tasks: list[asyncio.Task] = []

    async def start(self, source: BalanceSource) -> None:
        for account in self.accounts:
            self.tasks.append(asyncio.create_task(self._watch(account)))
        await self.wait(lambda: all(self.sources.get(a["label"]) is source for a in self.accounts), 120)

    async def _watch(self, account: dict[str, str]) -> None:
        credentials = Credentials(
            api_key=account["api_key"], secret_key=account["secret_key"], passphrase=account["passphrase"]
        )
        async with BitgetClient(credentials, base_url=self.url) as client:
            readings = live_balances(
                client, credentials, ws_url=ws_url_for(self.url, False, {}), poll_interval=POLL_INTERVAL_S
            )
            async for reading in readings:
                if reading.balances is None:
                    continue
                usdt = next(b.available for b in reading.balances if b.account == "spot" and b.coin == "USDT")
                async with self.changed:
                    self.usdt[account["label"]] = usdt
                    self.sources[account["label"]] = reading.source
                    self.changed.notify_all()

    async def wait(self, condition, limit: float) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(condition), limit)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def trials(url: str, watchers: Watchers, count: int) -> list[float]:
    """Milliseconds from asking the simulator for a change until the watcher holds it."""
    latencies = []
    async with httpx.AsyncClient(base_url=url) as control:
        for trial in range(count):
            label = watchers.accounts[trial % len(watchers.accounts)]["label"]
            value = Decimal(10_000 + trial) + Decimal("0.5")
            started = time.perf_counter()
            answer = await control.post("/_sim/balance", json={"label": label, "coin": "USDT", "available": str(value)})
            answer.raise_for_status()
            await watchers.wait(lambda: watchers.usdt.get(label) == value, 30)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return statistics.median(values), cuts[18]


def cli_watch_latency(url: str, account: dict[str, str], folder: Path, count: int) -> list[float]:
    """Milliseconds from asking the simulator for a change until ``balance --watch --json`` prints it."""
    env = {
        **os.environ,
        "EXCHANGE_TUI_HOME": str(folder / "cli-home"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "EXCHANGE_TUI_MASTER_PASSWORD": secrets.token_hex(16),
        "EXCHANGE_TUI_BITGET_URL": url,
    }
    command = [sys.executable, "-m", "exchange_tui"]
    key = json.dumps({k: account[k] for k in ("api_key", "secret_key", "passphrase")})
    subprocess.run([*command, "add", "bitget", "watched"], input=key, env=env, check=True, capture_output=True, text=True)
    watch = subprocess.Popen(
        [*command, "balance", "watched", "--watch", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    latencies = []
    try:
        watch.stdout.readline()
        with httpx.Client(base_url=url) as control:
            for trial in range(count):
                value = str(Decimal(20_000 + trial) + Decimal("0.25"))
                started = time.perf_counter()
                control.post(
                    "/_sim/balance", json={"label": account["label"], "coin": "USDT", "available": value}
                ).raise_for_status()
                while not any(
                    b["coin"] == "USDT" and b["account"] == "spot" and b["available"] == value
                    for b in json.loads(watch.stdout.readline())["balances"] or []
                ):
                    pass
                latencies.append((time.perf_counter() - started) * 1000)
    finally:
        watch.terminate()
        _, errors = watch.communicate()
    failed = [line for line in errors.splitlines() if " failed: " in line]
    if failed:
        raise SystemExit("balance --watch: a WebSocket login failed:\n" + "\n".join(failed))
    return latencies


async def measure(url: str, accounts: list[dict[str, str]], trial_count: int, folder: Path) -> None:
    failures = StreamFailures()
    log = logging.getLogger(stream.__name__)
    log.addHandler(failures)
    log.propagate = False
    cli_latency = await asyncio.to_thread(cli_watch_latency, url, accounts[-1], folder, 20)
    async with httpx.AsyncClient(base_url=url) as control:
        base_rss = rss_mb()
        one = Watchers(url, accounts[:1])
        await one.start(BalanceSource.LIVE)
        one_rss = rss_mb()
        one_latency = await trials(url, one, 20)
        await one.stop()

        many = Watchers(url, accounts)
        await many.start(BalanceSource.LIVE)
        many_rss = rss_mb()
        ws_latency = await trials(url, many, trial_count)
        await many.stop()

        (await control.post("/_sim/faults", json={"ws_refuse_login": True})).raise_for_status()
        failures.expected = True
        polled = Watchers(url, accounts[:POLLED_ACCOUNTS])
        await polled.start(BalanceSource.POLLING)
        poll_latency = await trials(url, polled, POLLED_TRIALS)
        await polled.stop()
    if failures.unexpected:
        raise SystemExit("a WebSocket login failed outside the polling phase:\n" + "\n".join(failures.unexpected))

    p50, p95 = percentiles(one_latency)
    print(f"websocket, 1 account:      p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({len(one_latency)} changes)")
    p50, p95 = percentiles(cli_latency)
    print(f"balance --watch --json:    p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({len(cli_latency)} changes)")
    p50, p95_polled = percentiles(poll_latency)
    print(
        f"polling every {POLL_INTERVAL_S:g} s, {POLLED_ACCOUNTS} accounts: p50 {p50:7.1f} ms  p95 {p95_polled:7.1f} ms"
        f"  ({len(poll_latency)} changes)"
    )
    p50, p95 = percentiles(ws_latency)
    print(f"websocket, {len(accounts)} accounts:  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({len(ws_latency)} changes)")
    print(f"RSS: {base_rss:.1f} MB before, {one_rss:.1f} MB watching 1, {many_rss:.1f} MB watching {len(accounts)}")
    print(f"RSS growth from 1 to {len(accounts)} accounts: {many_rss - one_rss:.1f} MB")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")
    print(f"p95_ms={p95:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--trials", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = accounts_file(args.accounts, Path(folder))
        simulator = subprocess.Popen(
            [sys.executable, "-m", "exchange_tui.simulator", "--accounts", str(path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            started = json.loads(simulator.stdout.readline())
            asyncio.run(measure(started["url"], started["accounts"], args.trials, Path(folder)))
        finally:
            simulator.terminate()
            simulator.wait()


if __name__ == "__main__":
    main()
