"""Live balances for one Bybit key: the unified account pushed over the private WebSocket, the funding wallet
polled beside it (Bybit pushes nothing of it, reference §7), REST polling for both while the stream is down.

The clock is synced first, so the first WebSocket auth is already on Bybit's time. Pushes are passed on as they
come, beside the funding wallet's last reading and valued with REST prices; both are read again every
``refresh_interval`` seconds (the poll interval unless given), and while the stream is live and quiet its last
balances are passed on again then, so the funding wallet's figures keep moving too. While the stream is not live
(connecting, reconnecting, or refused for good) the REST API is read at once and then every ``poll_interval``
seconds instead, so the reader always knows which source the figures came from.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import aclosing
from datetime import UTC, datetime
from decimal import Decimal

from exchange_tui.exchanges.base import Environment
from exchange_tui.exchanges.bybit.client import BybitClient, ordered, value_in_usdt
from exchange_tui.exchanges.bybit.spec import REST_HOSTS, WS_HOSTS, WS_SETTINGS
from exchange_tui.exchanges.bybit.stream import BalanceStream
from exchange_tui.exchanges.errors import ExchangeError, PermissionMissing
from exchange_tui.exchanges.toolkit import StreamUpdate, fresh_or, live_with_fallback, outcome, polled, ws_url_beside
from exchange_tui.models import Balance, BalanceReading

PRIVATE_WS_PATH = "/v5/private"


def ws_url_for(environment: Environment, base_url: str, urls: Mapping[str, str]) -> str:
    """The private WebSocket for a key.

    The environment's WebSocket setting (``ws_url``, ``demo_ws_url``, ``testnet_ws_url``) wins; the environment's
    own REST host pairs with its WebSocket host (reference §6); any other REST base (a proxy, the simulator) serves
    the WebSocket on itself: ``http://127.0.0.1:PORT`` -> ``ws://127.0.0.1:PORT/v5/private`` (with no ``/demo``:
    Bybit's demo trading and testnet are hosts of their own, so a simulator of them is a server of its own).
    """
    chosen = urls.get(WS_SETTINGS[environment])
    if chosen:
        return chosen
    if base_url.rstrip("/") == REST_HOSTS[environment]:
        return WS_HOSTS[environment]
    return ws_url_beside(base_url, False, PRIVATE_WS_PATH)


async def live_balances(
    client: BybitClient,
    *,
    poll_interval: float = 5.0,
    refresh_interval: float | None = None,
    stream: BalanceStream | None = None,
) -> AsyncIterator[BalanceReading]:
    """Readings of the key's balances, for as long as the caller iterates."""
    credentials = client.credentials
    assert credentials is not None, "a live stream authenticates with a key"
    refresh_s = poll_interval if refresh_interval is None else refresh_interval
    await outcome(client.ensure_clock())
    if stream is None:
        stream = BalanceStream(
            credentials,
            ws_url=ws_url_for(client.environment, client.base_url, client.connection.urls),
            snapshot=client.unified_balances,
            clock=client.clock.clock,
            clock_offset_ms=lambda: client.clock_offset_ms,
        )
    prices: dict[str, Decimal] = {}
    funding: list[Balance] = []
    refreshed_at = float("-inf")

    async def refresh() -> None:
        nonlocal prices, funding, refreshed_at
        prices, funding = await asyncio.gather(fresh_or(client.spot_tickers(), prices), _funding(client, funding))
        refreshed_at = time.monotonic()

    async def value(unified: tuple[Balance, ...]) -> list[Balance]:
        if time.monotonic() - refreshed_at >= refresh_s:
            await refresh()
        return ordered(value_in_usdt([*unified, *funding], prices))

    async with stream:
        readings = live_with_fallback(_repeated(stream, refresh_s, refresh), lambda: polled(client.balances), value, poll_interval)
        async with aclosing(readings):
            async for reading in readings:
                yield reading


async def _repeated(
    updates: AsyncIterator[StreamUpdate], interval: float, refresh: Callable[[], Awaitable[None]]
) -> AsyncIterator[StreamUpdate]:
    """The stream's updates, and after ``interval`` seconds without one, ``refresh`` and its last live one again."""
    pending: asyncio.Future[StreamUpdate] = asyncio.ensure_future(anext(updates))
    last: StreamUpdate | None = None
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=interval if last is not None and last.live else None)
            if pending not in done:
                assert last is not None
                await refresh()
                yield dataclasses.replace(last, at=datetime.now(UTC))
                continue
            try:
                last = pending.result()
            except StopAsyncIteration:
                return
            pending = asyncio.ensure_future(anext(updates))
            yield last
    finally:
        pending.cancel()


async def _funding(client: BybitClient, last: list[Balance]) -> list[Balance]:
    """The funding wallet now: none if the key may not read it, the last reading if Bybit cannot give it now."""
    fresh = await outcome(client.funding_balances())
    if isinstance(fresh, PermissionMissing):
        return []
    return last if isinstance(fresh, ExchangeError) else fresh
