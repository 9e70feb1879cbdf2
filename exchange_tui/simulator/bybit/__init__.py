"""A local Bybit v5 simulator, REST and private WebSocket: Bybit's signing (HMAC and RSA), errors, limits,
key expiry and its environments (mainnet, demo, testnet) as separate hosts.

It follows ``shared/reference/bybit-v5.md`` (section numbers in the docstrings are that file's), verifies
signatures with its own code and imports nothing from ``exchange_tui.exchanges``. Serve it with the
core's :class:`~exchange_tui.simulator.SimulatorServer` or :class:`~exchange_tui.simulator.ThreadedSimulator`::

    async with SimulatorServer(SimulatorState()) as server: ...   # server.urls: url, demo_url, testnet_url
"""

from exchange_tui.simulator.bybit.accounts import SimAccount, demo_accounts, load_accounts
from exchange_tui.simulator.bybit.app import create_app
from exchange_tui.simulator.bybit.state import Faults, SimulatorState

__all__ = ["Faults", "SimAccount", "SimulatorState", "create_app", "demo_accounts", "load_accounts"]
