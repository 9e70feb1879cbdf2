"""The OKX simulator's private WebSocket over real TCP: login, the account channel, pushes, ping, refusals;
and ccxt.pro's okx, an independent client, watching a balance."""

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import ccxt
import ccxt.pro
import pytest
import websockets

WAIT = 5
ACCOUNT = json.dumps({"id": "1512", "op": "subscribe", "args": [{"channel": "account"}]})


def login_frame(key, *, timestamp: str | None = None, **changes: str) -> str:
    """OKX's login (reference §7), signed by hand: epoch seconds + "GET" + "/users/self/verify"."""
    ts = str(int(time.time())) if timestamp is None else timestamp
    digest = hmac.new(key.secret_key.encode(), f"{ts}GET/users/self/verify".encode(), hashlib.sha256).digest()
    fields = {"apiKey": key.api_key, "passphrase": key.passphrase, "timestamp": ts,
              "sign": base64.b64encode(digest).decode()}
    return json.dumps({"op": "login", "args": [fields | changes]})


async def receive(ws) -> object:
    text = await asyncio.wait_for(ws.recv(), WAIT)
    return text if text == "pong" else json.loads(text)


@pytest.fixture
async def open_ws(okx_simulator) -> AsyncIterator[Callable[..., object]]:
    sockets = []

    async def open_(url: str | None = None):
        ws = await websockets.connect(url or okx_simulator.ws_url, ping_interval=None, close_timeout=0.2)
        sockets.append(ws)
        return ws

    yield open_
    for ws in sockets:
        await ws.close()


@pytest.fixture
def scenario(okx_simulator):
    return okx_simulator.scenario


async def logged_in(open_ws, key, url=None):
    ws = await open_ws(url)
    await ws.send(login_frame(key))
    answer = await receive(ws)
    assert (answer["event"], answer["code"], answer["msg"]) == ("login", "0", ""), answer
    return ws


async def test_login_subscribe_snapshot_then_event_updates(open_ws, scenario):
    ws = await logged_in(open_ws, scenario.key("connects"))
    await ws.send(ACCOUNT)
    ack = await receive(ws)
    assert (ack["id"], ack["event"], ack["arg"]) == ("1512", "subscribe", {"channel": "account"}) and ack["connId"]
    snapshot = await receive(ws)
    assert (snapshot["eventType"], snapshot["curPage"], snapshot["lastPage"]) == ("snapshot", 1, True)
    assert snapshot["arg"]["channel"] == "account" and snapshot["arg"]["uid"]
    assert {d["ccy"] for d in snapshot["data"][0]["details"]} == {"USDT", "BTC", "ETH"}
    scenario.change_balance("demo", "BTC", Decimal("0.5"))
    update = await receive(ws)
    assert update["eventType"] == "event_update" and "curPage" not in update
    assert {d["ccy"]: d["cashBal"] for d in update["data"][0]["details"]}["BTC"] == "0.5421"


async def test_only_the_changed_currency_with_that_knob_and_a_transfer_pushes(open_ws, scenario, okx_simulator):
    okx_simulator.state.faults.ws_update_details = "changed"
    ws = await logged_in(open_ws, scenario.key("connects"))
    await ws.send(ACCOUNT)
    await receive(ws), await receive(ws)
    state = okx_simulator.state
    state.transfer(state.account("demo"), "USDT", Decimal("5"), "funding", "trading")
    update = await receive(ws)
    assert [(d["ccy"], d["cashBal"]) for d in update["data"][0]["details"]] == [("USDT", "1525.48213")]


async def test_ping_is_answered_with_pong_and_silence_closes_with_4004(open_ws, okx_simulator):
    okx_simulator.state.faults.ws_idle_timeout_ms = 300
    ws = await open_ws()
    await ws.send("ping")
    assert await receive(ws) == "pong"
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), WAIT)
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4004, "No data received in 30s")


@pytest.mark.parametrize(
    ("role", "changes", "timestamp", "code"),
    [
        ("connects", {"passphrase": "wrong"}, None, "60024"),
        ("connects", {"sign": "c2lnbg=="}, None, "60007"),
        ("connects", {"apiKey": "not-a-key"}, None, "60005"),
        ("connects", {"apiKey": "00000000-0000-4000-8000-000000000000"}, None, "60032"),
        ("other_site", {}, None, "60032"),
        ("demo_trading", {}, None, "50101"),
        ("ip_bound", {}, None, "50110"),
        ("connects", {}, "1000000000", "60006"),
        ("connects", {}, "1700000000000.5", "60004"),
    ],
)
async def test_refused_logins_answer_okxs_code_then_close_with_4001(open_ws, scenario, role, changes, timestamp, code):
    ws = await open_ws()
    await ws.send(login_frame(scenario.key(role), timestamp=timestamp, **changes))
    error = await receive(ws)
    assert (error["event"], error["code"]) == ("error", code) and error["connId"]
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), WAIT)
    assert closed.value.rcvd.code == 4001


async def test_the_demo_socket_takes_the_demo_key(open_ws, okx_simulator, scenario):
    ws = await logged_in(open_ws, scenario.key("demo_trading"), okx_simulator.ws_demo_url)
    await ws.send(ACCOUNT)
    assert (await receive(ws))["event"] == "subscribe"


async def test_subscribing_before_login_repeated_logins_unknown_channels(open_ws, scenario):
    ws = await open_ws()
    await ws.send(ACCOUNT)
    assert (await receive(ws))["code"] == "60011"
    await ws.send(login_frame(scenario.key("connects")))
    assert (await receive(ws))["event"] == "login"
    await ws.send(login_frame(scenario.key("connects")))
    assert (await receive(ws))["code"] == "60031"
    await ws.send(json.dumps({"op": "subscribe", "args": [{"channel": "positions"}]}))
    assert (await receive(ws))["code"] == "60018"
    no_read = await logged_in(open_ws, scenario.key("no_balance_permission"))
    await no_read.send(ACCOUNT)
    assert (await receive(no_read))["code"] == "50120"


async def test_refused_logins_and_dropped_sockets(open_ws, scenario):
    ws = await logged_in(open_ws, scenario.key("connects"))
    scenario.drop_websockets()
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(ws.recv(), WAIT)
    scenario.refuse_websocket_logins(True)
    refused = await open_ws()
    await refused.send(login_frame(scenario.key("connects")))
    assert (await receive(refused))["code"] == "60009"


@pytest.fixture
async def pro() -> AsyncIterator[list]:
    exchanges: list = []
    yield exchanges
    for exchange in exchanges:
        await exchange.close()


def okx_pro(okx_simulator, key, exchanges) -> ccxt.pro.okx:
    """ccxt.pro's okx with REST and WebSocket (``urls[...]["ws"] + "/private"``) on the simulator."""
    exchange = ccxt.pro.okx(
        {"apiKey": key.api_key, "secret": key.secret_key, "password": key.passphrase,
         "options": {"fetchMarkets": {"types": ["spot"]}}}
    )
    exchange.has["fetchCurrencies"] = False
    exchange.urls["api"]["rest"] = exchange.urls["test"]["rest"] = okx_simulator.url
    exchange.urls["api"]["ws"] = okx_simulator.ws_url.removesuffix("/private")
    exchange.urls["test"]["ws"] = okx_simulator.ws_demo_url.removesuffix("/private")
    exchanges.append(exchange)
    return exchange


@pytest.mark.slow
async def test_ccxt_pro_watch_balance_gets_the_snapshot_then_a_push(okx_simulator, scenario, pro):
    exchange = okx_pro(okx_simulator, scenario.key("connects"), pro)
    balance = await asyncio.wait_for(exchange.watch_balance(), WAIT)
    assert balance["USDT"] == {"free": 1400.48213, "used": 120.0, "total": 1520.48213}
    scenario.change_balance("demo", "BTC", Decimal("2"))
    balance = await asyncio.wait_for(exchange.watch_balance(), WAIT)
    assert balance["BTC"]["total"] == 2.0421


@pytest.mark.slow
async def test_ccxt_pro_in_sandbox_mode_and_a_refused_login(okx_simulator, scenario, pro):
    demo = okx_pro(okx_simulator, scenario.key("demo_trading"), pro)
    demo.set_sandbox_mode(True)
    assert (await asyncio.wait_for(demo.watch_balance(), WAIT))["BTC"]["total"] == 1.0
    wrong = scenario.key("connects")
    exchange = okx_pro(okx_simulator, wrong, pro)
    exchange.password = "wrong"
    with pytest.raises(ccxt.AuthenticationError, match="60024"):
        await asyncio.wait_for(exchange.watch_balance(), WAIT)
