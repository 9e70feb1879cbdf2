"""The demo: every exchange's simulator on loopback, a throwaway store, demo keys and drifting balances.

Nothing here touches the user's keyring or folders: the store is an encrypted file in a
temporary EXCHANGE_TUI_HOME, opened with a random master password held only in memory,
and both are gone when the demo ends.
"""

from __future__ import annotations

import random
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import SecretStr

    from exchange_tui.exchanges.base import DemoKey
    from exchange_tui.service import AccountService
    from exchange_tui.simulator import SimulatorServer, ThreadedSimulator
    from exchange_tui.store import PasswordSource

DRIFT_COIN = "USDT"


def wrong(value: str) -> str:
    """The value with its last character changed: still of the right shape, and refused."""
    return value[:-1] + ("1" if value[-1] == "0" else "0")


class DemoKeys:
    """The simulators' demo credentials (by exchange id), as a form fills them in."""

    def __init__(self, simulators: Mapping[str, ThreadedSimulator | SimulatorServer]) -> None:
        self.simulators = simulators

    def credentials(self, exchange: str, key: DemoKey) -> dict[str, SecretStr]:
        """The key's parts the exchange has, by field name; the ``wrong`` one changed."""
        from pydantic import SecretStr

        from exchange_tui.exchanges.registry import EXCHANGES

        account = self.simulators[exchange].state.account(key.account)
        parts = {}
        for field in EXCHANGES[exchange].credentials:
            value = getattr(account, field.name)
            parts[field.name] = SecretStr(wrong(value) if field.name == key.wrong else value)
        return parts

    def drift(self, rng: random.Random) -> None:
        """A small simulated fill on every exchange: the first demo key's USDT moves by a few dollars."""
        from exchange_tui.exchanges.registry import EXCHANGES

        for exchange, simulator in self.simulators.items():
            change = Decimal(rng.randint(-2500, 2500)) / 100
            try:
                simulator.scenario.change_balance(EXCHANGES[exchange].demo_keys[0].account, DRIFT_COIN, change)
            except ValueError:
                continue


class DemoSession:
    """The demo's simulators (one per exchange) and throwaway store; ``close`` stops them and deletes it."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="exchange-tui-demo-"))
        self._simulators: dict[str, ThreadedSimulator] = {}
        self.keys: DemoKeys | None = None

    def open_service(self, password_source: PasswordSource) -> AccountService:
        """Start the simulators and open the throwaway store (called from a worker thread).

        The app's ``password_source`` is not used: the demo's master password is its own.
        Imports wait until here, after the first paint. The master password is random and
        lives only in this call's closure.
        """
        from pydantic import SecretStr

        from exchange_tui.config import Settings
        from exchange_tui.exchanges.registry import EXCHANGES
        from exchange_tui.service import AccountService
        from exchange_tui.simulator import ThreadedSimulator, new_state
        from exchange_tui.store import AccountStore, Locations, open_encrypted_file

        locations = Locations.from_env({"EXCHANGE_TUI_HOME": str(self.home)})
        for exchange in EXCHANGES:
            self._simulators[exchange] = ThreadedSimulator(new_state(exchange)).__enter__()
        self.keys = DemoKeys(self._simulators)
        master = SecretStr(secrets.token_urlsafe(32))
        secrets_store = open_encrypted_file(locations, lambda path, new: master, "demo: a throwaway store")
        settings = Settings.pointing({exchange: simulator.urls for exchange, simulator in self._simulators.items()})
        return AccountService(AccountStore(secrets_store, locations), settings=settings)

    def close(self) -> None:
        for simulator in self._simulators.values():
            simulator.__exit__(None, None, None)
        shutil.rmtree(self.home, ignore_errors=True)
