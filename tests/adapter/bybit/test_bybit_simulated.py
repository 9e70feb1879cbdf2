"""The client against the Bybit simulator (exchange_tui/simulator/bybit), which checks signatures with its own code:
every role's key check over real TCP, the environment corrected, balances, and the live stream."""

from contextlib import aclosing
from decimal import Decimal

import pytest
from pydantic import SecretStr

from exchange_tui.exchanges.base import Connection
from exchange_tui.exchanges.bybit.client import BybitClient
from exchange_tui.models import BalanceSource, Credentials, Reason
from exchange_tui.simulator import SimulatorServer, new_state


@pytest.fixture
async def simulator():
    async with SimulatorServer(new_state("bybit")) as server:
        yield server


@pytest.fixture
async def connect(simulator):
    """``connect(role, **connection) -> BybitClient`` for the role's key, pointed at every URL the simulator serves."""
    clients = []

    def make(role="connects", *, secret=None, **connection):
        key = simulator.scenario.key(role)
        credentials = Credentials(api_key=SecretStr(key.api_key), secret_key=SecretStr(secret or key.secret_key))
        where = {"demo_trading": key.demo_trading, "testnet": key.testnet} | connection
        client = BybitClient(credentials, connection=Connection(urls=simulator.urls, **where), backoff_base=0.001)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def offered(simulator, role):
    try:
        simulator.scenario.key(role)
    except KeyError:
        pytest.skip(f"the simulator offers no {role} key")


async def test_a_key_that_trades(connect):
    report = await connect().check_key()
    assert report.connected, report.error
    assert report.uid and report.balances and report.total_usdt > 0
    assert "trade" in report.permissions and not report.can_withdraw and report.read_only is False
    assert any(w.startswith("No IP is bound") for w in report.warnings)
    assert {t.account for t in report.overview} == {"unified", "funding"}
    assert report.expires_at is not None


async def test_an_expired_key(connect, simulator):
    offered(simulator, "expired")
    report = await connect("expired").check_key()
    assert not report.connected and report.error.reason is Reason.KEY_DISABLED
    assert report.error.hint.startswith("The key expired: keys with no IP bound expire after 90 days")


async def test_read_only_withdraw_and_ip_bound(connect):
    read_only = await connect("read_only").check_key()
    assert read_only.connected and read_only.read_only
    withdraw = await connect("withdraw").check_key()
    assert withdraw.connected and withdraw.can_withdraw
    refused = await connect("ip_bound").check_key()
    assert not refused.connected and refused.error.reason is Reason.IP_REFUSED


async def test_a_wrong_secret(connect, simulator):
    secret = simulator.scenario.key("connects").secret_key
    report = await connect(secret=secret[:-1] + ("1" if secret[-1] == "0" else "0")).check_key()
    assert not report.connected and report.error.reason is Reason.SECRET_WRONG


async def test_a_demo_key_marked_live_is_corrected(connect):
    report = await connect("demo_trading", demo_trading=False).check_key()
    assert report.connected and report.demo_trading and "was corrected" in report.warnings[0]


async def test_an_rsa_key(connect, simulator):
    offered(simulator, "rsa")
    assert "PRIVATE KEY" in simulator.scenario.key("rsa").secret_key
    report = await connect("rsa").check_key()
    assert report.connected, report.error


def by_label(simulator, label, **connection) -> BybitClient:
    """A client for one of the simulator's demo accounts that no role names (``demo-testnet``, ``demo-sub``)."""
    account = simulator.state.account(label)
    credentials = Credentials(api_key=SecretStr(account.api_key), secret_key=SecretStr(account.secret_key))
    return BybitClient(credentials, connection=Connection(urls=simulator.urls, **connection), backoff_base=0.001)


async def test_a_testnet_key_marked_live_is_corrected(simulator):
    async with by_label(simulator, "demo-testnet") as client:
        report = await client.check_key()
    assert report.connected and report.testnet and not report.demo_trading, report.error
    assert "testnet" in report.warnings[0] and "was corrected" in report.warnings[0]


async def test_a_sub_account_key(simulator):
    async with by_label(simulator, "demo-sub") as client:
        report = await client.check_key()
    assert report.connected and any("sub-account (uid 8246019 of main account 1448939)" in w for w in report.warnings)


async def test_balances_and_a_push(connect, simulator):
    client = connect()
    rows, total = await client.balances()
    assert rows and total > 0
    async with aclosing(client.live_balances(poll_interval=30)) as readings:
        first = await anext(readings)
        while first.source is not BalanceSource.LIVE:
            first = await anext(readings)
        simulator.scenario.change_balance(simulator.scenario.key("connects").label, "USDT", Decimal(100))
        pushed = await anext(readings)
    assert pushed.source is BalanceSource.LIVE and pushed.total_usdt == first.total_usdt + 100
