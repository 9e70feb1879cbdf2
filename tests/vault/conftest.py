"""Fixtures for the Vault store: a real OpenBao dev server, the Bitget simulator, and boxes.

One server serves the whole session; each test has a prefix of its own inside it, so tests never
see each other's accounts. A test that stops, seals or reconfigures the server takes a fresh one.
"""

import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_support import Result, environment, finish, run
from cli_support import start as start_cli
from vault_support import ROOT_TOKEN, Bao, box_env, start_bao


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


@dataclass
class Box:
    """``exchange-tui`` on one box of a fleet: its own process, HOME and name, one shared Vault."""

    name: str
    home: Path
    env: dict[str, str]

    def __call__(self, *args: str, stdin: str = "", env: dict[str, str | None] | None = None) -> Result:
        return run(args, environment(self.env, env), stdin)

    def start(self, *args: str, stdin: str = "") -> subprocess.Popen:
        """Start a command without waiting for it (:meth:`finish` waits)."""
        return start_cli(args, self.env, stdin)

    finish = staticmethod(finish)

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
def root(bao):
    return bao.client(ROOT_TOKEN)
