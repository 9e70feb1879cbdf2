"""A local Bitget v2 simulator, REST and private WebSocket: Bitget's signing, errors, limits, faults.

It verifies signatures with its own code and imports nothing from ``exchange_tui.exchanges``, so a
signing bug in our client cannot pass its tests. Serve it with the core's
:class:`~exchange_tui.simulator.SimulatorServer` or :class:`~exchange_tui.simulator.ThreadedSimulator`::

    async with SimulatorServer(SimulatorState()) as server: ...
"""

from exchange_tui.simulator.bitget.accounts import SimAccount, demo_accounts, load_accounts
from exchange_tui.simulator.bitget.app import create_app
from exchange_tui.simulator.bitget.state import Faults, SimulatorState

__all__ = ["Faults", "SimAccount", "SimulatorState", "create_app", "demo_accounts", "load_accounts"]
