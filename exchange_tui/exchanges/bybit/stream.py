"""The unified trading account's balances, live from Bybit's private WebSocket (reference/bybit-v5.md §7).

::

    async with BalanceStream(credentials, ws_url=url, snapshot=rest.unified_balances,
                             clock_offset_ms=lambda: rest.clock_offset_ms) as stream:
        async for update in stream:
            show(update.live, update.balances)

One stream is one key on one connection. It authenticates (``auth`` with an ``expires`` ten seconds ahead on
Bybit's clock, the REST client's measured offset added, signed over ``GET/realtime`` + expires), waits for the
answer, subscribes the ``wallet`` topic and, once Bybit acknowledges it, goes live with the REST balances
(``snapshot``): Bybit sends no snapshot on subscribing. A ``wallet`` push gives coins as they are now; each is
merged in (a coin at zero is held no more). Bybit pushes the unified account only.

Each item the iteration yields is a :class:`~exchange_tui.exchanges.toolkit.StreamUpdate`: one when the stream
goes live and one per push while live (``live=True``, every balance held now), one per lost connection
(``live=False``). The iteration ends when the stream is refused for good (``status`` ``failed``, ``error`` the
typed error with its hint) or closed.

Refused for good, never retried: a refused ``auth`` (``success: false``, or a ``retCode``) or subscription.
Everything else is a lost connection: a drop, no ``pong`` within ``pong_timeout`` of the JSON ``ping`` (sent
every ``ping_interval``, 20 s, as Bybit recommends), no answer to the auth or subscription within
``answer_timeout``, or a snapshot that cannot be read. It is reconnected after an exponential backoff with
jitter (reset once live again), authenticated and subscribed again.

Secrets stay ``SecretStr`` until the expression that builds the auth frame; websockets' frame-level debug log
(which would print it) is kept off. The connection, its keepalive and reconnects are
:class:`~exchange_tui.exchanges.streaming.PrivateStream`'s.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from websockets.asyncio.client import ClientConnection

from exchange_tui.exchanges.bybit.client import unified_balances
from exchange_tui.exchanges.bybit.errors import WS_AUTH_REFUSED, from_code
from exchange_tui.exchanges.bybit.signing import ws_auth_signature
from exchange_tui.exchanges.errors import ExchangeError
from exchange_tui.exchanges.streaming import PrivateStream, Refused, StreamStatus, StreamTiming
from exchange_tui.exchanges.toolkit import StreamUpdate, held
from exchange_tui.models import Balance, Credentials

CONNECTS = (500, 300.0)
"""Bybit's limit on new WebSocket connections: 500 in 5 minutes per domain (reference §5)."""
EXPIRES_AHEAD_MS = 10_000
"""How far ahead ``expires`` is: ccxt's 10 s (with pybit's 1 s users met ``Params Error``, reference §7)."""
TOPIC = "wallet"
HEARTBEATS = ("pong", "ping")
"""The ``op`` of a heartbeat's answer: ``pong`` on the private streams, ``ping`` (``ret_msg`` pong) on spot's."""


def auth_message(credentials: Credentials, expires_ms: int) -> str:
    """The ``auth`` op for one key, valid until ``expires_ms`` (epoch milliseconds)."""
    return json.dumps(
        {
            "op": "auth",
            "args": [
                credentials.api_key.get_secret_value(),
                expires_ms,
                ws_auth_signature(credentials.secret_key, expires_ms),
            ],
        },
        separators=(",", ":"),
    )


def accepted(message: dict[str, Any]) -> bool:
    """An op's answer says yes: ``{"success": true}``, or ``{"retCode": 0}`` as some servers answer."""
    if "success" in message:
        return message["success"] is True
    return str(message.get("retCode", "")) == "0"


def refusal(message: dict[str, Any]) -> ExchangeError:
    """An op's refusal: by its ``retCode`` where it has one, else the WebSocket's own (``Params Error``…)."""
    text = str(message.get("ret_msg") or message.get("retMsg") or "")
    code = message.get("retCode")
    return from_code(str(code), text) if code not in (None, "", 0, "0") else from_code(WS_AUTH_REFUSED, text)


class UnifiedAccount:
    """The unified account as the REST snapshot and the ``wallet`` pushes leave it."""

    def __init__(self) -> None:
        self.coins: dict[str, Balance] = {}

    def replace(self, balances: list[Balance]) -> None:
        self.coins = {b.coin: b for b in balances if held(b)}

    def apply(self, message: dict[str, Any]) -> None:
        merged = self.coins | {b.coin: b for b in unified_balances(message.get("data"))}
        self.coins = {coin: b for coin, b in merged.items() if held(b)}

    @property
    def balances(self) -> tuple[Balance, ...]:
        """Every coin held, USDT first, then by coin."""
        return tuple(sorted(self.coins.values(), key=lambda b: (b.coin != "USDT", b.coin)))


def _is_push(message: dict[str, Any]) -> bool:
    return message.get("topic") == TOPIC and "data" in message


class BalanceStream(PrivateStream[StreamUpdate]):
    """One key's unified balances, live from Bybit's private WebSocket; see the module's documentation.

    ``snapshot`` reads the unified account over REST; ``clock_offset_ms`` is Bybit's clock minus ours (the REST
    client's ``clock_offset_ms``: ``None`` until measured).
    """

    exchange: ClassVar[str] = "Bybit"
    errors = staticmethod(from_code)
    ping: ClassVar[str] = json.dumps({"req_id": "ping", "op": "ping"})
    connect_limit: ClassVar[tuple[int, float] | None] = CONNECTS

    def __init__(
        self,
        credentials: Credentials,
        *,
        ws_url: str,
        snapshot: Callable[[], Awaitable[list[Balance]]],
        clock: Callable[[], float] = time.time,
        clock_offset_ms: Callable[[], float | None] = lambda: None,
        timing: StreamTiming = StreamTiming(),
    ) -> None:
        super().__init__(credentials, ws_url=ws_url, clock=clock, clock_offset_ms=clock_offset_ms, timing=timing)
        self._snapshot = snapshot
        self.account = UnifiedAccount()

    def _login_frame(self, timestamp_s: str) -> str:
        return auth_message(self._credentials, int(timestamp_s) * 1000 + EXPIRES_AHEAD_MS)

    def _login_answer(self, message: dict[str, Any]) -> bool:
        if message.get("op") != "auth":
            return False
        if accepted(message):
            return True
        error = refusal(message)
        if error.retryable or (self._clock_refusal(error) and self._clock_may_have_moved()):
            raise error
        raise Refused(error)

    def _refusal(self, message: dict[str, Any]) -> ExchangeError:
        return refusal(message)

    async def _receive(self, ws: ClientConnection, deadline: float | None, awaited: str) -> dict[str, Any]:
        """The next message other than a heartbeat's answer, which the JSON pong is (the base knows text pongs)."""
        while True:
            message = await super()._receive(ws, deadline, awaited)
            if message.get("op") not in HEARTBEATS:
                return message
            self._pong_due = None

    async def _subscribe(self, ws: ClientConnection) -> None:
        """Subscribe the ``wallet`` topic; once acknowledged, go live on the REST balances (Bybit sends no snapshot)."""
        await self._send(ws, json.dumps({"req_id": TOPIC, "op": "subscribe", "args": [TOPIC]}))
        deadline = asyncio.get_running_loop().time() + self._timing.answer_timeout
        while True:
            message = await self._receive(ws, deadline, "the wallet subscription")
            if message.get("op") != "subscribe":
                continue
            if not accepted(message):
                error = refusal(message)
                raise error if error.retryable else Refused(error)
            try:
                self.account.replace(await self._snapshot())
            except ExchangeError as error:
                raise error if error.retryable else Refused(error) from None
            self.status, self.error = StreamStatus.LIVE, None
            self._publish(live=True)
            return

    def _on_message(self, message: dict[str, Any]) -> None:
        if _is_push(message):
            self.account.apply(message)
            self._publish(live=True)
        elif message.get("op") and not accepted(message):
            raise refusal(message)

    def _down(self, status: StreamStatus, error: ExchangeError) -> None:
        """A lost connection is told as not live; a refusal ends the iteration, ``status`` and ``error`` say why."""
        self.status, self.error = status, error
        if status is StreamStatus.RECONNECTING:
            self._publish(live=False)

    def _publish(self, *, live: bool) -> None:
        self._emit(StreamUpdate(live, self.account.balances, datetime.fromtimestamp(self._clock(), UTC)))
