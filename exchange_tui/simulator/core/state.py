"""What every simulated exchange's state shares: its lock, clock, listeners, fault knobs and rate-limit windows.

Tests change a state in-process (``server.state.faults.drop_next = 1``, or through its
:class:`~exchange_tui.simulator.core.scenario.Scenario`) from their own thread while the server may
run on another: every change of the world happens under one re-entrant lock, and listeners are
called synchronously in the thread that made the change (the WebSocket sessions hop into the
server's loop with ``call_soon_threadsafe``).
"""

from __future__ import annotations

import random
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from starlette.types import ASGIApp

from exchange_tui.simulator.core.accounts import KeyEntry, credentials_line
from exchange_tui.simulator.core.clock import wall_clock_ms
from exchange_tui.simulator.core.events import Listener, SimEvent, WebSocketsDropped
from exchange_tui.simulator.core.faults import COUNTED_FAULTS, Fault, Faults
from exchange_tui.simulator.core.limits import ServerLimits
from exchange_tui.simulator.core.ratelimit import SlidingWindowLimiter

if TYPE_CHECKING:
    from exchange_tui.simulator.core.scenario import Scenario


class CoreState(ABC):
    """One simulated exchange's world. ``clock`` returns wall-clock milliseconds; the server clock is that
    plus ``faults.clock_offset_ms``.

    A subclass names its exchange, its fault knobs (``faults_model``), its web application, its
    WebSocket paths and the credentials the startup line prints, and fills :meth:`_reset_world`.
    """

    exchange: ClassVar[str]
    faults_model: ClassVar[type[Faults]] = Faults

    def __init__(
        self, *, clock: Callable[[], int] = wall_clock_ms, seed: int = 0, ip_requests_per_minute: int
    ) -> None:
        self._seed = seed
        self._lock = threading.RLock()
        self.clock = clock
        self.ip_requests_per_minute = ip_requests_per_minute
        self.listeners: list[Listener] = []
        self.reset()

    def reset(self) -> None:
        """Back to the start: the world, faults, rate-limit windows and the random generator."""
        with self._lock:
            self.faults = self.faults_model()
            self.limiter = SlidingWindowLimiter()
            self.rng = random.Random(self._seed)
            self.started_ms = self.now_ms()
            self._reset_world()

    @abstractmethod
    def _reset_world(self) -> None:
        """Put the accounts, keys and prices back as they started (called under the lock)."""

    @abstractmethod
    def delete_key(self, api_key: str) -> None:
        """Delete one API key: requests signed with it get the exchange's "no such key". ``KeyError`` if unknown."""

    @abstractmethod
    def create_app(self, limits: ServerLimits) -> ASGIApp:
        """The exchange's web application on this state: its REST endpoints, WebSockets and controls."""

    def create_apps(self, limits: ServerLimits) -> Mapping[str, ASGIApp]:
        """The web applications by the URL setting each is served as, one port each: ``{"url": app}`` unless
        the exchange splits its hosts (``{"url": spot, "futures_url": futures}``); ``url`` comes first."""
        return {"url": self.create_app(limits)}

    @property
    @abstractmethod
    def ws_paths(self) -> Mapping[str, str]:
        """The startup line's WebSocket names and their paths; ``ws_url`` and ``ws_demo_url`` at least."""

    @property
    def ws_hosts(self) -> Mapping[str, str]:
        """The app (by :meth:`create_apps`' names) each WebSocket of :attr:`ws_paths` is on; ``url`` if not named."""
        return {}

    @property
    @abstractmethod
    def scenario(self) -> Scenario:
        """The exchange-neutral handle a contract test drives this state with."""

    @abstractmethod
    def credentials_line(self) -> list[dict[str, str]]:
        """The startup line's ``accounts``: label, api_key, secret_key, passphrase of each key."""

    def now_ms(self) -> int:
        return self.clock() + self.faults.clock_offset_ms

    def update_faults(self, **changes: object) -> Faults:
        """Set several knobs at once, all or none (a bad value raises pydantic's ``ValidationError``)."""
        with self._lock:
            self.faults = self.faults_model.model_validate({**self.faults.model_dump(), **changes})
            return self.faults

    def take_fault(self, path: str | None = None) -> Fault | None:
        """The fault the next API request (to ``path``) suffers, counting down its knob."""
        with self._lock:
            if self.faults.fault_path not in (None, path):
                return None
            for knob, fault in COUNTED_FAULTS:
                left = getattr(self.faults, knob)
                if left:
                    setattr(self.faults, knob, left - 1)
                    return fault
            rate = self.faults.error_5xx_rate
            if rate and self.rng.random() < rate:
                return Fault.ERROR_5XX
            return None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event (balance changes, arriving requests, drops); returns its unsubscribe."""
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def announce(self, event: SimEvent) -> None:
        for listener in list(self.listeners):
            listener(event)

    def drop_websockets(self) -> None:
        """Cut every open WebSocket connection, as a network drop or an exchange's forced close would."""
        self.announce(WebSocketsDropped(self.now_ms()))


Key = TypeVar("Key", bound=KeyEntry)


class KeyedState(CoreState, Generic[Key]):
    """A world of API keys, found by key: each key as it started and as it is now.

    A subclass keeps its balances and prices, which :meth:`_reset_holdings` puts back.
    """

    def __init__(
        self, accounts: tuple[Key, ...], *, clock: Callable[[], int] = wall_clock_ms, seed: int = 0,
        ip_requests_per_minute: int,
    ) -> None:
        self._initial_accounts = accounts
        super().__init__(clock=clock, seed=seed, ip_requests_per_minute=ip_requests_per_minute)

    def _reset_world(self) -> None:
        self._by_key = {a.api_key: a for a in self._initial_accounts}
        self._reset_holdings()

    @abstractmethod
    def _reset_holdings(self) -> None:
        """Put the balances and prices back as they started (called under the lock, after the keys)."""

    def credentials_line(self) -> list[dict[str, str]]:
        return credentials_line(self.accounts)

    @property
    def accounts(self) -> tuple[Key, ...]:
        return tuple(self._by_key.values())

    def initial_account(self, label: str) -> Key:
        """Key ``label`` as it started (``KeyError`` if it did not start here)."""
        for account in self._initial_accounts:
            if account.label == label:
                return account
        raise KeyError(label)

    def account_by_key(self, api_key: str) -> Key | None:
        return self._by_key.get(api_key)

    def account(self, label: str) -> Key:
        """The key labelled ``label`` now (``KeyError`` if there is none)."""
        for account in self._by_key.values():
            if account.label == label:
                return account
        raise KeyError(label)

    def delete_key(self, api_key: str) -> None:
        """The key no longer exists: it gets the exchange's "no such key" (``KeyError`` if unknown)."""
        with self._lock:
            del self._by_key[api_key]
