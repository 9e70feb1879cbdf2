"""Textual's crash report prints every local of every frame: the secrets typed into the form must not be among them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .crash_app import API_KEY, PASSPHRASE, SECRET
from .test_tmux import Tmux

SCRIPT = Path(__file__).with_name("crash_app.py")


def test_crash_report_masks_the_typed_secrets():
    crashed = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    report = crashed.stdout + crashed.stderr
    assert "the store fell over" in report and "locals" in report, "no crash report was printed"
    assert "SecretStr('**********')" in report
    for secret in (SECRET, PASSPHRASE, API_KEY[3:]):
        assert secret not in report


LATIN1_PASSWORD = "Caf\\351-Geheimnis-42"  # printf's octal escape: the byte 0xE9, "é" in Latin-1, not UTF-8


def test_a_master_password_in_another_encoding_leaves_no_trace_in_the_terminal(tmp_path):
    """A Latin-1 box, the real app in tmux: one line on My Exchanges, and nothing of the password
    anywhere in what the app wrote (a crash report printed every local holding it)."""
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed (apt-get install tmux)") if os.environ.get("CI") else pytest.skip("no tmux")
    terminal = Tmux(tmp_path)
    try:
        terminal.start(
            f"HOME={tmp_path} EXCHANGE_TUI_HOME={tmp_path}/exchange-tui LC_ALL=C.UTF-8 TERM=screen-256color "
            "PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring "
            f"EXCHANGE_TUI_MASTER_PASSWORD=\"$(printf '{LATIN1_PASSWORD}')\" {sys.executable} -m exchange_tui"
        )
        screen = terminal.wait_for("could not be opened")
        assert "not valid text" in " ".join(screen.split())
        terminal.send("C-q")
        assert terminal.exit_code() == 0
        written = terminal.drain()
    finally:
        terminal.close()
    assert b"Traceback" not in written and b"locals" not in written
    for fragment in (b"Caf", b"Geheimnis", b"\xe9", b"udce9"):
        assert fragment not in written
