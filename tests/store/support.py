"""Helpers for the store tests: distinctive credentials, and a search for leaked secrets."""

from __future__ import annotations

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
