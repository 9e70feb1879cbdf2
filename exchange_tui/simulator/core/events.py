"""What a simulator's state tells its listeners: balance changes, arriving requests, orders to drop sockets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BalanceChanged:
    """One coin of one wallet of one account changed; ``wallet`` is in the exchange's own terms."""

    label: str
    uid: str
    wallet: str
    coin: str
    at_ms: int


@dataclass(frozen=True)
class RequestArrived:
    """An API request arrived, body and all (before any fault, limit or check); control calls are not told."""

    method: str
    path: str
    query: str
    client_ip: str
    at_ms: int


@dataclass(frozen=True)
class WebSocketsDropped:
    """Every open WebSocket connection is to be cut now, without a close frame (a network drop)."""

    at_ms: int


SimEvent = BalanceChanged | RequestArrived | WebSocketsDropped
Listener = Callable[[SimEvent], None]
