"""The Binance client against the Binance simulator (which verifies signatures with its own code): every
demo key's check, the simulator's knobs where the reference leaves behaviour open, and live balances."""

import asyncio
from contextlib import aclosing
from decimal import Decimal

import httpx
import pytest

from exchange_tui.exchanges.base import Connection
from exchange_tui.exchanges.binance.client import BinanceClient
from exchange_tui.exchanges.binance.live import snapshot, ws_urls_for
from exchange_tui.exchanges.binance.stream import PING_ID, BalanceStream
from exchange_tui.exchanges.streaming import StreamStatus, StreamTiming
from exchange_tui.models import BalanceSource, Credentials, Reason
from exchange_tui.simulator import SimulatorServer, new_state


@pytest.fixture
async def server(request):
    """The simulator, its paper environment Demo Mode unless a test says ``testnet`` (``indirect``)."""
    paper = getattr(request, "param", "demo")
    async with SimulatorServer(new_state("binance", paper_environment=paper)) as server:
        yield server


@pytest.fixture
async def connect(server):
    """``connect(role, **connection)``: a client for a scenario role's key, pointed at the simulator's ports."""
    clients = []
    urls = {name: server.urls[name] for name in ("url", "futures_url")}

    def make(role="connects", *, credentials=None, **connection):
        key = server.scenario.key(role)
        credentials = credentials or Credentials(api_key=key.api_key, secret_key=key.secret_key)
        options = {"demo_trading": key.demo_trading, "testnet": key.testnet} | connection
        client = BinanceClient(credentials, connection=Connection(urls=urls, **options), backoff_base=0.001)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


class Counting(httpx.AsyncHTTPTransport):
    """Counts requests, and the most in flight at once."""

    def __init__(self):
        super().__init__()
        self.sent, self.in_flight, self.most = 0, 0, 0

    async def handle_async_request(self, request):
        self.sent += 1
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            return await super().handle_async_request(request)
        finally:
            self.in_flight -= 1


async def test_the_demo_key_connects_with_every_account_read_in_one_round_trip(connect):
    client = connect()
    counted = []
    for rest in (client, client.futures):
        transport = Counting()
        rest._http._transport = transport
        counted.append(transport)
    report = await client.check_key()
    assert report.connected and report.uid and report.total_usdt > 0
    assert {o.account for o in report.overview} == {"spot", "usdm_futures", "funding"}
    assert report.futures_access == {"usdm_futures": True} and "futures" in report.permissions
    assert any("No IP restriction" in w for w in report.warnings) and report.expires_at is not None
    spot, futures = counted
    assert (spot.sent, futures.sent) == (5, 2), "spot: time, restrictions, account, funding, prices; futures: time, balance"
    assert spot.most == 5 and futures.most == 2, "each clock is measured beside the reads it signs"


@pytest.mark.parametrize("role", ["ed25519", "rsa"])
async def test_self_generated_keys_connect(connect, role):
    report = await connect(role).check_key()
    assert report.connected and report.uid


async def test_a_read_only_key(connect):
    report = await connect("read_only").check_key()
    assert report.connected and report.read_only and any("cannot trade" in w for w in report.warnings)


async def test_a_withdrawing_key(connect):
    report = await connect("withdraw").check_key()
    assert report.connected and report.can_withdraw and any("withdraw" in w for w in report.warnings)


async def test_a_key_restricted_to_another_ip_is_the_ip_first(connect):
    report = await connect("ip_bound").check_key()
    assert report.error.reason is Reason.IP_REFUSED and report.error.code == "-2015"


async def test_a_key_without_enable_futures_connects_naming_it(connect):
    report = await connect("no_balance_permission").check_key()
    assert report.connected and report.futures_access == {"usdm_futures": False}
    assert any("Enable Futures" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("server", "role", "marked"),
    [("demo", "demo_trading", {}), ("testnet", "testnet", {}), ("testnet", "testnet", {"testnet": False})],
    indirect=["server"],
)
async def test_paper_keys_connect_in_their_environment(connect, role, marked):
    report = await connect(role, **marked).check_key()
    assert report.connected and (report.demo_trading, report.testnet) == (role == "demo_trading", role == "testnet")
    assert any("no wallet API" in w for w in report.warnings)
    assert bool(marked) == report.warnings[0].startswith("This is a Binance")


async def test_a_live_key_marked_demo_is_corrected(connect):
    report = await connect("connects", demo_trading=True).check_key()
    assert report.connected and not report.demo_trading
    assert report.warnings[0].startswith("This is a live key, not a Binance Demo Mode key")


async def test_a_wrong_secret_is_the_secret(connect, server):
    key = server.scenario.key("connects")
    report = await connect(credentials=Credentials(api_key=key.api_key, secret_key=key.secret_key[:-1] + "x")).check_key()
    assert report.error.reason is Reason.SECRET_WRONG


async def test_a_demo_key_connects_where_the_simulator_serves_the_wallet_api_there_too(connect, server):
    server.state.update_faults(paper_sapi="served")
    assert (await connect("demo_trading").check_key()).connected


async def test_live_balances_follow_a_futures_change_on_the_private_path_only(connect, server):
    server.state.update_faults(legacy_futures_ws=False)
    client = connect()
    async with aclosing(client.live_balances(poll_interval=30)) as readings:
        first = await anext(readings)
        while first.source is not BalanceSource.LIVE:
            first = await anext(readings)
        server.state.change_balance("demo", "USDT", Decimal(5), wallet="futures")
        pushed = await anext(readings)
        while pushed.total_usdt == first.total_usdt:
            pushed = await anext(readings)
    assert pushed.source is BalanceSource.LIVE and pushed.total_usdt == first.total_usdt + 5


async def test_the_spot_stream_pings_with_the_websocket_api_ping_and_hears_the_answer(connect, server):
    client = connect()
    await client.ensure_clocks()
    answered = asyncio.Event()

    class Heard(BalanceStream):
        def _on_message(self, message):
            if message.get("id") == PING_ID and message.get("status") == 200:
                answered.set()
            super()._on_message(message)

    spot_url, futures_url = ws_urls_for(client)
    stream = Heard(client, ws_url=spot_url, futures_url=futures_url, snapshot=lambda: snapshot(client),
                   timing=StreamTiming(ping_interval=0.05, pong_timeout=2))
    async with stream:
        assert (await anext(stream)).live
        await asyncio.wait_for(answered.wait(), 5)
        assert stream.status is StreamStatus.LIVE


@pytest.mark.parametrize("server", ["demo", "testnet"], indirect=True)
async def test_a_paper_key_goes_live_under_its_environments_prefix(connect, server):
    role = "demo_trading" if server.state.paper_environment == "demo" else "testnet"
    client = connect(role)
    async with aclosing(client.live_balances(poll_interval=30)) as readings:
        first = await anext(readings)
        while first.source is not BalanceSource.LIVE:
            first = await anext(readings)
        server.scenario.change_balance(server.scenario.key(role).label, "USDT", Decimal(7))
        pushed = await anext(readings)
    assert pushed.source is BalanceSource.LIVE and pushed.total_usdt == first.total_usdt + 7
    assert client.futures.base_url.endswith("/" + server.state.paper_environment)
