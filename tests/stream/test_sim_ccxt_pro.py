"""ccxt.pro's bitget, an independent client, logs in to the simulator's WebSocket and watches balances."""

import asyncio
from collections.abc import AsyncIterator

import ccxt
import ccxt.pro
import pytest

from exchange_tui.simulator import SimulatorServer
from exchange_tui.simulator.bitget import SimAccount


@pytest.fixture
async def pro() -> AsyncIterator[list[ccxt.pro.bitget]]:
    exchanges: list[ccxt.pro.bitget] = []
    yield exchanges
    for exchange in exchanges:
        await exchange.close()


def bitget_pro(simulator: SimulatorServer, account: SimAccount, exchanges: list) -> ccxt.pro.bitget:
    """ccxt.pro's bitget with its WebSocket URLs (``urls["api"]["ws"|"demo"]["private"]``) on the simulator."""
    credentials = {"apiKey": account.api_key, "secret": account.secret_key, "password": account.passphrase}
    exchange = ccxt.pro.bitget(credentials)
    exchange.urls["api"]["ws"]["private"] = simulator.ws_url
    exchange.urls["api"]["demo"]["private"] = simulator.ws_demo_url
    exchange.urls["api"]["ws"]["utaPrivate"] = simulator.ws_urls["ws_uta_url"]
    exchange.urls["api"]["demo"]["utaPrivate"] = simulator.ws_urls["ws_uta_demo_url"]
    exchanges.append(exchange)
    return exchange


async def test_watch_balance_gets_the_snapshot_then_updates(simulator, sim_accounts, pro):
    exchange = bitget_pro(simulator, sim_accounts["demo"], pro)
    balance = await asyncio.wait_for(exchange.watch_balance(), 5)
    assert balance["USDT"] == {"free": 1520.48213, "used": 120.0, "total": 1640.48213}
    assert balance["info"]["action"] == "snapshot"
    simulator.state.set_balance("demo", "BTC", "3")
    balance = await asyncio.wait_for(exchange.watch_balance(), 5)
    assert balance["BTC"]["free"] == 3.0


async def test_watch_balance_on_futures_and_in_sandbox_mode(simulator, sim_accounts, pro):
    futures = await asyncio.wait_for(
        bitget_pro(simulator, sim_accounts["demo"], pro).watch_balance({"type": "swap"}), 5
    )
    assert futures["USDT"]["free"] == 820.1132
    demo_trading = bitget_pro(simulator, sim_accounts["demo-trading"], pro)
    demo_trading.set_sandbox_mode(True)
    assert (await asyncio.wait_for(demo_trading.watch_balance(), 5))["USDT"]["free"] == 10000.0


@pytest.mark.parametrize("shape", ["full", "changed"])
async def test_watch_balance_with_uta_on_the_v3_socket(simulator, sim_accounts, pro, shape):
    simulator.state.faults.ws_uta_push = shape
    exchange = bitget_pro(simulator, sim_accounts["demo-unified"], pro)
    balance = await asyncio.wait_for(exchange.watch_balance({"uta": True}), 5)
    assert balance["USDT"] == {"free": 2400.12, "used": 50.0, "total": 2450.12, "debt": 0.0}
    assert balance["info"]["arg"] == {"instType": "UTA", "topic": "account"}
    simulator.state.set_balance("demo-unified", "BTC", "3", wallet="unified")
    balance = await asyncio.wait_for(exchange.watch_balance({"uta": True}), 5)
    assert balance["BTC"]["free"] == 3.0 and balance["USDT"]["total"] == 2450.12


async def test_watch_balance_with_uta_in_sandbox_mode(simulator, sim_accounts, pro):
    demo_trading = bitget_pro(simulator, sim_accounts["demo-trading-unified"], pro)
    demo_trading.set_sandbox_mode(True)
    assert (await asyncio.wait_for(demo_trading.watch_balance({"uta": True}), 5))["BTC"]["total"] == 1.0


async def test_a_wrong_passphrase_is_ccxts_authentication_error(simulator, sim_accounts, pro):
    account = sim_accounts["demo"].model_copy(update={"passphrase": "LoginPassword1"})
    with pytest.raises(ccxt.AuthenticationError, match="30012"):
        await asyncio.wait_for(bitget_pro(simulator, account, pro).watch_balance(), 5)
