"""The scenario: one exchange-neutral handle on a simulated exchange, so one contract suite drives them all alike.

Every simulated exchange implements :class:`Scenario` over its own state. A scenario is called
from a test's thread while the server may run on a :class:`~exchange_tui.simulator.ThreadedSimulator`
thread: each method takes the state's lock for what it changes, and balance pushes reach the
server's loop through the WebSocket sessions' thread-safe listeners, as the state's own
``set_balance`` and friends do.

Roles every exchange offers (``ROLES``):

- ``connects``: a live key that trades, cannot withdraw and is bound to no IP (it connects, with a
  "no IP bound" warning);
- ``read_only``: a live key that can only read;
- ``withdraw``: a live key that can withdraw (bound to loopback, so it connects);
- ``ip_bound``: a key bound to an IP that is not 127.0.0.1: refused;
- ``demo_trading``: a demo-trading key;
- ``no_balance_permission``: the key check answers, a balance read is refused for a missing
  permission (or the exchange's closest documented equivalent, named in its scenario's docstring).

An exchange may add roles of its own (a key of another site, where it has several).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from exchange_tui.simulator.core.state import CoreState

ROLES = ("connects", "read_only", "withdraw", "ip_bound", "demo_trading", "no_balance_permission")
DEMO_ROLE_LABELS = {
    "connects": "demo",
    "read_only": "demo-readonly",
    "withdraw": "demo-withdraw",
    "ip_bound": "demo-ip-bound",
    "demo_trading": "demo-trading",
}
"""The label of each role's key in every exchange's built-in demo accounts, but for ``no_balance_permission``
(what that key is differs from exchange to exchange) and an exchange's own roles."""


@dataclass(frozen=True)
class SimKey:
    """One API key as a client types it in. ``site`` is the exchange's region where it has several, else None."""

    label: str
    api_key: str
    secret_key: str
    passphrase: str | None
    demo_trading: bool
    site: str | None
    testnet: bool = False

    def __repr__(self) -> str:
        return f"SimKey(label={self.label!r}, api_key={self.api_key!r}, demo_trading={self.demo_trading}, site={self.site!r})"


class Scenario(Protocol):
    exchange: str

    def key(self, role: str) -> SimKey:
        """The key the role's account was created with (still returned after :meth:`delete_key`); ``KeyError``
        for a role this exchange does not offer, or whose account the state was not given."""
        ...

    def skew_clock(self, seconds: float) -> None:
        """The server clock runs this far ahead of real time (negative: behind)."""
        ...

    def fail_next(self, count: int, status: int) -> None:
        """The next ``count`` API requests fail: 429 as the exchange answers it, or a 5xx (an HTML page)."""
        ...

    def change_balance(self, label: str, coin: str, delta: Decimal) -> None:
        """Add ``delta`` to what key ``label``'s account holds of ``coin`` in its trading balance; every
        logged-in private WebSocket subscribed to it gets a push."""
        ...

    def drop_websockets(self) -> None:
        """Cut every private WebSocket without a close frame (clients must reconnect)."""
        ...

    def refuse_websocket_logins(self, refuse: bool) -> None:
        """Refuse (or accept again) every WebSocket login, so clients fall back to REST polling."""
        ...

    def delete_key(self, api_key: str) -> None:
        """The key no longer exists: it gets the exchange's "key doesn't exist"."""
        ...

    def add_key(self, label: str, like_role: str) -> SimKey:
        """A new key called ``label`` on the same exchange account as ``like_role``'s key (for rotation)."""
        ...


class SharedScenario:
    """The part of :class:`Scenario` every exchange does alike, on the core's knobs; an exchange's scenario
    adds ``exchange``, ``key``, ``change_balance`` and ``add_key``."""

    def __init__(self, state: CoreState) -> None:
        self.state = state

    def skew_clock(self, seconds: float) -> None:
        self.state.faults.clock_offset_ms = round(seconds * 1000)

    def fail_next(self, count: int, status: int) -> None:
        """429 is the exchange's own rate-limit answer; a 5xx is the CDN's HTML page."""
        if status == 429:
            self.state.update_faults(rate_limit_next=count)
        elif 500 <= status <= 599:
            self.state.update_faults(error_5xx_next=count, error_5xx_status=status)
        else:
            raise ValueError(f"fail_next answers 429 or a 5xx, not {status}")

    def drop_websockets(self) -> None:
        self.state.drop_websockets()

    def refuse_websocket_logins(self, refuse: bool) -> None:
        self.state.faults.ws_refuse_login = refuse

    def delete_key(self, api_key: str) -> None:
        self.state.delete_key(api_key)
