"""ccxt's okx (async), an independent client, against the OKX simulator: markets, config, balances, refusals."""

from collections.abc import AsyncIterator

import ccxt
import ccxt.async_support
import pytest


@pytest.fixture
async def okx_clients() -> AsyncIterator[list]:
    clients: list = []
    yield clients
    for client in clients:
        await client.close()


@pytest.fixture
def make(okx_simulator, okx_clients):
    """ccxt's okx on the simulator (REST ``urls["api"]["rest"]``, sandbox's too), spot markets only."""

    def make_(key, **changes: str) -> ccxt.async_support.okx:
        exchange = ccxt.async_support.okx(
            {
                "apiKey": changes.get("api_key", key.api_key),
                "secret": changes.get("secret_key", key.secret_key),
                "password": changes.get("passphrase", key.passphrase),
                "enableRateLimit": False,
                "timeout": 5000,
                "options": {"fetchMarkets": {"types": ["spot"]}},
            }
        )
        exchange.has["fetchCurrencies"] = False  # /asset/currencies is not simulated
        exchange.urls["api"]["rest"] = okx_simulator.url
        exchange.urls["test"]["rest"] = okx_simulator.url
        okx_clients.append(exchange)
        return exchange

    return make_


async def test_ccxt_loads_markets_reads_the_config_and_both_balances(make, okx_simulator):
    exchange = make(okx_simulator.scenario.key("connects"))
    markets = await exchange.load_markets()
    assert "BTC/USDT" in markets
    config = await exchange.privateGetAccountConfig()
    assert config["data"][0]["perm"] == "read_only,trade"
    trading = await exchange.fetch_balance()
    assert trading["USDT"] == {"free": 1400.48213, "used": 120.0, "total": 1520.48213}
    assert trading["BTC"]["total"] == 0.0421
    funding = await exchange.fetch_balance({"type": "funding"})
    assert (funding["USDT"]["total"], funding["BTC"]["free"]) == (45.5, 0.001)


async def test_ccxt_transfers_with_a_signed_post_body(make, okx_simulator):
    exchange = make(okx_simulator.scenario.key("connects"))
    await exchange.load_markets()
    transfer = await exchange.transfer("USDT", 5, "funding", "trading")
    assert transfer["id"]
    assert (await exchange.fetch_balance({"type": "funding"}))["USDT"]["total"] == 40.5


@pytest.mark.parametrize(
    ("change", "code"),
    [({"passphrase": "wrong-one"}, "50105"), ({"secret_key": "F" * 32}, "50113"), ({"api_key": "nope"}, "50111")],
    ids=["wrong-passphrase", "wrong-secret", "malformed-key"],
)
async def test_bad_credentials_are_authentication_errors(make, okx_simulator, change, code):
    exchange = make(okx_simulator.scenario.key("connects"), **change)
    with pytest.raises(ccxt.AuthenticationError, match=code):
        await exchange.privateGetAccountConfig()


async def test_ip_whitelist_other_site_and_permission_refusals(make, okx_simulator):
    scenario = okx_simulator.scenario
    with pytest.raises(ccxt.PermissionDenied, match="50110"):
        await make(scenario.key("ip_bound")).privateGetAccountConfig()
    with pytest.raises(ccxt.ExchangeError, match="50119"):  # ccxt 4.5.90 has no entry for 50119
        await make(scenario.key("other_site")).privateGetAccountConfig()
    no_read = make(scenario.key("no_balance_permission"))
    await no_read.load_markets()
    with pytest.raises(ccxt.ExchangeError, match="50120"):
        await no_read.fetch_balance()


async def test_sandbox_mode_takes_the_demo_key_and_refuses_a_live_one(make, okx_simulator):
    scenario = okx_simulator.scenario
    demo = make(scenario.key("demo_trading"))
    demo.set_sandbox_mode(True)
    assert (await demo.privateGetAccountConfig())["data"][0]["label"] == "demo-trading"
    live = make(scenario.key("connects"))
    live.set_sandbox_mode(True)
    with pytest.raises(ccxt.AuthenticationError, match="50101"):
        await live.privateGetAccountConfig()


async def test_clock_skew_and_rate_limits(make, okx_simulator):
    scenario = okx_simulator.scenario
    exchange = make(scenario.key("connects"))
    scenario.skew_clock(120)
    with pytest.raises(ccxt.InvalidNonce, match="50102"):
        await exchange.privateGetAccountConfig()
    scenario.skew_clock(0)
    scenario.fail_next(1, 429)
    with pytest.raises(ccxt.RateLimitExceeded):
        await exchange.privateGetAccountConfig()
