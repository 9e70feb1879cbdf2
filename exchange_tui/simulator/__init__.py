"""Local simulators of the exchanges we connect to, REST and private WebSocket, on loopback.

Each exchange is a package of its own (``simulator/<exchange>/``: endpoints, signing checks, errors,
WebSocket, accounts) on a shared core (``simulator/core/``: the server, bounds, gateway, fault
knobs, clock, rate-limit windows, control endpoints, accounts files); ``core/exchanges.py`` lists them.
A simulator verifies signatures with its own code and imports nothing from ``exchange_tui.exchanges``,
so a signing bug in our client cannot pass its tests. Run one with ``exchange-tui simulator
[--exchange NAME]`` or ``python -m exchange_tui.simulator``; in tests use :class:`SimulatorServer`
or :class:`ThreadedSimulator` with a state from :func:`new_state` (or an exchange package's ``SimulatorState``).
"""

from exchange_tui.simulator.core.clock import ManualClock
from exchange_tui.simulator.core.events import BalanceChanged, RequestArrived, SimEvent, WebSocketsDropped
from exchange_tui.simulator.core.exchanges import DEFAULT_EXCHANGE, SIMULATED_EXCHANGES, new_state
from exchange_tui.simulator.core.limits import ServerLimits
from exchange_tui.simulator.core.server import SimulatorServer, ThreadedSimulator

__all__ = [
    "DEFAULT_EXCHANGE",
    "SIMULATED_EXCHANGES",
    "BalanceChanged",
    "ManualClock",
    "RequestArrived",
    "ServerLimits",
    "SimEvent",
    "SimulatorServer",
    "ThreadedSimulator",
    "WebSocketsDropped",
    "new_state",
]
