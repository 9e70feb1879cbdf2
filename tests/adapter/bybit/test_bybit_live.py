"""Live balances: the unified account from the stream, the funding wallet polled beside it and valued with REST
prices, passed on again while the stream is quiet; REST polling while the stream is refused."""

import json
from contextlib import aclosing
from decimal import Decimal

import bybit_examples as examples
from bybit_support import AUTH_REFUSED, stream_to

from exchange_tui.exchanges.bybit.client import FUNDING_BALANCES, TICKERS, WALLET_BALANCE
from exchange_tui.exchanges.bybit.live import live_balances
from exchange_tui.models import BalanceSource

ANSWERS = {
    FUNDING_BALANCES: {"balance": [{"coin": "USDT", "walletBalance": "7", "transferBalance": "7"}]},
    TICKERS: examples.TICKERS["result"],
    WALLET_BALANCE: {"list": [{"accountType": "UNIFIED", "coin": [{"coin": "BTC", "walletBalance": "1", "locked": "0"}]}]},
}


async def test_pushes_beside_the_funding_wallet_repeated_while_quiet(answered, bybit_ws):
    client, sent = answered(ANSWERS)
    server = await bybit_ws()
    stream = stream_to(server, snapshot=client.unified_balances)
    async with aclosing(live_balances(client, poll_interval=0.05, stream=stream)) as readings:
        first = await anext(readings)
        while first.source is not BalanceSource.LIVE:
            first = await anext(readings)
        assert [(b.account, b.coin) for b in first.balances] == [("unified", "BTC"), ("funding", "USDT")]
        assert first.total_usdt == Decimal("20533.13") + 7
        funding_reads = sum(r.url.path == FUNDING_BALANCES for r in sent)
        again = await anext(readings)
        assert again.source is BalanceSource.LIVE and again.total_usdt == first.total_usdt
        assert sum(r.url.path == FUNDING_BALANCES for r in sent) > funding_reads
        await server.sockets[0].send(json.dumps(examples.WALLET_PUSH))
        pushed = await anext(readings)
        while pushed.total_usdt == first.total_usdt:
            pushed = await anext(readings)
    assert [b.coin for b in pushed.balances] == ["BTC", "USDT"]
    assert pushed.total_usdt == Decimal("0.00102964") * Decimal("20533.13") + 7


async def test_polls_while_the_stream_is_refused(answered, bybit_ws):
    client, _ = answered(ANSWERS)
    server = await bybit_ws(auth_answer=AUTH_REFUSED)
    async with aclosing(live_balances(client, poll_interval=0.05, stream=stream_to(server))) as readings:
        polled = [await anext(readings) for _ in range(2)]
    assert all(r.source is BalanceSource.POLLING and r.error is None for r in polled)
    assert polled[0].total_usdt == Decimal("20533.13") + 7
