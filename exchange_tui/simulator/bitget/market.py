"""The simulator's spot market: a fixed price table served as Bitget tickers and used to value balances."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from exchange_tui.simulator.core.numbers import plain

QUOTE_COIN = "USDT"
USD_PER_USDT = Decimal("0.9996")
"""What one USDT is worth in dollars: USDT trades a little off the dollar. A unified account's
``accountEquity`` and ``usdValue`` are USD, its ``usdtEquity`` USDT (Bitget's UTA "Get Account
Assets" page, reference §9), so a client that took one for the other would be off by this much."""

# Futures demo coins ("SUSDT", "SBTC"...) live on live accounts and track their real coin's price.
DEMO_COINS = {"SUSDT": "USDT", "SUSDC": "USDC", "SBTC": "BTC", "SETH": "ETH", "SEOS": "EOS"}


class Ticker(BaseModel):
    """One spot symbol's 24 h statistics; the served fields are derived in :meth:`as_bitget`."""

    model_config = ConfigDict(frozen=True)

    symbol: str
    last: Decimal
    open: Decimal
    open_utc: Decimal
    high: Decimal
    low: Decimal
    base_volume: Decimal
    bid_size: Decimal
    ask_size: Decimal

    @property
    def tick(self) -> Decimal:
        """The price step: one unit of the last price's smallest decimal place."""
        return Decimal(1).scaleb(self.last.as_tuple().exponent)

    def with_last(self, last: Decimal) -> Ticker:
        return self.model_copy(update={"last": last, "high": max(self.high, last), "low": min(self.low, last)})

    def as_bitget(self, now_ms: int) -> dict[str, str]:
        quote_volume = (self.base_volume * self.last).quantize(Decimal("0.0001"))
        return {
            "symbol": self.symbol,
            "high24h": plain(self.high),
            "open": plain(self.open),
            "low24h": plain(self.low),
            "lastPr": plain(self.last),
            "quoteVolume": plain(quote_volume),
            "baseVolume": plain(self.base_volume),
            "usdtVolume": plain(quote_volume),
            "bidPr": plain(self.last),
            "askPr": plain(self.last + self.tick),
            "bidSz": plain(self.bid_size),
            "askSz": plain(self.ask_size),
            "openUtc": plain(self.open_utc),
            "ts": str(now_ms),
            "changeUtc24h": plain(_change(self.open_utc, self.last)),
            "change24h": plain(_change(self.open, self.last)),
        }


def _change(start: Decimal, end: Decimal) -> Decimal:
    return ((end - start) / start).quantize(Decimal("0.00001"))


def _ticker(symbol: str, last: str, open_: str, open_utc: str, high: str, low: str, volume: str) -> Ticker:
    return Ticker(
        symbol=symbol,
        last=Decimal(last),
        open=Decimal(open_),
        open_utc=Decimal(open_utc),
        high=Decimal(high),
        low=Decimal(low),
        base_volume=Decimal(volume),
        bid_size=Decimal("0.5132"),
        ask_size=Decimal("1.0270"),
    )


def default_tickers() -> dict[str, Ticker]:
    tickers = [
        _ticker("BTCUSDT", "67012.35", "66210.10", "66480.00", "67550.00", "65890.42", "8123.4512"),
        _ticker("ETHUSDT", "3120.48", "3088.12", "3101.90", "3166.75", "3051.33", "95210.2231"),
        _ticker("SOLUSDT", "152.371", "149.884", "150.212", "155.020", "147.930", "1203345.12"),
        _ticker("BGBUSDT", "1.1823", "1.1671", "1.1702", "1.1951", "1.1598", "20411822.4"),
        _ticker("XRPUSDT", "0.52341", "0.51988", "0.52011", "0.53120", "0.51402", "88120331.5"),
        _ticker("USDCUSDT", "0.9998", "0.9999", "0.9999", "1.0002", "0.9996", "150223344.1"),
        _ticker("DOGEUSDT", "0.124511", "0.121870", "0.122390", "0.126001", "0.120998", "901223412.9"),
        _ticker("EOSUSDT", "0.6812", "0.6790", "0.6801", "0.6901", "0.6702", "5023411.2"),
    ]
    return {ticker.symbol: ticker for ticker in tickers}


def usdt_price(tickers: dict[str, Ticker], coin: str) -> Decimal:
    """What one ``coin`` is worth in USDT; 0 for a coin without a USDT market."""
    coin = DEMO_COINS.get(coin, coin)
    if coin == QUOTE_COIN:
        return Decimal(1)
    ticker = tickers.get(coin + QUOTE_COIN)
    return ticker.last if ticker is not None else Decimal(0)
