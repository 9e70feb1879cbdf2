"""Live balances for one OKX key: the trading account pushed over the private WebSocket, the funding
account polled beside it (OKX pushes nothing of it), REST polling for both while the stream is down.

The clock is synced first, so the first WebSocket login is already on OKX's time. Pushes are passed
on as they come, beside the funding account's last reading and valued with REST prices, both read
again at the first push ``refresh_interval`` seconds after the last time (OKX pushes a snapshot
regularly, so pushes keep coming). While the stream is not live (connecting,
reconnecting, or refused for good) the REST API is read at once and then every ``poll_interval``
seconds instead, so the figures keep moving and the reader knows which source they came from.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from decimal import Decimal

from exchange_tui.exchanges.base import Site
from exchange_tui.exchanges.errors import ExchangeError, PermissionMissing
from exchange_tui.exchanges.okx.client import OkxClient, ordered, value_in_usdt
from exchange_tui.exchanges.okx.spec import WS_HOSTS
from exchange_tui.exchanges.okx.stream import BalanceStream
from exchange_tui.exchanges.toolkit import fresh_or, live_with_fallback, outcome, polled, ws_url_beside
from exchange_tui.models import Balance, BalanceReading

PRIVATE_WS_PATH = "/ws/v5/private"


def ws_url_for(base_url: str, site: Site, demo_trading: bool, urls: Mapping[str, str]) -> str:
    """The private WebSocket for a key.

    A WebSocket URL set for the key (``ws_url``, ``demo_ws_url``) wins; a site's own REST host pairs
    with that site's WebSocket hosts (reference §6); any other REST base (a proxy, the simulator)
    serves the WebSocket on itself: ``http://127.0.0.1:PORT`` -> ``ws://127.0.0.1:PORT/ws/v5/private``,
    demo keys ``…/demo/ws/v5/private``.
    """
    chosen = urls.get("demo_ws_url" if demo_trading else "ws_url")
    if chosen:
        return chosen
    if base_url.rstrip("/") == site.rest_url:
        return WS_HOSTS[site.id][demo_trading]
    return ws_url_beside(base_url, demo_trading, PRIVATE_WS_PATH)


async def live_balances(
    client: OkxClient,
    *,
    poll_interval: float = 5.0,
    refresh_interval: float = 30.0,
    stream: BalanceStream | None = None,
) -> AsyncIterator[BalanceReading]:
    """Readings of the key's balances, for as long as the caller iterates."""
    credentials = client.credentials
    assert credentials is not None, "a live stream logs in with a key"
    await outcome(client.ensure_clock())
    if stream is None:
        stream = BalanceStream(
            credentials,
            ws_url=ws_url_for(client.base_url, client.site, client.demo_trading, client.connection.urls),
            clock=client.clock.clock,
            clock_offset_ms=lambda: client.clock_offset_ms,
        )
    prices: dict[str, Decimal] = {}
    funding: list[Balance] = []
    refreshed_at = float("-inf")

    async def value(trading: tuple[Balance, ...]) -> list[Balance]:
        nonlocal prices, funding, refreshed_at
        if time.monotonic() - refreshed_at > refresh_interval:
            prices, funding = await asyncio.gather(fresh_or(client.spot_tickers(), prices), _funding(client, funding))
            refreshed_at = time.monotonic()
        return ordered(value_in_usdt([*trading, *funding], prices))

    async with stream:
        readings = live_with_fallback(stream, lambda: polled(client.balances), value, poll_interval)
        async with aclosing(readings):
            async for reading in readings:
                yield reading


async def _funding(client: OkxClient, last: list[Balance]) -> list[Balance]:
    """The funding account now: none if the key may not read it, the last reading if OKX cannot give it now."""
    fresh = await outcome(client.funding_balances())
    if isinstance(fresh, PermissionMissing):
        return []
    return last if isinstance(fresh, ExchangeError) else fresh
