"""What the account service needs from an exchange adapter, and the exchanges that really work.

A second exchange is a new folder under ``exchanges/`` and one more entry in
``EXCHANGES``, never an ``if`` in a screen or a command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from exchange_tui.models import Balance, Credentials, KeyReport


class ExchangeClient(Protocol):
    """One key's connection to one exchange."""

    demo_trading: bool

    async def check_key(self) -> KeyReport: ...

    async def balances(self) -> tuple[list[Balance], Decimal]: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class Exchange:
    id: str
    name: str
    connect: Callable[[Credentials, bool, str | None], ExchangeClient]


def _bitget(credentials: Credentials, demo_trading: bool, base_url: str | None) -> ExchangeClient:
    from exchange_tui.exchanges.bitget.client import BitgetClient

    return BitgetClient(credentials, demo_trading=demo_trading, base_url=base_url)


EXCHANGES: dict[str, Exchange] = {"bitget": Exchange("bitget", "Bitget", _bitget)}
