import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from exchange_tui.simulator import ThreadedSimulator

MASTER_PASSWORD = "cli-tests-master-password"


@pytest.fixture(scope="module")
def bitget():
    """One simulator on its own thread for the module (the CLI runs as a separate process)."""
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
class Cli:
    """``exchange-tui`` as a trading box runs it: its own process, HOME and environment."""

    home: Path
    env: dict[str, str]

    def __call__(self, *args: str, stdin: str = "", env: dict[str, str | None] | None = None) -> Result:
        """Run one command; ``env`` adds variables, or takes them away with ``None``."""
        environment = {name: value for name, value in (self.env | (env or {})).items() if value is not None}
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

    def files_containing(self, needles: list[str]) -> list[str]:
        return [
            str(path)
            for path in self.home.rglob("*")
            if path.is_file() and any(needle.encode() in path.read_bytes() for needle in needles)
        ]


@pytest.fixture
def cli(tmp_path, bitget):
    """The CLI on an encrypted-file store (no OS keyring), pointed at the simulator, state fresh."""
    bitget.state.reset()
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "EXCHANGE_TUI_HOME": str(home / "exchange-tui"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "EXCHANGE_TUI_MASTER_PASSWORD": MASTER_PASSWORD,
        "EXCHANGE_TUI_BITGET_URL": bitget.url,
    }
    return Cli(home, env)


@pytest.fixture
def key_json(bitget):
    """One simulator account's credentials as the JSON object the CLI reads on stdin."""

    def make(label: str = "demo", **changes: str) -> str:
        account = bitget.state.account(label)
        values = {"api_key": account.api_key, "secret_key": account.secret_key, "passphrase": account.passphrase}
        return json.dumps(values | changes)

    return make
