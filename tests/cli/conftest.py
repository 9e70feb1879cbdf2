import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_support import MASTER_PASSWORD, Result, environment, run
from cli_support import start as start_cli



@dataclass
class Cli:
    """``exchange-tui`` as a trading box runs it: its own process, HOME and environment."""

    home: Path
    env: dict[str, str]

    def __call__(self, *args: str, stdin: str = "", env: dict[str, str | None] | None = None) -> Result:
        """Run one command; ``env`` adds variables, or takes them away with ``None``."""
        return run(args, environment(self.env, env), stdin)

    def start(self, *args: str, stdin: str = "") -> subprocess.Popen:
        """Start a command without waiting for it."""
        return start_cli(args, self.env, stdin)

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
def config(cli):
    """Write the box's config file (``config.toml`` in its config folder); returns its path."""
    path = cli.home / "exchange-tui" / "config" / "config.toml"

    def write(text: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write
