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
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import SecretStr

    from exchange_tui.service import AccountService
    from exchange_tui.simulator import ThreadedSimulator
    from exchange_tui.simulator.bitget import SimulatorState
    from exchange_tui.store import PasswordSource

DRIFT_ACCOUNT = "demo-unified"
DRIFT_WALLET = "unified"
DRIFT_COIN = "USDT"
WRONG_PASSPHRASE = "WrongPass1234"
WRONG_SECRET = "0" * 64


@dataclass(frozen=True)
class DemoKey:
    """One choice in the key form's "Fill demo key" list."""

    account: str
    label: str
    description: str
    demo_trading: bool = False
    passphrase: str | None = None
    secret_key: str | None = None


DEMO_KEYS: tuple[DemoKey, ...] = (
    DemoKey("demo-unified", "demo", "unified trading account, as a new one is: connects"),
    DemoKey("demo-readonly", "demo-readonly", "classic, read-only key: connects with a warning"),
    DemoKey("demo-withdraw", "demo-withdraw", "classic, can withdraw: connects with a warning"),
    DemoKey("demo-spot-only", "demo-spot-only", "classic, no futures permissions"),
    DemoKey("demo", "demo-classic", "classic account, spot and futures: connects"),
    DemoKey("demo-trading", "demo-trading", "Bitget demo trading (switch on)", demo_trading=True),
    DemoKey("demo-ip-bound", "demo-ip-bound", "bound to another IP: refused (40018)"),
    DemoKey("demo", "demo-typo", "mistyped passphrase: refused (40012)", passphrase=WRONG_PASSPHRASE),
    DemoKey("demo", "demo-badsecret", "wrong secret key: refused (40009)", secret_key=WRONG_SECRET),
    DemoKey("demo-unified-trade-only", "demo-trade-only", "unified, no UTA management: says what to add"),
)
"""The first is a unified account, as every new Bitget account is; a classic one is beside it."""


class DemoKeys:
    """The simulator's demo credentials, as a form fills them in."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state

    def credentials(self, key: DemoKey) -> tuple[SecretStr, SecretStr, SecretStr]:
        from pydantic import SecretStr

        account = self.state.account(key.account)
        return (
            SecretStr(account.api_key),
            SecretStr(key.secret_key or account.secret_key),
            SecretStr(key.passphrase or account.passphrase),
        )

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

        from exchange_tui.service import AccountService
        from exchange_tui.simulator import ThreadedSimulator
        from exchange_tui.store import AccountStore, Locations, open_encrypted_file

        locations = Locations.from_env({"EXCHANGE_TUI_HOME": str(self.home)})
        simulator = self._simulator = ThreadedSimulator().__enter__()
        self.keys = DemoKeys(simulator.state)
        master = SecretStr(secrets.token_urlsafe(32))
        secrets_store = open_encrypted_file(locations, lambda path, new: master, "demo: a throwaway store")
        return AccountService(AccountStore(secrets_store, locations), base_url=simulator.url)

    def close(self) -> None:
        if self._simulator is not None:
            self._simulator.__exit__(None, None, None)
        shutil.rmtree(self.home, ignore_errors=True)
