"""A local Binance simulator: spot + wallet (SAPI) and USDⓈ-M futures on two ports, their private WebSockets,
Binance's signing (HMAC, RSA, Ed25519), errors, request weights and environments (live, demo, testnet).

It follows ``shared/reference/binance.md`` (section numbers in the docstrings are that file's), verifies
signatures with its own code and imports nothing from ``exchange_tui.exchanges``. Serve it with the
core's :class:`~exchange_tui.simulator.SimulatorServer` or :class:`~exchange_tui.simulator.ThreadedSimulator`,
which bind one port per app (``server.urls``: ``url``, ``futures_url``, ``demo_url``, ``demo_futures_url``)::

    async with SimulatorServer(SimulatorState()) as server: ...
"""

from exchange_tui.simulator.binance.accounts import SimAccount, demo_accounts, load_accounts
from exchange_tui.simulator.binance.app import futures_app, spot_app
from exchange_tui.simulator.binance.state import Faults, SimulatorState

__all__ = ["Faults", "SimAccount", "SimulatorState", "demo_accounts", "futures_app", "load_accounts", "spot_app"]
