"""Live balances for one Bitget key: the private WebSocket first, REST polling while it is down.

The account's mode comes first (v3 account info, which also syncs the clock, so the first
WebSocket login is already on Bitget's time): a classic account's balances stream on the v2
socket, a unified account's on the v3 one. Until the mode is known each reading is a REST
attempt. Pushes are passed on as they come. While the stream is not live (connecting,
reconnecting, or refused for good) the REST API is read at once and then every
``poll_interval`` seconds instead, so the figures keep moving and the reader knows which source
they came from. Spot and unified coins are valued with REST prices, refreshed now and then.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from datetime import UTC, datetime
from decimal import Decimal

from exchange_tui.exchanges.bitget.client import BitgetClient, ordered, value_in_usdt
from exchange_tui.exchanges.bitget.spec import DEFAULT_BASE_URL
from exchange_tui.exchanges.bitget.stream import BalanceStream, StreamStatus
from exchange_tui.exchanges.errors import ExchangeError
from exchange_tui.exchanges.toolkit import StreamUpdate, fresh_or, live_with_fallback, polled, ws_url_beside
from exchange_tui.models import AccountMode, Balance, BalanceReading, BalanceSource, Credentials

PRIVATE_WS_PATH = "/v2/ws/private"


def ws_url_for(base_url: str, demo_trading: bool, urls: Mapping[str, str]) -> str | None:
    """The private WebSocket for a key, or ``None`` for the stream's own default.

    A WebSocket URL set for the key (``ws_url``, ``demo_ws_url``) wins; Bitget's own REST host pairs
    with its own WebSocket hosts; any other REST URL (a proxy, the simulator) serves the WebSocket
    on itself, demo keys under ``/demo``.
    """
    chosen = urls.get("demo_ws_url" if demo_trading else "ws_url")
    if chosen or base_url.rstrip("/") == DEFAULT_BASE_URL:
        return chosen
    return ws_url_beside(base_url, demo_trading, PRIVATE_WS_PATH)


async def live_balances(
    client: BitgetClient,
    credentials: Credentials,
    *,
    ws_url: str | None = None,
    poll_interval: float = 5.0,
    price_interval: float = 30.0,
    stream: BalanceStream | None = None,
) -> AsyncIterator[BalanceReading]:
    """Readings of the key's balances, for as long as the caller iterates."""
    while stream is None:
        try:
            mode = await client.account_mode()
        except ExchangeError as error:
            yield BalanceReading(source=BalanceSource.POLLING, at=datetime.now(UTC), error=error.info())
            await asyncio.sleep(poll_interval)
            continue
        stream = BalanceStream(
            credentials,
            ws_url=ws_url or ws_url_for(client.base_url, client.demo_trading, client.connection.urls),
            demo_trading=client.demo_trading,
            unified=mode is AccountMode.UNIFIED,
            clock_offset_ms=lambda: client.clock_offset_ms,
        )
    prices: dict[str, Decimal] = {}
    prices_at = float("-inf")

    async def value(balances: tuple[Balance, ...]) -> list[Balance]:
        nonlocal prices, prices_at
        if time.monotonic() - prices_at > price_interval:
            prices, prices_at = await fresh_or(client.spot_tickers(), prices), time.monotonic()
        return ordered(value_in_usdt(list(balances), prices))

    async with stream:
        updates = (StreamUpdate(u.status is StreamStatus.LIVE, u.balances, u.at) async for u in stream)
        readings = live_with_fallback(updates, lambda: polled(client.balances), value, poll_interval)
        async with aclosing(readings):
            async for reading in readings:
                yield reading
