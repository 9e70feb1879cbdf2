"""Where exchange-tui keeps its files: one place for the XDG config, data and state folders.

``EXCHANGE_TUI_HOME`` puts all three under one folder (``config/``, ``data/``, ``state/``),
which is what the tests and the demo use. Otherwise the XDG base-directory variables are
honoured, with the usual ``~/.config``, ``~/.local/share`` and ``~/.local/state`` defaults;
relative or empty XDG values are ignored, as the specification asks.

Our folders are private (0700, tightened if found looser); files we write are 0600.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import StoreFileUnavailable

APP_NAME = "exchange-tui"
HOME_ENV = "EXCHANGE_TUI_HOME"

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

_XDG = {
    "config": ("XDG_CONFIG_HOME", (".config",)),
    "data": ("XDG_DATA_HOME", (".local", "share")),
    "state": ("XDG_STATE_HOME", (".local", "state")),
}


@dataclass(frozen=True)
class Locations:
    """The app's three folders, and the well-known files inside them."""

    config: Path
    data: Path
    state: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Locations:
        env = os.environ if environ is None else environ
        override = env.get(HOME_ENV)
        if override:
            root = Path(override).expanduser().absolute()
            return cls(config=root / "config", data=root / "data", state=root / "state")
        home = Path(env.get("HOME") or Path.home())
        folders = {}
        for name, (variable, default) in _XDG.items():
            base = env.get(variable, "")
            folders[name] = (Path(base) if os.path.isabs(base) else home.joinpath(*default)) / APP_NAME
        return cls(**folders)

    @property
    def index_file(self) -> Path:
        return self.data / "index.json"

    @property
    def secrets_file(self) -> Path:
        """The encrypted-file fallback for secrets, used only where no OS keyring is usable."""
        return self.data / "secrets.cfg"

    @property
    def secrets_lock(self) -> Path:
        """The encrypted file's lock: every writer of the file holds it, ``exchange-tui passwd`` throughout."""
        return self.state / "secrets.lock"

    @property
    def locks(self) -> Path:
        return self.state / "locks"

    def ensure(self) -> Locations:
        """Create the folders (0700) or tighten them if they exist with looser modes.

        A folder we cannot create or tighten (another user's, after a ``sudo exchange-tui`` with
        HOME kept; a read-only file system) makes the store unavailable, naming the folder.
        """
        for folder in (self.config, self.data, self.state, self.locks):
            try:
                ensure_private_dir(folder)
            except OSError as exc:
                raise StoreFileUnavailable("use the folder", folder, exc) from None
        return self


def ensure_private_dir(path: Path) -> Path:
    """Make ``path`` exist as a folder only its owner can enter. Missing parents are made 0700 too
    (as the XDG spec asks); parents that exist are left as they are."""
    for parent in reversed([p for p in path.parents if not p.exists()]):
        parent.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE)
    except FileExistsError:
        if not path.is_dir():
            raise
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR_MODE:
        path.chmod(PRIVATE_DIR_MODE)
    return path


def display_path(path: Path) -> str:
    """``path`` with the home folder shown as ``~``."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)
