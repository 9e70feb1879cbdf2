"""The one list of simulated exchanges: the only simulator module outside an exchange's folder that names one.

Each entry is a package that exports ``SimulatorState`` (a :class:`~exchange_tui.simulator.core.state.CoreState`
taking ``accounts``), ``demo_accounts()`` and ``load_accounts(path)``. They are imported only when asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exchange_tui.simulator.core.state import CoreState

SIMULATED_EXCHANGES = {
    "bitget": "exchange_tui.simulator.bitget",
    "okx": "exchange_tui.simulator.okx",
    "binance": "exchange_tui.simulator.binance",
    "bybit": "exchange_tui.simulator.bybit",
}
DEFAULT_EXCHANGE = "bitget"


def simulated_exchange(name: str) -> ModuleType:
    """The package simulating exchange ``name``; ``KeyError`` for one not simulated."""
    return importlib.import_module(SIMULATED_EXCHANGES[name])


def new_state(name: str = DEFAULT_EXCHANGE, accounts: Iterable[object] | None = None, **options: object) -> CoreState:
    """A fresh state of exchange ``name``: its demo accounts unless ``accounts`` is given."""
    state: CoreState = simulated_exchange(name).SimulatorState(accounts, **options)
    return state


def load_accounts(name: str, path: str | Path) -> tuple[object, ...]:
    """Exchange ``name``'s accounts file at ``path``; ``OSError`` or pydantic's ``ValidationError``."""
    accounts: tuple[object, ...] = simulated_exchange(name).load_accounts(path)
    return accounts
