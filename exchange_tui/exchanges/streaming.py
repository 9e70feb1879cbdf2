"""What every exchange's private balance stream does alike: one key on one WebSocket, kept open.

An exchange's stream subclasses :class:`PrivateStream` and says what is its own: its name for
messages (``exchange``) and its typed errors (``errors``), the login frame (``_login_frame``; most
are :func:`login_op`'s shape) and, where they differ, the answer to it (``_login_answer``) and
which refusal is its clock's (``_clock_refusal``), the subscription (``_subscribe``), what a
message means once live (``_on_message``), a notice that the exchange will close the connection
(``_notice``), what the reader is told when the connection goes (``_down``), and how it keeps the
connection alive and within limits (``ping``, ``pong``, ``ping_on_silence``,
``messages_per_second``, ``connect_limit``).

The base runs the rest: the background task and the queue the iteration reads (a crash of ours is
raised to the reader), the reconnect loop with a capped, jittered exponential backoff (reset once
live again), the connection itself with the lost, refused and unreachable cases as typed errors,
and the receive loop that pings on time and gives up when a pong or an awaited answer is late.

Each stream logs under its own module's name; websockets' frame-level debug log, which would print
the login frame with its passphrase, goes to that name plus ``.frames`` and is kept off DEBUG.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Generic, NoReturn, TypeVar

import websockets
from pydantic import SecretStr
from websockets.asyncio.client import ClientConnection

from exchange_tui.exchanges.errors import ClockSkew, ExchangeError, ExchangeUnavailable
from exchange_tui.exchanges.toolkit import Throttle, throttle, tls_context
from exchange_tui.models import Credentials

U = TypeVar("U")


class StreamStatus(StrEnum):
    CONNECTING = "connecting"  # not live yet, no connection lost so far
    LIVE = "live"  # logged in and subscribed: balances are as the exchange pushes them
    RECONNECTING = "reconnecting"  # a connection was lost or could not be made; trying again
    FAILED = "failed"  # stopped for good: ``error`` says why and what to do
    CLOSED = "closed"  # closed by us


@dataclass(frozen=True)
class StreamTiming:
    """The stream's intervals, in seconds (tests shrink them)."""

    ping_interval: float = 20.0
    pong_timeout: float = 10.0
    answer_timeout: float = 10.0
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    close_timeout: float = 2.0


class Refused(Exception):
    """A refusal that retrying cannot fix."""

    def __init__(self, error: ExchangeError) -> None:
        super().__init__(error)
        self.error = error


def login_op(credentials: Credentials, timestamp_s: str, sign: Callable[[SecretStr, str], str]) -> str:
    """The ``login`` op with its one argument (key, passphrase, timestamp, ``sign(secret, timestamp)``),
    the frame an exchange's private socket is opened with where it is of this shape."""
    assert credentials.passphrase is not None, "the login carries the key's passphrase"
    return json.dumps(
        {
            "op": "login",
            "args": [
                {
                    "apiKey": credentials.api_key.get_secret_value(),
                    "passphrase": credentials.passphrase.get_secret_value(),
                    "timestamp": timestamp_s,
                    "sign": sign(credentials.secret_key, timestamp_s),
                }
            ],
        }
    )


class PrivateStream(ABC, Generic[U]):
    """One key's private WebSocket, reconnected until it is refused for good or closed; yields ``U``.

    ``clock_offset_ms`` is the exchange's clock minus ours, or a callable read at each login (the REST
    client's ``clock_offset_ms``, ``None`` until measured).
    """

    exchange: ClassVar[str]
    """The exchange's name in messages (and, lower-cased, in the task's name)."""
    errors: ClassVar[Callable[[str, str], ExchangeError]]
    """The exchange's typed error for a code and its message."""
    ping: ClassVar[str] = "ping"
    pong: ClassVar[str] = "pong"
    ping_on_silence: ClassVar[bool] = False
    """Ping ``ping_interval`` after the last message heard, not every ``ping_interval``."""
    messages_per_second: ClassVar[int | None] = None
    """The exchange's limit on the messages we send on one connection, if we may come near it."""
    connect_limit: ClassVar[tuple[int, float] | None] = None
    """The exchange's limit on new connections per IP: a count in a window of seconds."""
    _log: ClassVar[logging.Logger]
    _frames_log: ClassVar[logging.Logger]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._log = logging.getLogger(cls.__module__)
        cls._frames_log = logging.getLogger(cls.__module__ + ".frames")
        cls._frames_log.setLevel(logging.INFO)

    def __init__(
        self,
        credentials: Credentials,
        *,
        ws_url: str,
        clock: Callable[[], float],
        clock_offset_ms: float | Callable[[], float | None],
        timing: StreamTiming,
    ) -> None:
        self._credentials = credentials
        self.ws_url = ws_url
        self._clock = clock
        self._offset_ms = clock_offset_ms
        self._timing = timing
        self._throttle = Throttle(self.messages_per_second) if self.messages_per_second else None
        self._updates: asyncio.Queue[U | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._next_ping = 0.0
        self._pong_due: float | None = None
        self._login_offset: float | None = None
        self.status = StreamStatus.CONNECTING
        self.error: ExchangeError | None = None

    # -- what each exchange says its own way ------------------------------

    @abstractmethod
    def _login_frame(self, timestamp_s: str) -> str:
        """The login op for this key at one instant (epoch seconds on the exchange's clock, as text)."""

    def _login_answer(self, message: dict[str, Any]) -> bool:
        """Whether ``message`` accepts the login; its refusal when it refuses it; ``False`` for anything else."""
        if message.get("event") == "login" and str(message.get("code")) == "0":
            return True
        if message.get("event") in ("login", "error"):
            error = self._refusal(message)
            if error.retryable or (self._clock_refusal(error) and self._clock_may_have_moved()):
                raise error
            raise Refused(error)
        return False

    def _clock_refusal(self, error: ExchangeError) -> bool:
        """Whether the login was refused for its timestamp."""
        return isinstance(error, ClockSkew)

    @abstractmethod
    async def _subscribe(self, ws: ClientConnection) -> None:
        """Subscribe, wait for what makes the stream live, set ``status`` live and publish it (or raise).

        A stream that went live before its connection was lost reconnects after the shortest backoff."""

    @abstractmethod
    def _on_message(self, message: dict[str, Any]) -> None:
        """One message while live: publish what it changed (or raise)."""

    def _notice(self, message: dict[str, Any]) -> ExchangeError | None:
        """The error to drop the connection with when ``message`` says the exchange is about to close it."""
        return None

    @abstractmethod
    def _down(self, status: StreamStatus, error: ExchangeError) -> None:
        """The connection is gone: lost (``reconnecting``) or refused for good (``failed``); tell the reader."""

    # -- lifecycle -------------------------------------------------------

    async def __aenter__(self) -> PrivateStream[U]:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def start(self) -> None:
        """Connect in the background (``async with`` does it); updates queue up for the iteration."""
        if self._task is None:
            name = f"{self.exchange.lower()}-balance-stream {self._credentials.key_prefix}"
            self._task = asyncio.create_task(self._run(), name=name)
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

    def __aiter__(self) -> PrivateStream[U]:
        return self

    async def __anext__(self) -> U:
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

    def _emit(self, update: U) -> None:
        self._updates.put_nowait(update)

    # -- the connection loop ---------------------------------------------

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                await self._connection()
            except Refused as refused:
                self._log.warning("%s balance stream for %s refused: %s", self.exchange, self._credentials.key_prefix, refused.error)
                self._down(StreamStatus.FAILED, refused.error)
                return
            except ExchangeError as lost:
                self._log.info("%s balance stream for %s lost: %s", self.exchange, self._credentials.key_prefix, lost)
                attempt = 1 if self.status is StreamStatus.LIVE else attempt + 1
                self._down(StreamStatus.RECONNECTING, lost)
            await asyncio.sleep(self._backoff(attempt))

    def _backoff(self, attempt: int) -> float:
        """Exponential, capped, with jitter so that many streams do not reconnect in step."""
        timing = self._timing
        return min(timing.backoff_max, timing.backoff_base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)

    async def _connection(self) -> NoReturn:
        """One connection from connect to loss; always raises (a lost connection or a refusal)."""
        timing = self._timing
        if self.connect_limit is not None:
            await throttle(self.ws_url, "public", "connect", self.connect_limit).acquire()
        try:
            async with websockets.connect(
                self.ws_url,
                open_timeout=timing.answer_timeout,
                close_timeout=timing.close_timeout,
                ping_interval=None,
                logger=self._frames_log,
                ssl=tls_context() if self.ws_url.startswith("wss:") else None,
            ) as ws:
                self._next_ping = asyncio.get_running_loop().time() + timing.ping_interval
                self._pong_due = None
                await self._log_in(ws)
                await self._subscribe(ws)
                while True:
                    self._on_message(await self._receive(ws, None, ""))
        except websockets.ConnectionClosed as closed:
            raise ExchangeUnavailable(
                "closed",
                f"the WebSocket was closed ({closed.rcvd.code if closed.rcvd else 'no close frame'})",
                f"The connection to {self.exchange}'s WebSocket was lost: reconnecting",
            ) from None
        except websockets.InvalidURI as error:
            raise Refused(
                ExchangeUnavailable("bad-url", str(error), f"{self.ws_url} is not a WebSocket URL: fix the setting")
            ) from None
        except (OSError, TimeoutError, websockets.InvalidHandshake) as error:
            raise ExchangeUnavailable(
                "connect",
                f"cannot connect: {error}",
                f"Cannot reach {self.exchange}'s WebSocket at {self.ws_url}: check the network, DNS, firewall or proxy",
            ) from None

    async def _send(self, ws: ClientConnection, text: str) -> None:
        if self._throttle is not None:
            await self._throttle.acquire()
        await ws.send(text)

    async def _receive(self, ws: ClientConnection, deadline: float | None, awaited: str) -> dict[str, Any]:
        """The next JSON object, sending pings on time; raises when a pong, or ``awaited`` by ``deadline``,
        is late, and when the exchange gives notice that it will close the connection."""
        loop = asyncio.get_running_loop()
        timing = self._timing
        while True:
            now = loop.time()
            if self._pong_due is not None and now >= self._pong_due:
                raise ExchangeUnavailable(
                    "no-pong",
                    f"no pong within {timing.pong_timeout:g} s of a ping",
                    f"{self.exchange}'s WebSocket stopped answering: reconnecting",
                )
            if deadline is not None and now >= deadline:
                raise ExchangeUnavailable(
                    "no-answer",
                    f"no answer to {awaited} within {timing.answer_timeout:g} s",
                    f"{self.exchange}'s WebSocket did not answer in time: reconnecting",
                )
            if self._pong_due is None and now >= self._next_ping:
                await self._send(ws, self.ping)
                sent = loop.time()
                self._next_ping, self._pong_due = sent + timing.ping_interval, sent + timing.pong_timeout
                continue
            wake = min(t for t in (self._pong_due or self._next_ping, deadline) if t is not None)
            try:
                async with asyncio.timeout_at(wake):
                    text = await ws.recv()
            except TimeoutError:
                continue
            if self.ping_on_silence:
                self._next_ping = loop.time() + timing.ping_interval
            if text == self.pong:
                self._pong_due = None
                continue
            try:
                message = json.loads(text)
            except ValueError:
                message = None
            if not isinstance(message, dict):
                self._log.warning("%s's WebSocket sent something that is not a JSON object; ignored", self.exchange)
                continue
            notice = self._notice(message)
            if notice is not None:
                raise notice
            return message

    async def _log_in(self, ws: ClientConnection) -> None:
        offset = self._login_offset = self._offset()
        await self._send(ws, self._login_frame(str(int(self._clock() + (offset or 0) / 1000))))
        deadline = asyncio.get_running_loop().time() + self._timing.answer_timeout
        while True:
            if self._login_answer(await self._receive(ws, deadline, "the login")):
                return

    def _offset(self) -> float | None:
        return self._offset_ms() if callable(self._offset_ms) else self._offset_ms

    def _clock_may_have_moved(self) -> bool:
        """Whether a login refused for its timestamp might pass now: the offset was not known at that
        login, or has been measured again since."""
        return self._login_offset is None or self._offset() != self._login_offset

    def _refusal(self, message: dict[str, Any]) -> ExchangeError:
        return self.errors(str(message.get("code", "")), str(message.get("msg") or ""))
