"""The simulated OKX spot market: a fixed price table served as ``/market/tickers`` and ``/public/instruments``
rows (reference §3) and used to value balances (the trading account in USD, valuations in any ccy)."""

from __future__ import annotations

from decimal import Decimal

from exchange_tui.simulator.core.numbers import plain

QUOTE = "USDT"
USD_PER_USDT = Decimal("0.9996")
"""What one USDT is worth in dollars. The trading account's ``eqUsd``/``totalEq`` are USD, not USDT
(reference §3, "Valuing in USDT"), so a client that took one for the other is off by this much."""

DEFAULT_PRICES: dict[str, Decimal] = {
    "BTC-USDT": Decimal("67012.3"),
    "ETH-USDT": Decimal("3120.48"),
    "SOL-USDT": Decimal("152.371"),
    "OKB-USDT": Decimal("48.12"),
    "XRP-USDT": Decimal("0.52341"),
    "USDC-USDT": Decimal("0.9998"),
    "EUR-USDT": Decimal("1.0812"),
}


def usdt_price(prices: dict[str, Decimal], ccy: str) -> Decimal:
    """What one ``ccy`` is worth in USDT; 0 for a currency without a USDT market."""
    if ccy == QUOTE:
        return Decimal(1)
    return prices.get(f"{ccy}-{QUOTE}", Decimal(0))


def ticker(inst_id: str, last: Decimal, now_ms: int) -> dict[str, str]:
    """One ``/market/tickers`` row; the 24 h figures are derived from ``last``."""
    tick = Decimal(1).scaleb(last.as_tuple().exponent)
    return {
        "instType": "SPOT",
        "instId": inst_id,
        "last": plain(last),
        "lastSz": "0.1",
        "askPx": plain(last + tick),
        "askSz": "1.027",
        "bidPx": plain(last),
        "bidSz": "0.5132",
        "open24h": plain(last),
        "high24h": plain(last),
        "low24h": plain(last),
        "volCcy24h": "0",
        "vol24h": "0",
        "ts": str(now_ms),
        "sodUtc0": plain(last),
        "sodUtc8": plain(last),
    }


def instrument(inst_id: str, last: Decimal) -> dict[str, str]:
    """One SPOT ``/public/instruments`` row, with the fields ccxt's ``parse_market`` reads."""
    base, quote = inst_id.split("-")
    return {
        "alias": "",
        "baseCcy": base,
        "category": "1",
        "ctMult": "",
        "ctType": "",
        "ctVal": "",
        "ctValCcy": "",
        "expTime": "",
        "instFamily": "",
        "instId": inst_id,
        "instType": "SPOT",
        "lever": "10",
        "listTime": "1548133413000",
        "lotSz": "0.00000001",
        "maxMktSz": "1000000",
        "minSz": "0.00001",
        "optType": "",
        "quoteCcy": quote,
        "settleCcy": "",
        "state": "live",
        "stk": "",
        "tickSz": plain(Decimal(1).scaleb(last.as_tuple().exponent)),
        "uly": "",
    }
