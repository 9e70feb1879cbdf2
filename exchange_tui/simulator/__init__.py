"""A local Bitget v2 simulator, REST and private WebSocket, on loopback: Bitget's signing, errors, limits, faults.

It verifies signatures with its own code and imports nothing from ``exchange_tui.exchanges``, so a
signing bug in our client cannot pass its tests. Run it with ``exchange-tui simulator`` or
``python -m exchange_tui.simulator``; in tests use :class:`SimulatorServer` or :class:`ThreadedSimulator`.
"""

from exchange_tui.simulator.accounts import SimAccount, demo_accounts, load_accounts
from exchange_tui.simulator.app import create_app
from exchange_tui.simulator.limits import ServerLimits
from exchange_tui.simulator.server import SimulatorServer, ThreadedSimulator
from exchange_tui.simulator.state import (
    BalanceChanged,
    Faults,
    ManualClock,
    RequestArrived,
    SimEvent,
    SimulatorState,
    WebSocketsDropped,
)

__all__ = [
    "BalanceChanged",
    "Faults",
    "ManualClock",
    "RequestArrived",
    "ServerLimits",
    "SimAccount",
    "SimEvent",
    "SimulatorServer",
    "SimulatorState",
    "ThreadedSimulator",
    "WebSocketsDropped",
    "create_app",
    "demo_accounts",
    "load_accounts",
]
