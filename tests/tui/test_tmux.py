"""A real terminal: tmux at 80x24 runs the demo, the demo key is added through the form (filled in with
F7, or pasted with the terminal's paste), "Connected", quit, exit 0; a master password is pasted too.

Waiting is on the terminal's output: tmux pipes what the app writes into a FIFO, and the test
blocks on that FIFO (bounded) before looking at the screen again.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from exchange_tui.simulator.bitget import demo_accounts
from exchange_tui.store import Locations, WrongMasterPassword, open_encrypted_file
from exchange_tui.exchanges.registry import EXCHANGES


@pytest.fixture(autouse=True)
def _needs_tmux():
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is not installed (apt-get install tmux)")
        pytest.skip("tmux is not installed")

TIMEOUT = 30.0


class Tmux:
    def __init__(self, tmp_path: Path) -> None:
        # The server's socket in a folder of our own (tmp_path may be too long for a socket's name),
        # removed with it: tmux's own -L sockets stay in /tmp/tmux-UID after the server ends.
        self.folder = tempfile.mkdtemp(prefix="xt-tmux-")
        self.socket = os.path.join(self.folder, "socket")
        self.exit_file = tmp_path / "exit-code"
        self.fifo = tmp_path / "output"
        os.mkfifo(self.fifo)
        self.written = b""
        """Every byte the app wrote to the terminal so far: its scrollback, a crash report included."""

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], check=True, capture_output=True, text=True).stdout

    def start(self, command: str) -> None:
        self.tmux("new-session", "-d", "-s", "demo", "-x", "80", "-y", "24", f"{command}; echo $? > {self.exit_file}")
        self.tmux("pipe-pane", "-t", "demo", f"cat > {self.fifo}")
        self.output = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def cursor_line(self) -> str:
        """The screen's line under the terminal's cursor: Textual puts it in the focused input."""
        row = int(self.tmux("display-message", "-p", "-t", "demo", "#{cursor_y}"))
        return self.screen().splitlines()[row]

    def wait_until(self, check: Callable[[str], bool], what: str) -> str:
        """Block on the app's output until ``check(screen)`` holds (or fail after TIMEOUT)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{what} never happened; the screen:\n{screen}")
            if select.select([self.output], [], [], left)[0]:
                self.written += os.read(self.output, 65536)

    def wait_for(self, text: str) -> str:
        """Block on the app's output until ``text`` is on screen."""
        return self.wait_until(lambda screen: text in screen, f"{text!r} on screen")

    def wait_for_cursor_on(self, text: str) -> str:
        """Block until the focused input's line shows ``text`` (a field's title, its placeholder, "•").

        An input focused before its screen is laid out (a screen's first field) gets the cursor
        only once the cursor moves in it: wait for that field's screen instead.
        """
        return self.wait_until(lambda screen: text in self.cursor_line(), f"the cursor on a line with {text!r}")

    def paste(self, text: str) -> None:
        """Paste ``text`` as a terminal does: one bracketed paste (tmux sends each ``\\n`` as ``\\r``)."""
        self.tmux("set-buffer", "--", text)
        self.tmux("paste-buffer", "-d", "-p", "-t", "demo")

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
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def tmux(tmp_path):
    session = Tmux(tmp_path)
    yield session
    session.close()


@pytest.mark.parametrize("colour", ["256 colours", "NO_COLOR"])
def test_demo_adds_the_demo_key_in_tmux(tmux, colour):
    """The README's first command, keyboard only, at 80x24, with colours and without: a Bitget demo key,
    then an OKX one beside it, both live."""
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
    tmux.send("Escape")
    tmux.wait_for("Total over 1 account")
    tmux.send("a")
    tmux.wait_for("Pick the exchange")
    tmux.send("Down")
    tmux.send("Enter")
    tmux.wait_for("Add OKX account")
    tmux.send("F7")
    tmux.wait_for("Fill OKX demo key")
    tmux.send("Enter")
    tmux.wait_for("••••••••••••••")
    tmux.send("Enter")
    tmux.wait_for("Connected: OKX · okx-demo")
    tmux.send("Escape")
    screen = tmux.wait_until(lambda screen: screen.count("Connected · live") == 2, "both accounts live")
    assert "Bitget" in screen and "OKX" in screen and "Total over 2 accounts" in screen
    tmux.send("C-q")
    assert tmux.exit_code() == 0


def test_a_key_pasted_with_the_terminals_paste_connects(tmux):
    """Each value pasted once, as the terminal sends it (bracketed), with what copying adds around it."""
    demo_key = next(key for key in EXCHANGES["bitget"].demo_keys if key.label == "demo")
    account = next(account for account in demo_accounts() if account.label == demo_key.account)
    tmux.start(f"TERM=screen-256color {sys.executable} -m exchange_tui --demo")
    tmux.wait_for("No exchange connected yet")
    tmux.send("a")
    tmux.wait_for("Pick the exchange")
    tmux.send("Enter")
    tmux.wait_for("Add Bitget account")
    for title, pasted, shown in (
        ("Label", " pasted\n", "pasted"),
        ("API key", f"   {account.api_key}\n", "•"),
        ("Secret key", f"{account.secret_key}\r\n", "•"),
        ("Passphrase", f" {account.passphrase}", "•"),
    ):
        if title != "Label":
            tmux.wait_for_cursor_on(title)
        tmux.paste(pasted)
        tmux.wait_for_cursor_on(shown)
        tmux.send("Enter")
    screen = tmux.wait_until(lambda screen: "Connected: Bitget" in screen or "Not " in screen, "an outcome")
    assert "Connected: Bitget · pasted" in screen
    assert account.api_key[:7] + "…" in screen
    tmux.send("C-q")
    assert tmux.exit_code() == 0
    written = tmux.drain()
    assert "•".encode() in written
    for secret in (account.api_key[7:], account.secret_key, account.passphrase):
        assert secret.encode() not in written


def test_a_master_password_pasted_with_the_terminals_paste_opens_the_store(tmux, tmp_path):
    """A new encrypted-file store: the password pasted twice, its spaces kept, its line break dropped."""
    password = " Harbor quartz 7 "
    home = tmp_path / "exchange-tui"
    tmux.start(
        f"env -u EXCHANGE_TUI_MASTER_PASSWORD HOME={tmp_path} EXCHANGE_TUI_HOME={home} TERM=screen-256color "
        f"PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring {sys.executable} -m exchange_tui"
    )
    masked = " " + "•" * len(password) + " "
    tmux.wait_for("Master password")
    tmux.paste(password + "\n")
    tmux.wait_for_cursor_on(masked)
    tmux.send("Enter")
    tmux.wait_for_cursor_on("the same again")
    tmux.paste(password + "\r\n")
    tmux.wait_for_cursor_on(masked)
    tmux.send("Enter")
    tmux.wait_for("No exchange connected yet")
    tmux.send("C-q")
    assert tmux.exit_code() == 0
    written = tmux.drain()
    assert "•".encode() in written and password.strip().encode() not in written
    locations = Locations.from_env({"EXCHANGE_TUI_HOME": str(home)})
    open_encrypted_file(locations, lambda path, new: SecretStr(password), "test")
    with pytest.raises(WrongMasterPassword):
        open_encrypted_file(locations, lambda path, new: SecretStr(password.strip()), "test")


def test_quitting_while_the_master_password_is_asked_ends_the_app(tmux, tmp_path):
    tmux.start(
        f"env -u EXCHANGE_TUI_MASTER_PASSWORD HOME={tmp_path} EXCHANGE_TUI_HOME={tmp_path}/exchange-tui "
        f"TERM=screen-256color PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring {sys.executable} -m exchange_tui"
    )
    tmux.wait_for("Master password")
    tmux.send("C-q")
    assert tmux.exit_code() == 0
