"""Spot and USDⓈ-M futures balances, live from Binance's user-data streams (reference/binance.md §7),
on the shared :class:`~exchange_tui.exchanges.streaming.PrivateStream`.

::

    async with BalanceStream(client, ws_url=…, futures_url=…, snapshot=…) as stream:
        async for update in stream:
            show(update.live, update.balances)

Two connections for one key:

- **spot**, over the WebSocket API (the only spot path since 2026-02-20, no listenKey): its "login" is
  the one signed ``userDataStream.subscribe.signature`` request (params sorted and signed like REST's,
  the timestamp in milliseconds on Binance's clock), accepted by an answer with ``status`` 200. It goes
  live once the REST balances are read (``snapshot``: Binance sends none), and pushes come wrapped as
  ``{"subscriptionId": N, "event": {…}}``: ``outboundAccountPosition`` gives the changed coins' free
  and locked amounts; ``eventStreamTerminated`` and ``serverShutdown`` end the connection. Liveness is
  the WebSocket API's own ``ping`` request every ``ping_interval``.
- **futures** (:class:`FuturesStream`), over a listenKey made with ``POST /fapi/v1/listenKey`` for each
  connection (kept alive with ``PUT`` every ``keepalive_interval``), at ``<futures base>/<listenKey>``
  with nothing to send: ``ACCOUNT_UPDATE``'s ``B`` gives each changed asset's wallet balance ``wb``;
  ``listenKeyExpired`` means a new key and connection. Binance pings it (every 3 minutes); websockets
  answers, and we send nothing.

The stream is live while the spot subscription is; the futures stream runs beside it while the spot
stream runs, and one Binance refuses for good (a key without Enable Futures) leaves the futures rows
as the snapshot had them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar, NoReturn

from websockets.asyncio.client import ClientConnection

from exchange_tui.exchanges.binance import signing
from exchange_tui.exchanges.binance.client import BinanceClient, futures_balance, ordered, spot_balance
from exchange_tui.exchanges.binance.errors import from_code
from exchange_tui.exchanges.errors import AuthenticationFailed, ExchangeError, ExchangeUnavailable
from exchange_tui.exchanges.streaming import PrivateStream, Refused, StreamStatus, StreamTiming
from exchange_tui.exchanges.toolkit import StreamUpdate, held, outcome
from exchange_tui.models import Balance, Credentials, Reason

SUBSCRIBE = "userDataStream.subscribe.signature"
SUBSCRIBE_ID = "subscribe"
PING_ID = "ping"
CONNECTS = (5, 1.0)
"""Well under the WebSocket API's 300 connections per 5 minutes per IP (reference §5)."""
KEEPALIVE_S = 30 * 60.0
"""The futures listenKey's keepalive: Binance closes its stream 60 minutes after the last."""
QUIET = 24 * 3600.0
"""The futures stream's ping interval: never (a connection lasts 24 hours; Binance pings us)."""


def subscribe_request(credentials: Credentials, timestamp_ms: int, request_id: str = SUBSCRIBE_ID) -> dict[str, Any]:
    """The spot user-data subscription for one key at one instant (reference §7.1)."""
    params: dict[str, Any] = {"apiKey": credentials.api_key.get_secret_value(), "timestamp": timestamp_ms}
    try:
        params["signature"] = signing.sign(credentials.secret_key, signing.ws_payload(params))
    except signing.UnusableKey as error:
        raise Refused(
            AuthenticationFailed("private-key", str(error), "The private key cannot sign", reason=Reason.SECRET_WRONG)
        ) from None
    return {"id": request_id, "method": SUBSCRIBE, "params": params}


def spot_position(event: dict[str, Any]) -> list[Balance]:
    """``outboundAccountPosition``'s coins: ``a`` asset, ``f`` free, ``l`` locked."""
    rows = event.get("B") or []
    return [spot_balance(row["a"], row.get("f"), row.get("l")) for row in rows if isinstance(row, dict) and row.get("a")]


def futures_update(event: dict[str, Any]) -> list[Balance]:
    """``ACCOUNT_UPDATE``'s assets: ``wb`` the wallet balance (the push says nothing of what is free)."""
    rows = (event.get("a") or {}).get("B") or []
    return [futures_balance(row["a"], row.get("wb"), row.get("wb")) for row in rows if isinstance(row, dict) and row.get("a")]


class Holdings:
    """Every coin held in spot and futures, as the snapshot and the pushes since leave them."""

    def __init__(self) -> None:
        self.coins: dict[tuple[str, str], Balance] = {}

    def reset(self, rows: list[Balance]) -> None:
        self.coins = {}
        self.apply(rows)

    def apply(self, rows: list[Balance]) -> None:
        for b in rows:
            if held(b):
                self.coins[(b.account, b.coin)] = b
            else:
                self.coins.pop((b.account, b.coin), None)

    @property
    def balances(self) -> tuple[Balance, ...]:
        return tuple(ordered(list(self.coins.values())))


class BalanceStream(PrivateStream[StreamUpdate]):
    """One key's spot and futures balances, live; see the module's documentation."""

    exchange: ClassVar[str] = "Binance"
    errors = staticmethod(from_code)
    ping: ClassVar[str] = json.dumps({"id": PING_ID, "method": "ping"})
    connect_limit: ClassVar[tuple[int, float] | None] = CONNECTS

    def __init__(
        self,
        client: BinanceClient,
        *,
        ws_url: str,
        futures_url: str,
        snapshot: Callable[[], Awaitable[list[Balance]]],
        timing: StreamTiming = StreamTiming(),
    ) -> None:
        assert client.credentials is not None, "a live stream signs with a key"
        super().__init__(
            client.credentials,
            ws_url=ws_url,
            clock=client.clock.clock,
            clock_offset_ms=lambda: client.clock_offset_ms,
            timing=timing,
        )
        self._client = client
        self._snapshot = snapshot
        self.holdings = Holdings()
        self.futures = FuturesStream(client, base_url=futures_url, on_update=self._futures_pushed, timing=timing)

    def start(self) -> None:
        super().start()
        self.futures.start()

    async def aclose(self) -> None:
        await asyncio.gather(super().aclose(), self.futures.aclose())

    def _login_frame(self, timestamp_s: str) -> str:
        """The signed subscription (Binance's timestamps are milliseconds: read on the client's clock)."""
        return json.dumps(subscribe_request(self._credentials, self._client.timestamp_ms()))

    def _login_answer(self, message: dict[str, Any]) -> bool:
        if message.get("id") == PING_ID:
            self._pong_due = None
            return False
        if message.get("id") != SUBSCRIBE_ID:
            return False
        if message.get("status") == 200:
            return True
        error = self._refusal(message.get("error") or {})
        if error.retryable or (self._clock_refusal(error) and self._clock_may_have_moved()):
            raise error
        raise Refused(error)

    def _notice(self, message: dict[str, Any]) -> ExchangeError | None:
        event = message.get("event")
        if isinstance(event, dict) and event.get("e") in ("serverShutdown", "eventStreamTerminated"):
            return ExchangeUnavailable(
                "closing", f"Binance sent {event['e']}", "Binance is closing the WebSocket (a restart, or its 24-hour limit): reconnecting"
            )
        return None

    async def _subscribe(self, ws: ClientConnection) -> None:
        """Subscribed already (the signed request is the login): go live on the REST balances."""
        self.holdings.reset(await self._snapshot())
        self.status, self.error = StreamStatus.LIVE, None
        self._publish(live=True)

    def _on_message(self, message: dict[str, Any]) -> None:
        if message.get("id") == PING_ID:
            self._pong_due = None
            return
        event = message.get("event")
        if isinstance(event, dict) and event.get("e") == "outboundAccountPosition":
            self.holdings.apply(spot_position(event))
            self._publish(live=True)
        elif message.get("status") not in (None, 200):
            raise self._refusal(message.get("error") or {})

    def _futures_pushed(self, rows: list[Balance]) -> None:
        self.holdings.apply(rows)
        if self.status is StreamStatus.LIVE:
            self._publish(live=True)

    def _down(self, status: StreamStatus, error: ExchangeError) -> None:
        """A lost connection is told as not live; a refusal ends the iteration, ``status`` and ``error`` say why."""
        self.status, self.error = status, error
        if status is StreamStatus.RECONNECTING:
            self._publish(live=False)

    def _publish(self, *, live: bool) -> None:
        self._emit(StreamUpdate(live, self.holdings.balances, datetime.fromtimestamp(self._clock(), UTC)))


class FuturesStream(PrivateStream[None]):
    """The USDⓈ-M futures user-data stream: a listenKey per connection, pushes passed to ``on_update``."""

    exchange: ClassVar[str] = "Binance"
    errors = staticmethod(from_code)
    connect_limit: ClassVar[tuple[int, float] | None] = CONNECTS

    def __init__(
        self,
        client: BinanceClient,
        *,
        base_url: str,
        on_update: Callable[[list[Balance]], None],
        timing: StreamTiming,
        keepalive_s: float = KEEPALIVE_S,
    ) -> None:
        assert client.credentials is not None, "a listenKey is made with a key"
        super().__init__(
            client.credentials,
            ws_url=base_url,
            clock=client.clock.clock,
            clock_offset_ms=lambda: client.futures.clock_offset_ms,
            timing=replace(timing, ping_interval=QUIET),
        )
        self._client = client
        self.base_url = base_url.rstrip("/")
        self._on_update = on_update
        self._keepalive_s = keepalive_s
        self._keepalive: asyncio.Task[None] | None = None

    async def _connection(self) -> NoReturn:
        try:
            listen_key = await self._client.new_listen_key()
        except ExchangeError as error:
            raise (error if error.retryable else Refused(error)) from None
        self.ws_url = f"{self.base_url}/{listen_key}"
        self._keepalive = asyncio.create_task(self._keep_alive())
        try:
            await super()._connection()
        finally:
            self._keepalive.cancel()

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self._keepalive_s)
            await outcome(self._client.keep_listen_key())

    async def _log_in(self, ws: ClientConnection) -> None:
        """Nothing to send: the listenKey in the URL is the key's."""

    def _login_frame(self, timestamp_s: str) -> str:
        raise NotImplementedError("the futures stream sends no login")

    async def _subscribe(self, ws: ClientConnection) -> None:
        self.status, self.error = StreamStatus.LIVE, None

    def _notice(self, message: dict[str, Any]) -> ExchangeError | None:
        if message.get("e") == "listenKeyExpired":
            return from_code("-1125", "the listenKey expired")
        return None

    def _on_message(self, message: dict[str, Any]) -> None:
        if message.get("e") == "ACCOUNT_UPDATE":
            self._on_update(futures_update(message))

    def _down(self, status: StreamStatus, error: ExchangeError) -> None:
        self.status, self.error = status, error
