"""A real terminal: tmux at 80x24 runs the demo, the demo key is added through the form, "Connected", quit, exit 0.

Waiting is on the terminal's output: tmux pipes what the app writes into a FIFO, and the test
blocks on that FIFO (bounded) before looking at the screen again.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest



@pytest.fixture(autouse=True)
def _needs_tmux():
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is not installed (apt-get install tmux)")
        pytest.skip("tmux is not installed")

TIMEOUT = 30.0


class Tmux:
    def __init__(self, tmp_path: Path) -> None:
        self.socket = f"exchange-tui-test-{os.getpid()}"
        self.exit_file = tmp_path / "exit-code"
        self.fifo = tmp_path / "output"
        os.mkfifo(self.fifo)
        self.written = b""
        """Every byte the app wrote to the terminal so far: its scrollback, a crash report included."""

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True).stdout

    def start(self, command: str) -> None:
        self.tmux("new-session", "-d", "-s", "demo", "-x", "80", "-y", "24", f"{command}; echo $? > {self.exit_file}")
        self.tmux("pipe-pane", "-t", "demo", f"cat > {self.fifo}")
        self.output = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def wait_for(self, text: str) -> str:
        """Block on the app's output until ``text`` is on screen (or fail after TIMEOUT)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} never appeared; the screen:\n{screen}")
            if select.select([self.output], [], [], left)[0]:
                self.written += os.read(self.output, 65536)

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "demo", *keys)

    def exit_code(self) -> int:
        deadline = time.monotonic() + TIMEOUT
        while not self.exit_file.exists() or not self.exit_file.read_text().strip():
            left = deadline - time.monotonic()
            assert left > 0, "the app did not exit"
            if select.select([self.output], [], [], left)[0]:
                chunk = os.read(self.output, 65536)
                self.written += chunk
                if not chunk:
                    break
        return int(self.exit_file.read_text())

    def drain(self) -> bytes:
        """Everything the app wrote, once the pane has closed (the pipe's end)."""
        deadline = time.monotonic() + TIMEOUT
        while (left := deadline - time.monotonic()) > 0 and select.select([self.output], [], [], left)[0]:
            chunk = os.read(self.output, 65536)
            if not chunk:
                break
            self.written += chunk
        return self.written

    def close(self) -> None:
        os.close(self.output)
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def tmux(tmp_path):
    session = Tmux(tmp_path)
    yield session
    session.close()


@pytest.mark.parametrize("colour", ["256 colours", "NO_COLOR"])
def test_demo_adds_the_demo_key_in_tmux(tmux, colour):
    """The README's first command, keyboard only, at 80x24, with colours and without."""
    no_color = "NO_COLOR=1 " if colour == "NO_COLOR" else ""
    tmux.start(f"{no_color}TERM=screen-256color {sys.executable} -m exchange_tui --demo")
    tmux.wait_for("No exchange connected yet")
    tmux.send("a")
    tmux.wait_for("Pick the exchange")
    tmux.send("Enter")
    tmux.wait_for("Add Bitget account")
    tmux.send("F7")
    tmux.wait_for("Fill demo key")
    tmux.send("Enter")
    tmux.wait_for("••••••••••••••")
    tmux.send("Enter")
    screen = tmux.wait_for("Connected: Bitget · demo")
    assert "bg_83d5…" in screen
    tmux.send("C-q")
    assert tmux.exit_code() == 0
