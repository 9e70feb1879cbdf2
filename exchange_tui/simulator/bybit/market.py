"""The simulated Bybit spot market: a fixed price table served as ``/v5/market/tickers?category=spot`` rows and
``/v5/market/instruments-info`` (reference §3), and used to value balances (``usdValue`` in USD)."""

from __future__ import annotations

from decimal import Decimal

from exchange_tui.simulator.core.numbers import plain

QUOTE = "USDT"
USD_PER_USDT = Decimal("0.9996")
"""What one USDT is worth in dollars: ``totalEquity``/``usdValue`` are USD (reference §3, DOCS-WB field notes),
so a client that took them for USDT is off by this much."""

DEFAULT_PRICES: dict[str, Decimal] = {
    "BTCUSDT": Decimal("67012.3"),
    "ETHUSDT": Decimal("3120.48"),
    "SOLUSDT": Decimal("152.371"),
    "XRPUSDT": Decimal("0.52341"),
    "USDCUSDT": Decimal("0.9998"),
    "MNTUSDT": Decimal("0.6213"),
}


def usdt_price(prices: dict[str, Decimal], coin: str) -> Decimal:
    """What one ``coin`` is worth in USDT; 0 for a coin without a USDT market."""
    if coin == QUOTE:
        return Decimal(1)
    return prices.get(f"{coin}{QUOTE}", Decimal(0))


def ticker(symbol: str, last: Decimal) -> dict[str, str]:
    """One spot ``/v5/market/tickers`` row, the fields of the reference's example; 24 h figures from ``last``."""
    tick = Decimal(1).scaleb(last.as_tuple().exponent)
    return {
        "symbol": symbol,
        "bid1Price": plain(last),
        "bid1Size": "2",
        "ask1Price": plain(last + tick),
        "ask1Size": "1.862172",
        "lastPrice": plain(last),
        "prevPrice24h": plain(last),
        "price24hPcnt": "0",
        "highPrice24h": plain(last),
        "lowPrice24h": plain(last),
        "turnover24h": "0",
        "volume24h": "0",
        "usdIndexPrice": plain(last * USD_PER_USDT),
    }


def instrument(symbol: str, last: Decimal) -> dict[str, object]:
    """One spot ``/v5/market/instruments-info`` row, with the fields ccxt's ``parse_spot_market`` reads."""
    base = symbol.removesuffix(QUOTE)
    return {
        "symbol": symbol,
        "baseCoin": base,
        "quoteCoin": QUOTE,
        "innovation": "0",
        "status": "Trading",
        "marginTrading": "both",
        "stTag": "0",
        "lotSizeFilter": {"basePrecision": "0.000001", "quotePrecision": "0.00000001", "minOrderQty": "0.000048",
                          "maxOrderQty": "71.73956243", "minOrderAmt": "1", "maxOrderAmt": "2000000"},
        "priceFilter": {"tickSize": plain(Decimal(1).scaleb(last.as_tuple().exponent))},
        "riskParameters": {"priceLimitRatioX": "0.01", "priceLimitRatioY": "0.02"},
    }
