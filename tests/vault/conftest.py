"""Fixtures for the Vault store: a real OpenBao dev server, the Bitget simulator, and boxes.

One server serves the whole session; each test has a prefix of its own inside it, so tests never
see each other's accounts. A test that stops, seals or reconfigures the server takes a fresh one.
"""

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from vault_support import ROOT_TOKEN, Bao, box_env, start_bao

from exchange_tui.simulator import ThreadedSimulator


def _start(folder: Path) -> Bao:
    try:
        return start_bao(folder)
    except RuntimeError as problem:
        if os.environ.get("CI"):
            pytest.fail(str(problem))
        pytest.skip(str(problem))


@pytest.fixture(scope="session")
def bao(tmp_path_factory):
    server = _start(tmp_path_factory.mktemp("bao"))
    yield server
    server.stop()


@pytest.fixture
def fresh_bao(tmp_path):
    """A server of this test's own, to stop, seal or reconfigure."""
    server = _start(tmp_path / "bao")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bitget():
    with ThreadedSimulator() as simulator:
        yield simulator


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self):
        return json.loads(self.stdout)


@dataclass
class Box:
    """``exchange-tui`` on one box of a fleet: its own process, HOME and name, one shared Vault."""

    name: str
    home: Path
    env: dict[str, str]

    def __call__(self, *args: str, stdin: str = "", env: dict[str, str | None] | None = None) -> Result:
        environment = {key: value for key, value in (self.env | (env or {})).items() if value is not None}
        done = subprocess.run(
            [sys.executable, "-m", "exchange_tui", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return Result(done.returncode, done.stdout, done.stderr)

    def start(self, *args: str, stdin: str = "") -> subprocess.Popen:
        """Start a command without waiting for it (:meth:`finish` waits)."""
        process = subprocess.Popen(
            [sys.executable, "-m", "exchange_tui", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )
        process.stdin.write(stdin)
        process.stdin.close()
        return process

    @staticmethod
    def finish(process: subprocess.Popen, timeout: float = 60) -> Result:
        code = process.wait(timeout)
        result = Result(code, process.stdout.read(), process.stderr.read())
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def files(self) -> list[Path]:
        return [path for path in self.home.rglob("*") if path.is_file()]


@pytest.fixture
def prefix():
    return f"t-{uuid.uuid4().hex[:8]}/"


@pytest.fixture
def boxes(tmp_path, bao, bitget, prefix):
    """``boxes("a")`` is a box on the session's server; ``boxes("a", server=other, VAR=value)`` on another."""
    bitget.state.reset()

    def make(name: str, *, server: Bao = bao, **extra: str) -> Box:
        home = tmp_path / name
        home.mkdir()
        return Box(name, home, box_env(home, server, prefix, name, bitget.url, **extra))

    return make


@pytest.fixture
def key_json(bitget):
    """One simulator key as the JSON the CLI reads on stdin."""

    def make(label: str = "demo") -> str:
        account = bitget.state.account(label)
        return json.dumps(
            {"api_key": account.api_key, "secret_key": account.secret_key, "passphrase": account.passphrase}
        )

    return make


@pytest.fixture
def root(bao):
    return bao.client(ROOT_TOKEN)
