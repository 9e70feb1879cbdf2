"""What the account service needs from an exchange adapter, and the exchanges that really work.

A second exchange is a new folder under ``exchanges/`` and one more entry in
``EXCHANGES``, never an ``if`` in a screen or a command.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, cast

from exchange_tui.models import Balance, BalanceReading, Credentials, KeyReport


class ExchangeClient(Protocol):
    """One key's connection to one exchange."""

    demo_trading: bool

    async def check_key(self) -> KeyReport: ...

    async def balances(self) -> tuple[list[Balance], Decimal]: ...

    async def aclose(self) -> None: ...


Watch = Callable[[ExchangeClient, Credentials, float], AsyncIterator[BalanceReading]]


@dataclass(frozen=True)
class Exchange:
    """An exchange that really works: how to connect a key, and how to watch its balances live."""

    id: str
    name: str
    connect: Callable[[Credentials, bool, str | None], ExchangeClient]
    watch: Watch


def _bitget(credentials: Credentials, demo_trading: bool, base_url: str | None) -> ExchangeClient:
    from exchange_tui.exchanges.bitget.client import BitgetClient

    return BitgetClient(credentials, demo_trading=demo_trading, base_url=base_url)


def _bitget_watch(client: ExchangeClient, credentials: Credentials, poll_interval: float) -> AsyncIterator[BalanceReading]:
    from exchange_tui.exchanges.bitget.client import BitgetClient
    from exchange_tui.exchanges.bitget.live import live_balances, ws_url_for

    bitget = cast(BitgetClient, client)  # made by _bitget above
    ws_url = ws_url_for(bitget.base_url, bitget.demo_trading, dict(os.environ))
    return live_balances(bitget, credentials, ws_url=ws_url, poll_interval=poll_interval)


EXCHANGES: dict[str, Exchange] = {"bitget": Exchange("bitget", "Bitget", _bitget, _bitget_watch)}
