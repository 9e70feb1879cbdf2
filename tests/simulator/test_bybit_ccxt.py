"""ccxt's bybit (async), an independent client, against the Bybit simulator: markets, the key check, both
balances, a transfer, an RSA key, the demo host, and refusals mapped to ccxt's errors (reference §4)."""

from collections.abc import AsyncIterator

import ccxt
import ccxt.async_support
import pytest

URL_KEYS = ("spot", "futures", "v2", "public", "private")


@pytest.fixture
async def bybit_clients() -> AsyncIterator[list]:
    clients: list = []
    yield clients
    for client in clients:
        await client.close()


@pytest.fixture
def make(bybit_simulator, bybit_clients):
    """ccxt's bybit on one of the simulator's hosts (``urls["api"]``), spot markets only."""

    def make_(key, url_name: str = "url", **changes: str) -> ccxt.async_support.bybit:
        exchange = ccxt.async_support.bybit(
            {
                "apiKey": changes.get("api_key", key.api_key),
                "secret": changes.get("secret_key", key.secret_key),
                "enableRateLimit": False,
                "timeout": 5000,
                "options": {"fetchMarkets": {"types": ["spot"]}},
            }
        )
        exchange.has["fetchCurrencies"] = False  # /v5/asset/coin/query-info is not simulated
        exchange.urls["api"] = dict.fromkeys(URL_KEYS, bybit_simulator.urls[url_name])
        bybit_clients.append(exchange)
        return exchange

    return make_


async def test_ccxt_loads_markets_checks_the_key_and_reads_both_balances(make, bybit_simulator):
    exchange = make(bybit_simulator.scenario.key("connects"))
    assert "BTC/USDT" in await exchange.load_markets()
    key = await exchange.privateGetV5UserQueryApi()
    assert key["result"]["apiKey"] == bybit_simulator.scenario.key("connects").api_key
    unified = await exchange.fetch_balance()
    assert (unified["USDT"]["total"], unified["USDT"]["used"], unified["BTC"]["total"]) == (1520.48213, 120.0, 0.0421)
    funding = await exchange.fetch_balance({"type": "funding"})
    assert (funding["USDT"]["total"], funding["BTC"]["total"]) == (45.5, 0.001)


async def test_ccxt_transfers_with_a_signed_post_body(make, bybit_simulator):
    exchange = make(bybit_simulator.scenario.key("connects"))
    await exchange.load_markets()
    transfer = await exchange.transfer("USDT", 5, "funding", "unified")
    assert transfer["id"]
    assert (await exchange.fetch_balance({"type": "funding"}))["USDT"]["total"] == 40.5


async def test_ccxt_signs_with_an_rsa_key(make, bybit_simulator):
    exchange = make(bybit_simulator.scenario.key("rsa"))
    assert (await exchange.fetch_balance())["XRP"]["total"] == 400.0


async def test_ccxt_reads_a_demo_key_on_the_demo_host(make, bybit_simulator):
    demo = bybit_simulator.scenario.key("demo_trading")
    assert (await make(demo, "demo_url").fetch_balance())["BTC"]["total"] == 1.0
    with pytest.raises(ccxt.AuthenticationError):
        await make(demo).fetch_balance()


@pytest.mark.parametrize(
    ("role", "changes", "error"),
    [
        ("connects", {"secret_key": "x" * 36}, ccxt.AuthenticationError),
        ("connects", {"api_key": "y" * 18}, ccxt.AuthenticationError),
        ("expired", {}, ccxt.AuthenticationError),
        ("ip_bound", {}, ccxt.PermissionDenied),
        ("no_balance_permission", {}, ccxt.PermissionDenied),
    ],
    ids=["10004", "10003", "33004", "10010", "10005"],
)
async def test_ccxt_maps_the_refusals(make, bybit_simulator, role, changes, error):
    exchange = make(bybit_simulator.scenario.key(role), **changes)
    await exchange.load_markets()
    with pytest.raises(error):
        await exchange.fetch_balance()


async def test_ccxt_sees_a_rate_limit_and_a_skewed_clock(make, bybit_simulator):
    exchange = make(bybit_simulator.scenario.key("connects"))
    await exchange.load_markets()
    bybit_simulator.scenario.fail_next(1, 429)
    with pytest.raises(ccxt.RateLimitExceeded):
        await exchange.privateGetV5UserQueryApi()
    bybit_simulator.scenario.skew_clock(-30)
    with pytest.raises(ccxt.InvalidNonce):
        await exchange.privateGetV5UserQueryApi()
