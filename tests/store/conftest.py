"""Fixtures for the store: an isolated HOME per test."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    """A fresh HOME, and no XDG, keyring or D-Bus settings from outside."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home
