"""A local OKX v5 simulator, REST and private WebSocket: OKX's signing, errors, limits, sites and demo trading.

It follows ``shared/reference/okx-v5.md`` (section numbers in the docstrings are that file's), verifies
signatures with its own code and imports nothing from ``exchange_tui.exchanges``. Serve it with the
core's :class:`~exchange_tui.simulator.SimulatorServer` or :class:`~exchange_tui.simulator.ThreadedSimulator`::

    async with SimulatorServer(SimulatorState()) as server: ...
"""

from exchange_tui.simulator.okx.accounts import SimAccount, demo_accounts, load_accounts
from exchange_tui.simulator.okx.app import create_app
from exchange_tui.simulator.okx.state import Faults, SimulatorState

__all__ = ["Faults", "SimAccount", "SimulatorState", "create_app", "demo_accounts", "load_accounts"]
