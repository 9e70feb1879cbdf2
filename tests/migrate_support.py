"""For the ``migrate`` tests: what each store holds, read from outside the command, and kills at the
moment a write lands (a file replaced, the index's note switched, a secret appearing in Vault)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cli_support
from cli_support import inode
from pydantic import SecretStr

from exchange_tui.models import Credentials
from exchange_tui.store import Locations, open_encrypted_file

LABELS = {"main": "demo", "spare": "demo-withdraw", "third": "demo-readonly"}
"""The tests' accounts and the simulator's keys they hold."""


def key_of(bitget, label: str) -> Credentials:
    """The simulator's key ``label`` as the stores hold it."""
    account = bitget.state.account(label)
    return Credentials(api_key=account.api_key, secret_key=account.secret_key, passphrase=account.passphrase)


def add_all(box, key_json, labels, env=None) -> None:
    """Add each of ``labels`` (of :data:`LABELS`) on ``box``, verified with the simulator."""
    for label in labels:
        added = box("add", "bitget", label, stdin=key_json(LABELS[label]), env=env)
        assert added.code == 0, added.stderr


def statuses(result) -> dict[str, str]:
    return {account["label"]: account["status"] for account in result.json["accounts"]}


def index_of(env: dict[str, str]) -> dict:
    path = Locations.from_env(env).index_file
    return json.loads(path.read_text()) if path.exists() else {"accounts": [], "secret_backend": None, "migration": None}


def listed(env: dict[str, str]) -> list[str]:
    return [account["label"] for account in index_of(env)["accounts"]]


def in_file(env: dict[str, str], password: str, account: str) -> Credentials | None:
    """The account's secret in the box's encrypted file (``None`` if the file or the entry is not there)."""
    locations = Locations.from_env(env)
    if not locations.secrets_file.exists():
        return None
    return open_encrypted_file(locations, lambda path, new: SecretStr(password), "tests").read(account)


def snapshot(*paths: Path) -> list[bytes | None]:
    return [path.read_bytes() if path.exists() else None for path in paths]


def kill_when(process, happened: Callable[[], bool], what: str) -> None:
    """SIGKILL ``process`` the moment ``happened()`` holds; fail if it ends first."""
    assert cli_support.kill_when(process, happened, f"never saw {what}"), f"the command ended before {what}: {process.stderr.read()}"


def replaced(path: Path) -> Callable[[], bool]:
    """True once ``path`` is another file than now (an atomic write renamed into place, or created)."""
    before = inode(path)
    return lambda: inode(path) != before


def note_switched(env: dict[str, str]) -> Callable[[], bool]:
    path = Locations.from_env(env).index_file

    def switched() -> bool:
        try:
            note = json.loads(path.read_text()).get("migration")
        except (FileNotFoundError, ValueError):
            return False
        return bool(note and note["switched"])

    return switched
