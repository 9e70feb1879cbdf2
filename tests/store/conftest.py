"""Fixtures for the store: an isolated HOME per test and a shared encrypted file (the real Secret
Services are in the top-level conftest, for every test folder)."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

import keyring.backend
import keyring.core
import pytest

from exchange_tui.store import Locations, open_encrypted_file

from .support import master_password

ENVIRONMENT = (
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "XDG_RUNTIME_DIR",
    "EXCHANGE_TUI_HOME",
    "EXCHANGE_TUI_MASTER_PASSWORD",
    "PYTHON_KEYRING_BACKEND",
    "DBUS_SESSION_BUS_ADDRESS",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME, no XDG, keyring or D-Bus settings from outside, and keyring's choice redone."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with suppress(KeyError):  # nothing to forget yet
        keyring.backend.get_all_keyring.reset()
    return home


@pytest.fixture
def no_os_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@pytest.fixture(scope="module")
def shared_secrets(tmp_path_factory: pytest.TempPathFactory):
    """One encrypted-file store per test module, so Argon2 runs once for the whole module.

    Tests pair it with their own index; what they store is deleted after each test.
    """
    locations = Locations.from_env({"EXCHANGE_TUI_HOME": str(tmp_path_factory.mktemp("shared-secrets"))})
    return open_encrypted_file(locations, master_password, "tests")


@pytest.fixture
def secrets(shared_secrets):
    yield shared_secrets
    for account in shared_secrets.account_ids():
        shared_secrets.delete(account)
