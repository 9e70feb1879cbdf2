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
debug log (which would print the login frame, passphrase included) is kept off. The connection, its
keepalive and reconnects are :class:`~exchange_tui.exchanges.streaming.PrivateStream`'s.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from websockets.asyncio.client import ClientConnection

from exchange_tui.exchanges.errors import ExchangeError
from exchange_tui.exchanges.okx.client import trading_balances
from exchange_tui.exchanges.okx.errors import from_code
from exchange_tui.exchanges.okx.signing import ws_login_signature
from exchange_tui.exchanges.streaming import PrivateStream, Refused, StreamStatus, StreamTiming, login_op
from exchange_tui.exchanges.toolkit import StreamUpdate, held
from exchange_tui.models import Balance, Credentials

CONNECTS = (3, 1.0)
"""OKX's limit on new WebSocket connections: three a second per IP (reference §5)."""
SUBSCRIBE_ID = "1"


def login_message(credentials: Credentials, timestamp_s: str) -> str:
    """The ``login`` op for one key at one instant (epoch seconds, as text)."""
    return login_op(credentials, timestamp_s, ws_login_signature)


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


class BalanceStream(PrivateStream[StreamUpdate]):
    """One key's trading balances, live from OKX's private WebSocket; see the module's documentation.

    ``clock_offset_ms`` is OKX's clock minus ours, read at each login (the REST client's
    ``clock_offset_ms``: ``None`` until measured).
    """

    exchange: ClassVar[str] = "OKX"
    errors = staticmethod(from_code)
    ping_on_silence: ClassVar[bool] = True
    connect_limit: ClassVar[tuple[int, float] | None] = CONNECTS

    def __init__(
        self,
        credentials: Credentials,
        *,
        ws_url: str,
        clock: Callable[[], float] = time.time,
        clock_offset_ms: Callable[[], float | None] = lambda: None,
        timing: StreamTiming = StreamTiming(),
    ) -> None:
        super().__init__(credentials, ws_url=ws_url, clock=clock, clock_offset_ms=clock_offset_ms, timing=timing)
        self.account = TradingAccount()

    def _login_frame(self, timestamp_s: str) -> str:
        return login_message(self._credentials, timestamp_s)

    def _notice(self, message: dict[str, Any]) -> ExchangeError | None:
        """OKX's notice that it will close the connection (64008, a service upgrade)."""
        return self._refusal(message) if message.get("event") == "notice" else None

    async def _subscribe(self, ws: ClientConnection) -> None:
        """Subscribe the ``account`` channel and go live with its first complete snapshot."""
        await self._send(ws, json.dumps({"id": SUBSCRIBE_ID, "op": "subscribe", "args": [{"channel": "account"}]}))
        deadline = asyncio.get_running_loop().time() + self._timing.answer_timeout
        self.account.resubscribed()
        while True:
            message = await self._receive(ws, deadline, "the account channel")
            if message.get("event") == "error":
                error = self._refusal(message)
                raise error if error.retryable else Refused(error)
            if _is_account_push(message) and self.account.apply(message):
                self.status, self.error = StreamStatus.LIVE, None
                self._publish(live=True)
                return

    def _on_message(self, message: dict[str, Any]) -> None:
        if _is_account_push(message):
            if self.account.apply(message):
                self._publish(live=True)
        elif message.get("event") == "error":
            raise self._refusal(message)

    def _down(self, status: StreamStatus, error: ExchangeError) -> None:
        """A lost connection is told as not live; a refusal ends the iteration, ``status`` and ``error`` say why."""
        self.status, self.error = status, error
        if status is StreamStatus.RECONNECTING:
            self._publish(live=False)

    def _publish(self, *, live: bool) -> None:
        self._emit(StreamUpdate(live, self.account.balances, datetime.fromtimestamp(self._clock(), UTC)))
