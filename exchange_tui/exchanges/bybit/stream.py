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
(which would print it) is kept off.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NoReturn

import websockets
from websockets.asyncio.client import ClientConnection

from exchange_tui.exchanges.bybit.client import held, unified_balances
from exchange_tui.exchanges.bybit.errors import WS_AUTH_REFUSED, from_code
from exchange_tui.exchanges.bybit.signing import ws_auth_signature
from exchange_tui.exchanges.errors import ExchangeError, ExchangeUnavailable
from exchange_tui.exchanges.toolkit import StreamUpdate, throttle, tls_context
from exchange_tui.models import Balance, Credentials

CONNECTS = (500, 300.0)
"""Bybit's limit on new WebSocket connections: 500 in 5 minutes per domain (reference §5)."""
EXPIRES_AHEAD_MS = 10_000
"""How far ahead ``expires`` is: ccxt's 10 s (with pybit's 1 s users met ``Params Error``, reference §7)."""
TOPIC = "wallet"
PING = json.dumps({"req_id": "ping", "op": "ping"})

_log = logging.getLogger(__name__)
# websockets logs every frame at DEBUG, the auth frame included.
_FRAMES_LOG = logging.getLogger(__name__ + ".frames")
_FRAMES_LOG.setLevel(logging.INFO)


class StreamStatus(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    FAILED = "failed"
    CLOSED = "closed"


@dataclass(frozen=True)
class StreamTiming:
    """The stream's intervals, in seconds (tests shrink them)."""

    ping_interval: float = 20.0
    pong_timeout: float = 10.0
    answer_timeout: float = 10.0
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    close_timeout: float = 2.0


class _Refused(Exception):
    """A refusal that retrying cannot fix."""

    def __init__(self, error: ExchangeError) -> None:
        super().__init__(error)
        self.error = error


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


class BalanceStream:
    """One key's unified balances, live from Bybit's private WebSocket; see the module's documentation.

    ``snapshot`` reads the unified account over REST; ``clock_offset_ms`` is Bybit's clock minus ours (the REST
    client's ``clock_offset_ms``: ``None`` until measured).
    """

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
        self._credentials = credentials
        self.ws_url = ws_url
        self._snapshot = snapshot
        self._clock = clock
        self._offset_ms = clock_offset_ms
        self._timing = timing
        self.account = UnifiedAccount()
        self._updates: asyncio.Queue[StreamUpdate | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._ping_at = 0.0
        self._pong_due: float | None = None
        self._went_live = False
        self.status = StreamStatus.CONNECTING
        self.error: ExchangeError | None = None

    # -- lifecycle -------------------------------------------------------

    async def __aenter__(self) -> BalanceStream:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def start(self) -> None:
        """Connect in the background (``async with`` does it); updates queue up for the iteration."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"bybit-balance-stream {self._credentials.key_prefix}")
            self._task.add_done_callback(lambda _: self._updates.put_nowait(None))

    async def aclose(self) -> None:
        """Close the connection; the iteration ends after the updates already queued."""
        if self._task is None:
            self._updates.put_nowait(None)
        else:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.status is not StreamStatus.FAILED:
            self.status = StreamStatus.CLOSED

    def __aiter__(self) -> BalanceStream:
        return self

    async def __anext__(self) -> StreamUpdate:
        """The next update; the end after a failure or a close, or the exception a bug of ours raised."""
        update = await self._updates.get()
        if update is None:
            self._updates.put_nowait(None)
            task = self._task
            crash = task.exception() if task is not None and task.done() and not task.cancelled() else None
            if crash is not None:
                raise crash
            raise StopAsyncIteration
        return update

    # -- the connection loop ---------------------------------------------

    async def _run(self) -> None:
        attempt = 0
        while True:
            self._went_live = False
            try:
                await self._connection()
            except _Refused as refused:
                _log.warning("Bybit balance stream for %s refused: %s", self._credentials.key_prefix, refused.error)
                self.status, self.error = StreamStatus.FAILED, refused.error
                return
            except ExchangeError as lost:
                _log.info("Bybit balance stream for %s lost: %s", self._credentials.key_prefix, lost)
                self.status, self.error = StreamStatus.RECONNECTING, lost
                self._publish(live=False)
            attempt = 1 if self._went_live else attempt + 1
            timing = self._timing
            await asyncio.sleep(min(timing.backoff_max, timing.backoff_base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0))

    async def _connection(self) -> NoReturn:
        """One connection from connect to loss; always raises (a lost connection or a refusal)."""
        timing = self._timing
        await throttle(self.ws_url, "public", "connect", CONNECTS).acquire()
        try:
            async with websockets.connect(
                self.ws_url,
                open_timeout=timing.answer_timeout,
                close_timeout=timing.close_timeout,
                ping_interval=None,
                logger=_FRAMES_LOG,
                ssl=tls_context() if self.ws_url.startswith("wss:") else None,
            ) as ws:
                self._ping_at, self._pong_due = asyncio.get_running_loop().time() + timing.ping_interval, None
                await self._op(ws, auth_message(self._credentials, self._expires_ms()), "auth")
                await self._op(ws, json.dumps({"req_id": TOPIC, "op": "subscribe", "args": [TOPIC]}), "subscribe")
                await self._go_live()
                while True:
                    self._on_message(await self._receive(ws, None, ""))
        except websockets.ConnectionClosed as closed:
            raise ExchangeUnavailable(
                "closed",
                f"the WebSocket was closed ({closed.rcvd.code if closed.rcvd else 'no close frame'})",
                "The connection to Bybit's WebSocket was lost: reconnecting",
            ) from None
        except websockets.InvalidURI as error:
            raise _Refused(
                ExchangeUnavailable("bad-url", str(error), f"{self.ws_url} is not a WebSocket URL: fix the setting")
            ) from None
        except (OSError, TimeoutError, websockets.InvalidHandshake) as error:
            raise ExchangeUnavailable(
                "connect",
                f"cannot connect: {error}",
                f"Cannot reach Bybit's WebSocket at {self.ws_url}: check the network, DNS, firewall or proxy",
            ) from None

    def _expires_ms(self) -> int:
        return int(self._clock() * 1000 + (self._offset_ms() or 0)) + EXPIRES_AHEAD_MS

    async def _receive(self, ws: ClientConnection, deadline: float | None, awaited: str) -> dict[str, Any]:
        """The next JSON object other than a pong, pinging every ``ping_interval``; raises when the pong, or
        ``awaited`` by ``deadline``, is late."""
        loop = asyncio.get_running_loop()
        timing = self._timing
        while True:
            now = loop.time()
            if self._pong_due is not None and now >= self._pong_due:
                raise ExchangeUnavailable(
                    "no-pong",
                    f"no pong within {timing.pong_timeout:g} s of a ping",
                    "Bybit's WebSocket stopped answering: reconnecting",
                )
            if deadline is not None and now >= deadline:
                raise ExchangeUnavailable(
                    "no-answer",
                    f"no answer to {awaited} within {timing.answer_timeout:g} s",
                    "Bybit's WebSocket did not answer in time: reconnecting",
                )
            if now >= self._ping_at:
                await ws.send(PING)
                self._ping_at = now + timing.ping_interval
                self._pong_due = self._pong_due or now + timing.pong_timeout
                continue
            wake = min(t for t in (self._pong_due, self._ping_at, deadline) if t is not None)
            try:
                async with asyncio.timeout_at(wake):
                    text = await ws.recv()
            except TimeoutError:
                continue
            try:
                message = json.loads(text)
            except ValueError:
                message = None
            if not isinstance(message, dict):
                _log.warning("Bybit's WebSocket sent something that is not a JSON object; ignored")
            elif message.get("op") in ("pong", "ping"):
                self._pong_due = None
            else:
                return message

    async def _op(self, ws: ClientConnection, frame: str, op: str) -> None:
        """Send one op and wait for its answer: accepted, or refused for good."""
        await ws.send(frame)
        deadline = asyncio.get_running_loop().time() + self._timing.answer_timeout
        while True:
            message = await self._receive(ws, deadline, f"the {op}")
            if message.get("op") != op:
                continue
            if accepted(message):
                return
            error = refusal(message)
            raise error if error.retryable else _Refused(error)

    async def _go_live(self) -> None:
        """Bybit sends no snapshot on subscribing: the REST balances are the start."""
        try:
            self.account.replace(await self._snapshot())
        except ExchangeError as error:
            if not error.retryable:
                raise _Refused(error) from None
            raise
        self._went_live = True
        self.status, self.error = StreamStatus.LIVE, None
        self._publish(live=True)

    def _on_message(self, message: dict[str, Any]) -> None:
        if _is_push(message):
            self.account.apply(message)
            self._publish(live=True)
        elif message.get("op") and not accepted(message):
            raise refusal(message)

    def _publish(self, *, live: bool) -> None:
        self._updates.put_nowait(StreamUpdate(live, self.account.balances, datetime.fromtimestamp(self._clock(), UTC)))
