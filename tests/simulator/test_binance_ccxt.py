"""ccxt's binance (async), an independent client, against the Binance simulator on its two ports: the key check,
the spot, funding and USDⓈ-M balances, a transfer, demo mode and the refusals, each as ccxt signs them."""

from collections.abc import AsyncIterator

import ccxt
import ccxt.async_support
import pytest

from exchange_tui.simulator import SimulatorServer
from exchange_tui.simulator.binance import SimulatorState


@pytest.fixture
async def binance() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(SimulatorState()) as server:
        yield server


@pytest.fixture
async def clients() -> AsyncIterator[list]:
    made: list = []
    yield made
    for client in made:
        await client.close()


@pytest.fixture
def make(binance, clients):
    """ccxt's binance with ``urls["api"]`` on the simulator: spot and SAPI on ``url``, fapi on ``futures_url``
    (or the demo ports); spot and linear markets only, no margin pairs or currencies (not simulated)."""

    def make_(key, *, demo: bool = False, **changes: str) -> ccxt.async_support.binance:
        exchange = ccxt.async_support.binance({
            "apiKey": changes.get("api_key", key.api_key),
            "secret": changes.get("secret_key", key.secret_key),
            "enableRateLimit": False,
            "timeout": 5000,
            "options": {"fetchMarkets": {"types": ["spot", "linear"]}, "fetchMargins": False},
        })
        exchange.has["fetchCurrencies"] = False
        prefix = "demo_" if demo else ""
        spot, futures = binance.urls[prefix + "url"], binance.urls[prefix + "futures_url"]
        api = exchange.urls["api"]
        for name in ("public", "private", "v3"):
            api[name] = spot + "/api/v3"
        api["v1"] = spot + "/api/v1"
        api["sapi"] = spot + "/sapi/v1"
        for name, version in (("fapiPublic", "v1"), ("fapiPrivate", "v1"), ("fapiPrivateV2", "v2"),
                              ("fapiPrivateV3", "v3"), ("fapiPublicV2", "v2"), ("fapiPublicV3", "v3")):
            api[name] = f"{futures}/fapi/{version}"
        clients.append(exchange)
        return exchange

    return make_


@pytest.mark.parametrize("role", ["connects", "ed25519", "rsa"])
async def test_ccxt_reads_the_key_check_and_all_three_balances(make, binance, role):
    exchange = make(binance.scenario.key(role))
    restrictions = await exchange.sapiGetAccountApiRestrictions()
    assert restrictions["enableFutures"] is True and restrictions["ipRestrict"] is False
    spot = await exchange.fetch_balance()
    assert spot["USDT"] == {"free": 1520.48213, "used": 120.0, "total": 1640.48213}
    assert spot["info"]["uid"] == 354937868
    funding = await exchange.fetch_balance({"type": "funding"})
    assert (funding["USDT"]["free"], funding["BTC"]["free"]) == (45.5, 0.001)
    futures = await exchange.fetch_balance({"type": "future"})
    assert futures["USDT"]["total"] == 300.25


async def test_ccxt_transfers_with_a_signed_form_body(make, binance):
    exchange = make(binance.scenario.key("connects"))
    transfer = await exchange.sapiPostAssetTransfer({"type": "MAIN_UMFUTURE", "asset": "USDT", "amount": "20"})
    assert transfer["tranId"]  # ccxt's unified transfer() needs currencies, which are not simulated
    assert (await exchange.fetch_balance({"type": "future"}))["USDT"]["total"] == 320.25


async def test_ccxt_on_the_demo_ports_with_a_demo_key(make, binance):
    key = binance.scenario.key("demo_trading")
    assert (await make(key, demo=True).fetch_balance())["BTC"]["total"] == 1.0
    with pytest.raises(ccxt.AuthenticationError, match="-2015"):
        await make(key).fetch_balance()


async def test_ccxt_maps_the_refusals(make, binance):
    scenario = binance.scenario
    key = scenario.key("connects")
    with pytest.raises(ccxt.AuthenticationError, match="-1022"):
        await make(key, secret_key=key.secret_key[:-1] + "x").fetch_balance()
    with pytest.raises(ccxt.AuthenticationError, match="-2014"):
        await make(key, api_key="short").fetch_balance()
    with pytest.raises(ccxt.AuthenticationError, match="request ip: 127.0.0.1"):
        await make(scenario.key("read_only")).fetch_balance({"type": "future"})
    with pytest.raises(ccxt.AuthenticationError, match="-2015"):
        await make(scenario.key("ip_bound")).fetch_balance()
    scenario.skew_clock(30)
    with pytest.raises(ccxt.InvalidNonce, match="-1021"):
        await make(key).fetch_balance()
    scenario.skew_clock(0)
    scenario.fail_next(1, 429)
    with pytest.raises(ccxt.DDoSProtection):
        await make(key).fetch_balance()
