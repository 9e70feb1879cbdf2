"""The simulated Binance spot market: a fixed price table served by ``/api/v3/ticker/price`` (reference §3)
and used to value balances; ``/api/v3/exchangeInfo`` and ``/fapi/v1/exchangeInfo`` list no symbols (enough
for ccxt's ``load_markets``, which a balance read needs)."""

from __future__ import annotations

from decimal import Decimal

QUOTE = "USDT"

DEFAULT_PRICES: dict[str, Decimal] = {
    "BTCUSDT": Decimal("67012.30000000"),
    "ETHUSDT": Decimal("3120.48000000"),
    "BNBUSDT": Decimal("590.12000000"),
    "SOLUSDT": Decimal("152.37100000"),
    "XRPUSDT": Decimal("0.52341000"),
    "USDCUSDT": Decimal("0.99980000"),
    "ETHBTC": Decimal("0.04656600"),
}


def usdt_price(prices: dict[str, Decimal], asset: str) -> Decimal:
    """What one ``asset`` is worth in USDT; 0 for an asset without a USDT market."""
    if asset == QUOTE:
        return Decimal(1)
    return prices.get(f"{asset}{QUOTE}", Decimal(0))


def exchange_info(now_ms: int) -> dict[str, object]:
    return {"timezone": "UTC", "serverTime": now_ms, "rateLimits": [], "exchangeFilters": [], "symbols": []}
