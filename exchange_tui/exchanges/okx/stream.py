"""The trading account's balances, live from OKX's private WebSocket (reference/okx-v5.md §7).

::

    async with BalanceStream(credentials, ws_url=url, clock_offset_ms=lambda: rest.clock_offset_ms) as stream:
        async for update in stream:
            show(update.live, update.balances)

One stream is one key on one connection. It logs in (``sign`` over epoch seconds on OKX's clock,
the REST client's measured offset added), waits for the login's answer, subscribes the ``account``
channel and goes live with its first complete snapshot. OKX pushes ``snapshot`` (the whole account,
perhaps over several pages: ``curPage``, ``lastPage``; at first and then regularly) and
``event_update`` (the coins that changed): a snapshot replaces what the stream holds, an update is
merged in. Every balance is in the account ``trading``: OKX pushes nothing of the funding account.

Each item the iteration yields is a :class:`~exchange_tui.exchanges.toolkit.StreamUpdate`: one when
the stream goes live and one per push while live (``live=True``, every balance held now), one per
lost connection (``live=False``). The iteration ends when the stream is refused for good (``status``
``failed``, ``error`` the typed error with its hint, as REST words it) or closed.

Refused for good, never retried: a refused login (60005, 60007, 60024, 60032, 50101…), or a
refused subscription. A clock refusal is retried while the clock offset was not known at that login
or has been measured again since. Everything else is a lost connection: a drop, OKX's service-upgrade
notice (64008), no ``pong`` within ``pong_timeout`` of the text ``ping`` (sent after ``ping_interval``,
20 s, without a message: OKX closes a connection quiet for 30 s), no answer to the login or no snapshot
within ``answer_timeout``. It is reconnected after an exponential backoff with jitter (reset once
live again), logged in and subscribed again. New connections are throttled to OKX's three a second
per IP; a connection sends only its login, one subscription and pings.

Secrets stay ``SecretStr`` until the expression that builds the login; websockets' frame-level
debug log (which would print the login frame, passphrase included) is kept off.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NoReturn

import websockets
from websockets.asyncio.client import ClientConnection

from exchange_tui.exchanges.errors import ClockSkew, ExchangeError, ExchangeUnavailable
from exchange_tui.exchanges.okx.client import held, trading_balances
from exchange_tui.exchanges.okx.errors import from_code
from exchange_tui.exchanges.okx.signing import ws_login_signature
from exchange_tui.exchanges.toolkit import StreamUpdate, throttle, tls_context
from exchange_tui.models import Balance, Credentials

CONNECTS = (3, 1.0)
"""OKX's limit on new WebSocket connections: three a second per IP (reference §5)."""
SUBSCRIBE_ID = "1"

_log = logging.getLogger(__name__)
# websockets logs every frame at DEBUG, the login frame with its passphrase included.
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


def login_message(credentials: Credentials, timestamp_s: str) -> str:
    """The ``login`` op for one key at one instant (epoch seconds, as text)."""
    assert credentials.passphrase is not None, "OKX keys have a passphrase"
    return json.dumps(
        {
            "op": "login",
            "args": [
                {
                    "apiKey": credentials.api_key.get_secret_value(),
                    "passphrase": credentials.passphrase.get_secret_value(),
                    "timestamp": timestamp_s,
                    "sign": ws_login_signature(credentials.secret_key, timestamp_s),
                }
            ],
        }
    )


def _refusal(message: dict[str, Any]) -> ExchangeError:
    return from_code(str(message.get("code", "")), str(message.get("msg") or ""))


def _is_account_push(message: dict[str, Any]) -> bool:
    return (message.get("arg") or {}).get("channel") == "account" and "data" in message


class TradingAccount:
    """The trading account as the ``account`` channel's pushes leave it.

    A snapshot (over its pages) replaces what is held; an update is merged in, coin by coin, once a
    snapshot has been whole since the last (re)subscription (an update before that is folded into the
    snapshot being read, if any). A coin at zero is held no more.
    """

    def __init__(self) -> None:
        self.coins: dict[str, Balance] = {}
        self._pages: dict[str, Balance] | None = None
        self._whole = False

    def resubscribed(self) -> None:
        self._pages, self._whole = None, False

    def apply(self, message: dict[str, Any]) -> bool:
        """Apply one ``account`` push; whether the account is whole now, to be shown."""
        rows = {b.coin: b for b in trading_balances(message.get("data"))}
        if message.get("eventType") == "event_update":
            if self._pages is not None:
                self._pages.update(rows)
            if self._whole:
                self.coins = _held(self.coins | rows)
            return self._whole
        if self._pages is None or message.get("curPage") in (None, 1):
            self._pages = {}
        self._pages.update(rows)
        if message.get("lastPage") is False:
            return False
        self.coins, self._pages, self._whole = _held(self._pages), None, True
        return True

    @property
    def balances(self) -> tuple[Balance, ...]:
        """Every coin held, USDT first, then by coin."""
        return tuple(sorted(self.coins.values(), key=lambda b: (b.coin != "USDT", b.coin)))


def _held(coins: dict[str, Balance]) -> dict[str, Balance]:
    return {coin: b for coin, b in coins.items() if held(b)}


class BalanceStream:
    """One key's trading balances, live from OKX's private WebSocket; see the module's documentation.

    ``clock_offset_ms`` is OKX's clock minus ours, read at each login (the REST client's
    ``clock_offset_ms``: ``None`` until measured).
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        ws_url: str,
        clock: Callable[[], float] = time.time,
        clock_offset_ms: Callable[[], float | None] = lambda: None,
        timing: StreamTiming = StreamTiming(),
    ) -> None:
        self._credentials = credentials
        self.ws_url = ws_url
        self._clock = clock
        self._offset_ms = clock_offset_ms
        self._timing = timing
        self.account = TradingAccount()
        self._updates: asyncio.Queue[StreamUpdate | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._last_heard = 0.0
        self._pong_due: float | None = None
        self._login_offset: float | None = None
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
            self._task = asyncio.create_task(self._run(), name=f"okx-balance-stream {self._credentials.key_prefix}")
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
                _log.warning("OKX balance stream for %s refused: %s", self._credentials.key_prefix, refused.error)
                self.status, self.error = StreamStatus.FAILED, refused.error
                return
            except ExchangeError as lost:
                _log.info("OKX balance stream for %s lost: %s", self._credentials.key_prefix, lost)
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
                self._last_heard, self._pong_due = asyncio.get_running_loop().time(), None
                await self._log_in(ws)
                await self._subscribe(ws)
                while True:
                    self._on_message(await self._receive(ws, None, ""))
        except websockets.ConnectionClosed as closed:
            raise ExchangeUnavailable(
                "closed",
                f"the WebSocket was closed ({closed.rcvd.code if closed.rcvd else 'no close frame'})",
                "The connection to OKX's WebSocket was lost: reconnecting",
            ) from None
        except websockets.InvalidURI as error:
            raise _Refused(
                ExchangeUnavailable("bad-url", str(error), f"{self.ws_url} is not a WebSocket URL: fix the setting")
            ) from None
        except (OSError, TimeoutError, websockets.InvalidHandshake) as error:
            raise ExchangeUnavailable(
                "connect",
                f"cannot connect: {error}",
                f"Cannot reach OKX's WebSocket at {self.ws_url}: check the network, DNS, firewall or proxy",
            ) from None

    async def _receive(self, ws: ClientConnection, deadline: float | None, awaited: str) -> dict[str, Any]:
        """The next JSON object, pinging after ``ping_interval`` of silence; raises when the pong, or
        ``awaited`` by ``deadline``, is late, and on OKX's notice that it will close the connection."""
        loop = asyncio.get_running_loop()
        timing = self._timing
        while True:
            now = loop.time()
            if self._pong_due is not None and now >= self._pong_due:
                raise ExchangeUnavailable(
                    "no-pong",
                    f"no pong within {timing.pong_timeout:g} s of a ping",
                    "OKX's WebSocket stopped answering: reconnecting",
                )
            if deadline is not None and now >= deadline:
                raise ExchangeUnavailable(
                    "no-answer",
                    f"no answer to {awaited} within {timing.answer_timeout:g} s",
                    "OKX's WebSocket did not answer in time: reconnecting",
                )
            ping_at = self._last_heard + timing.ping_interval
            if self._pong_due is None and now >= ping_at:
                await ws.send("ping")
                self._pong_due = loop.time() + timing.pong_timeout
                continue
            wake = min(t for t in (self._pong_due or ping_at, deadline) if t is not None)
            try:
                async with asyncio.timeout_at(wake):
                    text = await ws.recv()
            except TimeoutError:
                continue
            self._last_heard = loop.time()
            if text == "pong":
                self._pong_due = None
                continue
            try:
                message = json.loads(text)
            except ValueError:
                message = None
            if not isinstance(message, dict):
                _log.warning("OKX's WebSocket sent something that is not a JSON object; ignored")
            elif message.get("event") == "notice":
                raise _refusal(message)
            else:
                return message

    async def _log_in(self, ws: ClientConnection) -> None:
        offset = self._login_offset = self._offset_ms()
        await ws.send(login_message(self._credentials, str(int(self._clock() + (offset or 0) / 1000))))
        deadline = asyncio.get_running_loop().time() + self._timing.answer_timeout
        while True:
            message = await self._receive(ws, deadline, "the login")
            if message.get("event") == "login" and str(message.get("code")) == "0":
                return
            if message.get("event") in ("login", "error"):
                error = _refusal(message)
                if error.retryable or (isinstance(error, ClockSkew) and self._clock_may_have_moved()):
                    raise error
                raise _Refused(error)

    def _clock_may_have_moved(self) -> bool:
        """Whether a login refused for its timestamp might pass now: the offset was not known at that
        login, or has been measured again since."""
        return self._login_offset is None or self._offset_ms() != self._login_offset

    async def _subscribe(self, ws: ClientConnection) -> None:
        """Subscribe the ``account`` channel and go live with its first complete snapshot."""
        await ws.send(json.dumps({"id": SUBSCRIBE_ID, "op": "subscribe", "args": [{"channel": "account"}]}))
        deadline = asyncio.get_running_loop().time() + self._timing.answer_timeout
        self.account.resubscribed()
        while True:
            message = await self._receive(ws, deadline, "the account channel")
            if message.get("event") == "error":
                error = _refusal(message)
                raise error if error.retryable else _Refused(error)
            if _is_account_push(message) and self.account.apply(message):
                self._went_live = True
                self.status, self.error = StreamStatus.LIVE, None
                self._publish(live=True)
                return

    def _on_message(self, message: dict[str, Any]) -> None:
        if _is_account_push(message):
            if self.account.apply(message):
                self._publish(live=True)
        elif message.get("event") == "error":
            raise _refusal(message)

    def _publish(self, *, live: bool) -> None:
        self._updates.put_nowait(StreamUpdate(live, self.account.balances, datetime.fromtimestamp(self._clock(), UTC)))
