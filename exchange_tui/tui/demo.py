"""The demo: the built-in simulator on loopback, a throwaway store, demo keys and drifting balances.

Nothing here touches the user's keyring or folders: the store is an encrypted file in a
temporary EXCHANGE_TUI_HOME, opened with a random master password held only in memory,
and both are gone when the demo ends.
"""

from __future__ import annotations

import random
import secrets
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import SecretStr

    from exchange_tui.exchanges.base import DemoKey
    from exchange_tui.service import AccountService
    from exchange_tui.simulator import SimulatorState, ThreadedSimulator
    from exchange_tui.store import PasswordSource

DRIFT_ACCOUNT = "demo-unified"
DRIFT_WALLET = "unified"
DRIFT_COIN = "USDT"


def wrong(value: str) -> str:
    """The value with its last character changed: still of the right shape, and refused."""
    return value[:-1] + ("1" if value[-1] == "0" else "0")


class DemoKeys:
    """The simulators' demo credentials, as a form fills them in."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state

    def credentials(self, exchange: str, key: DemoKey) -> dict[str, SecretStr]:
        """The key's parts the exchange has, by field name; the ``wrong`` one changed."""
        from pydantic import SecretStr

        from exchange_tui.exchanges.registry import EXCHANGES

        account = self.state.account(key.account)
        parts = {}
        for field in EXCHANGES[exchange].credentials:
            value = getattr(account, field.name)
            parts[field.name] = SecretStr(wrong(value) if field.name == key.wrong else value)
        return parts

    def drift(self, rng: random.Random) -> None:
        """A small simulated fill: the demo account's unified USDT moves by a few dollars."""
        unified = self.state.account(DRIFT_ACCOUNT).unified
        assert unified is not None, "the drift account is unified"
        balance = next(a for a in unified.assets if a.coin == DRIFT_COIN)
        change = Decimal(rng.randint(-2500, 2500)) / 100
        available = max(Decimal(0), balance.available + change)
        self.state.set_balance(DRIFT_ACCOUNT, DRIFT_COIN, available, wallet=DRIFT_WALLET)


class DemoSession:
    """The demo's simulator and throwaway store; ``close`` stops one and deletes the other."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="exchange-tui-demo-"))
        self._simulator: ThreadedSimulator | None = None
        self.keys: DemoKeys | None = None

    def open_service(self, password_source: PasswordSource) -> AccountService:
        """Start the simulator and open the throwaway store (called from a worker thread).

        The app's ``password_source`` is not used: the demo's master password is its own.
        Imports wait until here, after the first paint. The master password is random and
        lives only in this call's closure.
        """
        from pydantic import SecretStr

        from exchange_tui.config import Settings
        from exchange_tui.service import AccountService
        from exchange_tui.simulator import ThreadedSimulator
        from exchange_tui.store import AccountStore, Locations, open_encrypted_file

        locations = Locations.from_env({"EXCHANGE_TUI_HOME": str(self.home)})
        simulator = self._simulator = ThreadedSimulator().__enter__()
        self.keys = DemoKeys(simulator.state)
        master = SecretStr(secrets.token_urlsafe(32))
        secrets_store = open_encrypted_file(locations, lambda path, new: master, "demo: a throwaway store")
        settings = Settings({"EXCHANGE_TUI_BITGET_URL": simulator.url}, locations.config / "config.toml")
        return AccountService(AccountStore(secrets_store, locations), settings=settings)

    def close(self) -> None:
        if self._simulator is not None:
            self._simulator.__exit__(None, None, None)
        shutil.rmtree(self.home, ignore_errors=True)
