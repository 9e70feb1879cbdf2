"""Helpers for the store tests: distinctive credentials, and a search for leaked secrets."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import SecretStr

from exchange_tui.models import Credentials

MASTER_PASSWORD = "Master-Pa55word-for-tests"


def credentials(tag: str) -> Credentials:
    """Distinctive credentials: each part says what it is and carries ``tag``, so a grep finds any leak."""
    return Credentials(
        api_key=f"bg_{tag}apikey00000000000000000000",
        secret_key=f"SECRETKEY{tag}ffffffffffffffffffffffffffffffffffffffff",
        passphrase=f"Passphrase{tag}",
    )


def secret_values(creds: Credentials) -> list[str]:
    return [creds.api_key.get_secret_value(), creds.secret_key.get_secret_value(), creds.passphrase.get_secret_value()]


def files_containing(root: Path, needles: list[str]) -> list[str]:
    """Every file under ``root`` that contains one of ``needles`` as plain text."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            found += [f"{path}: {needle}" for needle in needles if needle.encode() in data]
    return found


def master_password(path: Path, new: bool) -> SecretStr:
    return SecretStr(MASTER_PASSWORD)


def frames_holding(error: BaseException, needle: bytes) -> list[str]:
    """The frames of ``error``'s traceback, below the test's own, with a local that holds ``needle``:
    what Textual's crash report (every local of every frame) would print."""
    found = []
    tb = error.__traceback__.tb_next
    while tb is not None:
        for name, value in tb.tb_frame.f_locals.items():
            shown = value if isinstance(value, bytes) else os.fsencode(value) if isinstance(value, str) else b""
            if needle in shown:
                found.append(f"{tb.tb_frame.f_code.co_name}: {name}")
        tb = tb.tb_next
    return found
