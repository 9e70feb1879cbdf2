"""Textual's crash report prints every local of every frame: the secrets typed into the form must not be among them."""

import subprocess
import sys
from pathlib import Path

from .crash_app import API_KEY, PASSPHRASE, SECRET

SCRIPT = Path(__file__).with_name("crash_app.py")


def test_crash_report_masks_the_typed_secrets():
    crashed = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    report = crashed.stdout + crashed.stderr
    assert "the store fell over" in report and "locals" in report, "no crash report was printed"
    assert "SecretStr('**********')" in report
    for secret in (SECRET, PASSPHRASE, API_KEY[3:]):
        assert secret not in report
