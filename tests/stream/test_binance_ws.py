"""The Binance simulator's private WebSockets over real TCP (reference §7): the spot WebSocket API's signed
user-data subscription and its events, the USDⓈ-M listenKey stream, both environments; and ccxt.pro's
binance, an independent client, watching the spot balance (ccxt.pro 4.5.90 subscribes through the
WebSocket API's ``userDataStream.subscribe.signature``) and the futures balance (listenKey)."""

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal

import ccxt
import ccxt.pro
import httpx
import pytest
import websockets
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from exchange_tui.simulator import ManualClock, SimulatorServer
from exchange_tui.simulator.binance import SimAccount, SimulatorState

WAIT = 3.0
DOC_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
SUBSCRIBE = "userDataStream.subscribe.signature"


@pytest.fixture
async def binance() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(SimulatorState()) as server:
        yield server


@pytest.fixture
def scenario(binance):
    return binance.scenario


@pytest.fixture
async def open_ws() -> AsyncIterator:
    sockets: list[websockets.ClientConnection] = []

    async def open_(url: str) -> websockets.ClientConnection:
        ws = await websockets.connect(url, ping_interval=None, close_timeout=0.2)
        sockets.append(ws)
        return ws

    yield open_
    for ws in sockets:
        await ws.close()


async def receive(ws) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), WAIT))


def ws_sign(key, params: dict[str, object]) -> str:
    """Sorted by name, ``k=v`` raw, joined by ``&`` (§7.1); HMAC hex or Ed25519 base64, by hand."""
    payload = "&".join(f"{name}={params[name]}" for name in sorted(params)).encode()
    if "PRIVATE KEY" not in key.secret_key:
        return hmac.new(key.secret_key.encode(), payload, hashlib.sha256).hexdigest()
    private = serialization.load_pem_private_key(key.secret_key.encode(), None)
    if isinstance(private, Ed25519PrivateKey):
        return base64.b64encode(private.sign(payload)).decode()
    return base64.b64encode(private.sign(payload, padding.PKCS1v15(), hashes.SHA256())).decode()


def subscribe_frame(key, *, timestamp: int | None = None, **changes: object) -> str:
    params: dict[str, object] = {"apiKey": key.api_key, "timestamp": timestamp or time.time_ns() // 1_000_000}
    params["signature"] = ws_sign(key, params)
    return json.dumps({"id": "s1", "method": SUBSCRIBE, "params": params | changes})


async def subscribed(open_ws, url: str, key) -> websockets.ClientConnection:
    ws = await open_ws(url)
    await ws.send(subscribe_frame(key))
    assert (await receive(ws)) == {"id": "s1", "status": 200, "result": {"subscriptionId": 0}}
    return ws


async def test_nws_the_references_vector_subscribes(open_ws):
    doc = SimAccount(label="doc", uid=1, api_key=DOC_KEY, secret_key=DOC_SECRET)
    async with SimulatorServer(SimulatorState([doc], clock=ManualClock(1700000000100))) as server:
        ws = await open_ws(server.ws_url)
        await ws.send(
            '{"id":"1","method":"userDataStream.subscribe.signature","params":{"apiKey":"' + DOC_KEY
            + '","timestamp":1700000000000,"signature":"00c94588a012feaade12a8cbf80b3c3de219102ed19552e0a3645dd022cf84e8"}}'
        )
        assert await receive(ws) == {"id": "1", "status": 200, "result": {"subscriptionId": 0}}


async def test_f_and_every_refusal_of_a_subscription(binance, scenario, open_ws):
    key = scenario.key("connects")
    ws = await open_ws(binance.ws_url)
    now = time.time_ns() // 1_000_000
    unsorted = f"timestamp={now}&apiKey={key.api_key}"
    signature = hmac.new(key.secret_key.encode(), unsorted.encode(), hashlib.sha256).hexdigest()
    cases = [
        (json.dumps({"id": 1, "method": SUBSCRIBE, "params": {"apiKey": key.api_key, "timestamp": now,
                                                               "signature": signature}}), 400, -1022),
        (subscribe_frame(key, apiKey="short"), 401, -2014),
        (json.dumps({"id": 1, "method": SUBSCRIBE, "params": {"apiKey": key.api_key, "timestamp": now}}), 400, -1102),
        (subscribe_frame(key, timestamp=now - 10_000), 400, -1021),
        (subscribe_frame(scenario.key("ip_bound")), 401, -2015),
        (subscribe_frame(scenario.key("demo_trading")), 401, -2015),
    ]
    for frame, status, code in cases:
        await ws.send(frame)
        answer = await receive(ws)
        assert (answer["status"], answer["error"]["code"]) == (status, code), frame
    scenario.delete_key(key.api_key)
    await ws.send(subscribe_frame(key))
    assert (await receive(ws))["error"] == {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}


async def test_ping_time_and_ping_frames(binance, open_ws):
    ws = await open_ws(binance.ws_url)
    await ws.send(json.dumps({"id": 7, "method": "ping", "params": {}}))
    assert await receive(ws) == {"id": 7, "status": 200, "result": {}}
    await ws.send(json.dumps({"id": 8, "method": "time"}))
    assert abs((await receive(ws))["result"]["serverTime"] - time.time_ns() // 1_000_000) < 5000
    await asyncio.wait_for(await ws.ping(), WAIT)


async def test_a_balance_change_pushes_balance_update_then_the_position(binance, scenario, open_ws):
    ws = await subscribed(open_ws, binance.ws_url, scenario.key("connects"))
    scenario.change_balance("demo", "USDT", Decimal(100))
    update, position = await receive(ws), await receive(ws)
    assert update["subscriptionId"] == 0 and update["event"]["e"] == "balanceUpdate"
    assert (update["event"]["a"], update["event"]["d"]) == ("USDT", "100.00000000")
    assert position["event"]["e"] == "outboundAccountPosition"
    assert position["event"]["B"] == [{"a": "USDT", "f": "1620.48213000", "l": "120.00000000"}]
    binance.state.update_faults(spot_balance_update=False)
    scenario.change_balance("demo", "BTC", Decimal(1))
    assert (await receive(ws))["event"]["e"] == "outboundAccountPosition"


async def test_an_ed25519_and_an_rsa_key_subscribe(binance, scenario, open_ws):
    for role in ("ed25519", "rsa"):
        await subscribed(open_ws, binance.ws_url, scenario.key(role))


async def test_a_demo_key_on_the_demo_socket_and_the_refusal_knob(binance, scenario, open_ws):
    ws = await subscribed(open_ws, binance.ws_urls["ws_demo_url"], scenario.key("demo_trading"))
    scenario.change_balance("demo-trading", "BTC", Decimal("0.5"))
    assert (await receive(ws))["event"] == {"e": "balanceUpdate", "E": pytest.approx(time.time_ns() // 1_000_000, abs=5000),
                                          "a": "BTC", "d": "0.50000000", "T": pytest.approx(time.time_ns() // 1_000_000, abs=5000)}
    scenario.refuse_websocket_logins(True)
    refused = await open_ws(binance.ws_url)
    await refused.send(subscribe_frame(scenario.key("connects")))
    assert (await receive(refused))["error"]["code"] == -2015


async def listen_key(binance, key, futures_url: str = "futures_url") -> str:
    async with httpx.AsyncClient(base_url=binance.urls[futures_url]) as http:
        return (await http.post("/fapi/v1/listenKey", headers={"X-MBX-APIKEY": key.api_key})).json()["listenKey"]


async def transfer(binance, key, kind: str, amount: str) -> None:
    query = f"timestamp={time.time_ns() // 1_000_000}&type={kind}&asset=USDT&amount={amount}"
    signature = hmac.new(key.secret_key.encode(), query.encode(), hashlib.sha256).hexdigest()
    async with httpx.AsyncClient(base_url=binance.url) as http:
        answer = await http.post("/sapi/v1/asset/transfer", content=f"{query}&signature={signature}",
                                 headers={"X-MBX-APIKEY": key.api_key, "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("path", ["/private/ws/", "/private/ws?listenKey=", "/ws/"])
async def test_a_transfer_pushes_account_update_on_the_listen_key_stream(binance, scenario, open_ws, path):
    key = scenario.key("connects")
    stream = await open_ws(binance.urls["futures_url"].replace("http", "ws") + path + await listen_key(binance, key))
    spot = await subscribed(open_ws, binance.ws_url, key)
    await transfer(binance, key, "MAIN_UMFUTURE", "25")
    update = await receive(stream)
    assert update["e"] == "ACCOUNT_UPDATE" and update["a"]["m"] == "ASSET_TRANSFER"
    assert update["a"]["B"] == [{"a": "USDT", "wb": "325.25000000", "cw": "325.25000000", "bc": "25.00000000"}]
    assert update["a"]["P"] == []
    assert (await receive(spot))["event"]["d"] == "-25.00000000"


async def test_unknown_and_legacy_listen_keys_are_refused_and_an_expiry_is_told(binance, scenario, open_ws):
    futures_ws = binance.urls["futures_url"].replace("http", "ws")
    with pytest.raises(websockets.InvalidStatus):
        await open_ws(futures_ws + "/private/ws/" + "x" * 64)
    key = scenario.key("connects")
    binance.state.update_faults(legacy_futures_ws=False, listen_key_ttl_ms=300)
    listen = await listen_key(binance, key)
    with pytest.raises(websockets.InvalidStatus):
        await open_ws(futures_ws + "/ws/" + listen)
    stream = await open_ws(futures_ws + "/private/ws/" + listen)
    assert await receive(stream) == {"e": "listenKeyExpired", "E": pytest.approx(time.time_ns() // 1_000_000, abs=5000),
                                     "listenKey": listen}
    with pytest.raises(websockets.ConnectionClosedOK):
        await asyncio.wait_for(stream.recv(), WAIT)


async def test_drop_websockets_cuts_both_kinds(binance, scenario, open_ws):
    key = scenario.key("connects")
    spot = await subscribed(open_ws, binance.ws_url, key)
    stream = await open_ws(binance.ws_urls["futures_ws_url"] + "/" + await listen_key(binance, key))
    scenario.drop_websockets()
    for ws in (spot, stream):
        with pytest.raises(websockets.ConnectionClosedError):
            await asyncio.wait_for(ws.recv(), WAIT)


@pytest.fixture
async def pro() -> AsyncIterator[list]:
    exchanges: list = []
    yield exchanges
    for exchange in exchanges:
        await exchange.close()


def binance_pro(binance, key, exchanges) -> ccxt.pro.binance:
    """ccxt.pro's binance with REST on both ports and WebSockets: the WebSocket API (spot) and the futures stream."""
    exchange = ccxt.pro.binance({"apiKey": key.api_key, "secret": key.secret_key,
                                 "options": {"fetchMarkets": {"types": ["spot", "linear"]}, "fetchMargins": False}})
    exchange.has["fetchCurrencies"] = False
    spot, futures = binance.urls["url"], binance.urls["futures_url"]
    for name in ("public", "private", "v1", "v3"):
        exchange.urls["api"][name] = spot + "/api/" + name.replace("public", "v3").replace("private", "v3")
    exchange.urls["api"]["sapi"] = spot + "/sapi/v1"
    exchange.urls["api"]["fapiPublic"] = futures + "/fapi/v1"
    exchange.urls["api"]["fapiPrivate"] = futures + "/fapi/v1"
    exchange.urls["api"]["fapiPrivateV2"] = futures + "/fapi/v2"
    exchange.urls["api"]["fapiPrivateV3"] = futures + "/fapi/v3"
    exchange.urls["api"]["ws"]["ws-api"]["spot"] = binance.ws_url
    exchange.urls["api"]["ws"]["linear"] = futures.replace("http", "ws") + "/ws"  # ccxt makes it /private/ws?listenKey=
    exchanges.append(exchange)
    return exchange


@pytest.mark.slow
@pytest.mark.parametrize(("balance_update", "free"), [(True, 100.0), (False, 1620.48213)])
async def test_ccxt_pro_watches_the_spot_balance_through_the_websocket_api(binance, scenario, pro, balance_update, free):
    """The first push ccxt hands on: ``balanceUpdate``'s delta (ccxt keeps no snapshot by default), or, without
    it, ``outboundAccountPosition``'s free and locked amounts."""
    binance.state.update_faults(spot_balance_update=balance_update)
    exchange = binance_pro(binance, scenario.key("connects"), pro)
    await exchange.load_markets()
    await exchange.authenticate({"type": "spot"})
    watching = asyncio.ensure_future(exchange.watch_balance())
    scenario.change_balance("demo", "USDT", Decimal(100))
    balance = await asyncio.wait_for(watching, WAIT)
    assert balance["USDT"]["free"] == free


@pytest.mark.slow
async def test_ccxt_pro_watches_the_futures_balance_through_a_listen_key(binance, scenario, pro):
    exchange = binance_pro(binance, scenario.key("connects"), pro)
    await exchange.load_markets()
    await exchange.authenticate({"type": "future"})
    url = exchange.get_private_ws_url("linear", exchange.options["linear"]["listenKey"])
    watching = asyncio.ensure_future(exchange.watch_balance({"type": "future"}))
    await asyncio.wait_for(exchange.client(url).connected, WAIT)
    await transfer(binance, scenario.key("connects"), "MAIN_UMFUTURE", "5")
    balance = await asyncio.wait_for(watching, WAIT)
    assert balance["USDT"]["total"] == 305.25


@pytest.mark.slow
async def test_ccxt_pro_is_refused_with_a_wrong_secret(binance, scenario, pro):
    """ccxt.pro 4.5.90 gets the -1022 answer, then trips over its own clean-up (``del client.subscriptions``)."""
    key = scenario.key("connects")
    exchange = binance_pro(binance, key, pro)
    exchange.secret = key.secret_key[:-1] + "x"
    await exchange.load_markets()
    with pytest.raises(KeyError) as raised:
        await asyncio.wait_for(exchange.watch_balance(), WAIT)
    refusal = raised.value.__context__
    assert isinstance(refusal, ccxt.AuthenticationError) and "-1022" in str(refusal)


async def test_the_demo_sockets_under_the_live_ports_prefix(binance, scenario, open_ws):
    key = scenario.key("demo_trading")
    await subscribed(open_ws, binance.ws("/demo/ws-api/v3"), key)
    async with httpx.AsyncClient(base_url=binance.urls["futures_url"]) as http:
        listen = (await http.post("/demo/fapi/v1/listenKey", headers={"X-MBX-APIKEY": key.api_key})).json()["listenKey"]
    stream = await open_ws(binance.ws("/demo/ws/" + listen, "futures_url"))
    scenario.state.change_balance("demo-trading", "USDT", Decimal(1), wallet="futures")
    assert (await receive(stream))["a"]["B"][0]["wb"] == "5001.00000000"
    with pytest.raises(websockets.InvalidStatus):
        await open_ws(binance.ws("/ws/" + listen, "futures_url"))
