"""The app's folders: XDG defaults, XDG variables, the EXCHANGE_TUI_HOME override, private modes."""

from __future__ import annotations

import stat
import subprocess
import sys

from exchange_tui.store import Locations


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_xdg_defaults_under_home(isolated):
    locations = Locations.from_env()

    assert locations.config == isolated / ".config" / "exchange-tui"
    assert locations.data == isolated / ".local" / "share" / "exchange-tui"
    assert locations.state == isolated / ".local" / "state" / "exchange-tui"
    assert locations.index_file == locations.data / "index.json"
    assert locations.secrets_file == locations.data / "secrets.cfg"


def test_xdg_variables_are_honoured_and_relative_ones_ignored(isolated, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")
    monkeypatch.setenv("XDG_STATE_HOME", "")

    locations = Locations.from_env()

    assert locations.config == tmp_path / "cfg" / "exchange-tui"
    assert locations.data == isolated / ".local" / "share" / "exchange-tui"
    assert locations.state == isolated / ".local" / "state" / "exchange-tui"


def test_one_folder_override_for_tests_and_demos(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "ignored"))
    monkeypatch.setenv("EXCHANGE_TUI_HOME", str(tmp_path / "demo"))

    locations = Locations.from_env()

    assert (locations.config, locations.data, locations.state) == (
        tmp_path / "demo" / "config",
        tmp_path / "demo" / "data",
        tmp_path / "demo" / "state",
    )


def test_folders_are_created_private_and_tightened(isolated):
    locations = Locations.from_env()
    locations.data.mkdir(parents=True, mode=0o755)
    locations.data.chmod(0o755)

    locations.ensure()

    for folder in (locations.config, locations.data, locations.state, locations.locks):
        assert mode(folder) == 0o700, folder


def test_the_store_imports_no_textual():
    probe = "import sys, exchange_tui.store; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe]).returncode == 0
