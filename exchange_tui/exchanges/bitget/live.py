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
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

from exchange_tui.exchanges.bitget.client import DEFAULT_BASE_URL, BitgetClient, ordered, total_usdt, value_in_usdt
from exchange_tui.exchanges.bitget.stream import DEMO_WS_URL_ENV, WS_URL_ENV, BalanceStream, StreamStatus
from exchange_tui.exchanges.errors import ExchangeError
from exchange_tui.models import AccountMode, BalanceReading, BalanceSource, Credentials

PRIVATE_WS_PATH = "/v2/ws/private"
DEMO_PREFIX = "/demo"


def ws_url_for(base_url: str, demo_trading: bool, environ: dict[str, str]) -> str | None:
    """The private WebSocket beside a REST base URL, or ``None`` for the stream's own default.

    Bitget's own REST host pairs with its own WebSocket hosts (or what the environment
    names); any other REST URL (a proxy, the simulator) serves the WebSocket on itself,
    demo keys under ``/demo``.
    """
    if environ.get(DEMO_WS_URL_ENV if demo_trading else WS_URL_ENV) or base_url.rstrip("/") == DEFAULT_BASE_URL:
        return None
    scheme, netloc, path, _, _ = urlsplit(base_url)
    ws_scheme = "wss" if scheme == "https" else "ws"
    return urlunsplit((ws_scheme, netloc, path.rstrip("/") + (DEMO_PREFIX if demo_trading else "") + PRIVATE_WS_PATH, "", ""))


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
            ws_url=ws_url,
            demo_trading=client.demo_trading,
            unified=mode is AccountMode.UNIFIED,
            clock_offset_ms=lambda: client.clock_offset_ms,
        )
    prices: dict[str, Decimal] = {}
    prices_at = float("-inf")
    async with stream:
        updates = aiter(stream)
        pending: asyncio.Future = asyncio.ensure_future(anext(updates))
        live = False
        wait = poll_interval
        try:
            while True:
                done, _ = await asyncio.wait({pending}, timeout=None if live else wait)
                if pending not in done:
                    wait = poll_interval
                    yield await _poll(client)
                    continue
                try:
                    update = pending.result()
                except StopAsyncIteration:
                    live, wait = False, 0
                    pending = asyncio.get_running_loop().create_future()
                    continue
                pending = asyncio.ensure_future(anext(updates))
                live = update.status is StreamStatus.LIVE
                if not live:
                    wait = 0
                else:
                    if time.monotonic() - prices_at > price_interval:
                        prices, prices_at = await _prices(client, prices), time.monotonic()
                    valued = ordered(value_in_usdt(list(update.balances), prices))
                    yield BalanceReading(
                        source=BalanceSource.LIVE, at=update.at, balances=valued, total_usdt=total_usdt(valued)
                    )
        finally:
            pending.cancel()


async def _poll(client: BitgetClient) -> BalanceReading:
    at = datetime.now(UTC)
    try:
        balances, total = await client.balances()
    except ExchangeError as error:
        return BalanceReading(source=BalanceSource.POLLING, at=at, error=error.info())
    return BalanceReading(source=BalanceSource.POLLING, at=at, balances=balances, total_usdt=total)


async def _prices(client: BitgetClient, last: dict[str, Decimal]) -> dict[str, Decimal]:
    """Fresh prices, or the last ones if Bitget cannot give them now."""
    try:
        return await client.spot_tickers()
    except ExchangeError:
        return last
