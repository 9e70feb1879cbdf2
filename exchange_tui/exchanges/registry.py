"""The exchanges the app works with: the only module that names each one's spec.

The order is the order "Add new exchange" lists them in.
"""

from __future__ import annotations

from exchange_tui.exchanges.base import ExchangeSpec
from exchange_tui.exchanges.binance.spec import SPEC as BINANCE
from exchange_tui.exchanges.bitget.spec import SPEC as BITGET
from exchange_tui.exchanges.bybit.spec import SPEC as BYBIT
from exchange_tui.exchanges.okx.spec import SPEC as OKX

EXCHANGES: dict[str, ExchangeSpec] = {spec.id: spec for spec in (BITGET, OKX, BYBIT, BINANCE)}
