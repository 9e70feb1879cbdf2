"""Live balances for one Binance key: spot over the WebSocket API's user-data subscription, USDⓈ-M
futures over its listenKey stream, the funding wallet polled beside them (nothing pushes it), REST
polling for all while the spot stream is down.

The clocks are synced first, so the first subscription is signed on Binance's time. Pushes are passed
on as they come, beside the funding wallet's last reading and valued with REST prices, both read again
at the first push ``refresh_interval`` seconds after the last time. While the stream is not live
(connecting, reconnecting, or refused for good) the REST API is read at once and then every
``poll_interval`` seconds instead, so the figures keep moving and the reader knows their source.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from decimal import Decimal

from exchange_tui.exchanges.base import Environment
from exchange_tui.exchanges.binance.client import (
    BinanceClient,
    is_default,
    ordered,
    spot_balances,
    value_in_usdt,
)
from exchange_tui.exchanges.binance.spec import HOSTS
from exchange_tui.exchanges.binance.stream import BalanceStream
from exchange_tui.exchanges.errors import ExchangeError
from exchange_tui.exchanges.toolkit import live_with_fallback, outcome, polled, ws_url_beside
from exchange_tui.models import Balance, BalanceReading

WS_API_PATH = "/ws-api/v3"
FUTURES_STREAM_PATH = "/private/ws"


def ws_urls_for(client: BinanceClient) -> tuple[str, str]:
    """The spot WebSocket API and the futures stream base (``/<listenKey>`` follows) for a key.

    A URL set for the key (``ws_api_url``, ``futures_ws_url``) wins; Binance's own REST hosts pair with
    their environment's WebSocket hosts (reference §6); any other REST base (a proxy, the simulator)
    serves them on itself: spot ``http://127.0.0.1:P`` -> ``ws://127.0.0.1:P/ws-api/v3``, futures
    ``http://127.0.0.1:Q`` -> ``ws://127.0.0.1:Q/private/ws`` (then ``/<listenKey>``, Binance's path since 2026-03).
    """
    return (
        _ws_url(client.connection.urls, "ws_api_url", client.base_url, client.environment, WS_API_PATH, spot=True),
        _ws_url(client.connection.urls, "futures_ws_url", client.futures.base_url, client.environment, FUTURES_STREAM_PATH, spot=False),
    )


def _ws_url(urls: Mapping[str, str], setting: str, rest: str, environment: Environment, path: str, *, spot: bool) -> str:
    chosen = urls.get(setting)
    if chosen:
        return chosen
    if is_default(rest):
        hosts = HOSTS[environment]
        return hosts.ws_api if spot else hosts.futures_ws
    return ws_url_beside(rest, False, path)


async def live_balances(
    client: BinanceClient,
    *,
    poll_interval: float = 5.0,
    refresh_interval: float = 30.0,
    stream: BalanceStream | None = None,
) -> AsyncIterator[BalanceReading]:
    """Readings of the key's balances, for as long as the caller iterates."""
    await outcome(client.ensure_clocks())
    if stream is None:
        spot_url, futures_url = ws_urls_for(client)
        stream = BalanceStream(client, ws_url=spot_url, futures_url=futures_url, snapshot=lambda: snapshot(client))
    prices: dict[str, Decimal] = {}
    funding: list[Balance] = []
    refreshed_at = float("-inf")

    async def value(pushed: tuple[Balance, ...]) -> list[Balance]:
        nonlocal prices, funding, refreshed_at
        if time.monotonic() - refreshed_at > refresh_interval:
            prices, funding = await asyncio.gather(_prices(client, prices), _funding(client, funding))
            refreshed_at = time.monotonic()
        return ordered(value_in_usdt([*pushed, *funding], prices))

    async with stream:
        readings = live_with_fallback(stream, lambda: polled(client.balances), value, poll_interval)
        async with aclosing(readings):
            async for reading in readings:
                yield reading


async def snapshot(client: BinanceClient) -> list[Balance]:
    """What the streams start from: the spot account (it must be read) and the futures balance (none if it cannot be)."""
    account, futures = await asyncio.gather(client.account(), outcome(client.futures_balances()))
    return spot_balances(account) + ([] if isinstance(futures, ExchangeError) else futures)


async def _prices(client: BinanceClient, last: dict[str, Decimal]) -> dict[str, Decimal]:
    fresh = await outcome(client.prices())
    return last if isinstance(fresh, ExchangeError) else fresh


async def _funding(client: BinanceClient, last: list[Balance]) -> list[Balance]:
    """The funding wallet now: none where it is not served or may not be read, the last reading if it cannot be read now."""
    if not client.wallet_served:
        return []
    fresh = await outcome(client.funding_balances())
    if isinstance(fresh, ExchangeError):
        return [] if fresh.code == "-2015" or not fresh.retryable else last
    return fresh
