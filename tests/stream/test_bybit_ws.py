"""The Bybit simulator's private WebSocket over real TCP (reference §7): auth, the wallet topic, pushes, ping,
refusals, environments; and ccxt.pro's bybit, an independent client, watching a balance."""

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from decimal import Decimal

import ccxt.pro
import httpx
import pytest
import websockets
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

WAIT = 5
WALLET = json.dumps({"req_id": "w1", "op": "subscribe", "args": ["wallet"]})


def sign(secret: str, text: str) -> str:
    """Hex HMAC, or base64 RSA-SHA256 for a PEM private key (§7: RSA keys sign the same string)."""
    if "PRIVATE KEY" in secret:
        private = serialization.load_pem_private_key(secret.encode(), password=None)
        assert isinstance(private, rsa.RSAPrivateKey)
        return base64.b64encode(private.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def auth_frame(key, *, expires: int | None = None, secret: str | None = None) -> str:
    expires = time.time_ns() // 1_000_000 + 10_000 if expires is None else expires
    signature = sign(secret or key.secret_key, f"GET/realtime{expires}")
    return json.dumps({"req_id": "a1", "op": "auth", "args": [key.api_key, expires, signature]})


async def receive(ws) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), WAIT))


@pytest.fixture
def simulator(bybit_simulator):
    """The folder's ``open_ws`` opens sockets on this module's simulator: Bybit's mainnet host unless told."""
    return bybit_simulator


@pytest.fixture
def scenario(bybit_simulator):
    return bybit_simulator.scenario


async def authed(open_ws, key, url=None):
    ws = await open_ws(url)
    await ws.send(auth_frame(key))
    answer = await receive(ws)
    assert (answer["success"], answer["ret_msg"], answer["op"]) == (True, "", "auth") and answer["conn_id"], answer
    return ws


async def subscribed(open_ws, key, url=None):
    ws = await authed(open_ws, key, url)
    await ws.send(WALLET)
    ack = await receive(ws)
    assert (ack["success"], ack["op"], ack["req_id"]) == (True, "subscribe", "w1"), ack
    return ws


async def test_auth_subscribe_then_a_push_per_change_and_no_snapshot(open_ws, scenario):
    ws = await subscribed(open_ws, scenario.key("connects"))
    await ws.send(json.dumps({"req_id": "p1", "op": "ping"}))
    pong = await receive(ws)
    assert (pong["op"], pong["req_id"]) == ("pong", "p1") and pong["args"][0].isdigit()
    scenario.change_balance("demo", "BTC", Decimal("0.5"))
    push = await receive(ws)
    assert push["topic"] == "wallet" and push["id"] and isinstance(push["creationTime"], int)
    (wallet,) = push["data"]
    assert wallet["accountType"] == "UNIFIED"
    assert {c["coin"]: c["walletBalance"] for c in wallet["coin"]}["BTC"] == "0.5421"


async def test_an_inter_transfer_pushes_the_unified_side(open_ws, scenario, bybit_simulator):
    key = scenario.key("connects")
    ws = await subscribed(open_ws, key)
    body = json.dumps({"transferId": str(uuid.uuid4()), "coin": "USDT", "amount": "5", "fromAccountType": "FUND",
                       "toAccountType": "UNIFIED"})
    ts = str(time.time_ns() // 1_000_000)
    headers = {"X-BAPI-API-KEY": key.api_key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-RECV-WINDOW": "5000",
               "X-BAPI-SIGN": sign(key.secret_key, ts + key.api_key + "5000" + body),
               "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=bybit_simulator.url) as http:
        answer = (await http.post("/v5/asset/transfer/inter-transfer", content=body, headers=headers)).json()
    assert answer["retCode"] == 0
    push = await receive(ws)
    assert {c["coin"]: c["walletBalance"] for c in push["data"][0]["coin"]}["USDT"] == "1525.48213"


async def test_an_rsa_key_and_the_demo_host(open_ws, scenario, bybit_simulator):
    await authed(open_ws, scenario.key("rsa"))
    ws = await subscribed(open_ws, scenario.key("demo_trading"), bybit_simulator.ws_demo_url)
    scenario.change_balance("demo-trading", "USDT", Decimal(1))
    assert (await receive(ws))["topic"] == "wallet"


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (lambda key, sim: auth_frame(key, expires=time.time_ns() // 1_000_000 - 1), "Params Error"),
        (lambda key, sim: json.dumps({"op": "auth", "args": [key.api_key]}), "Params Error"),
        (lambda key, sim: auth_frame(key, secret="z" * 36), "Request not authorized"),
        (lambda key, sim: auth_frame(sim.scenario.key("demo_trading")), "Request not authorized"),
        (lambda key, sim: auth_frame(sim.scenario.key("expired")), "Request not authorized"),
        (lambda key, sim: auth_frame(sim.scenario.key("ip_bound")), "Request not authorized"),
    ],
    ids=["expires-past", "malformed", "bad-sign", "demo-key-on-mainnet", "expired-key", "ip-bound"],
)
async def test_refused_auths_answer_then_close(open_ws, scenario, bybit_simulator, frame, expected):
    ws = await open_ws()
    await ws.send(frame(scenario.key("connects"), bybit_simulator))
    answer = await receive(ws)
    assert (answer["success"], answer["ret_msg"], answer["op"]) == (False, expected, "auth")
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(ws.recv(), WAIT)
    assert ws.close_code == 1008


async def test_the_auth_knobs(open_ws, scenario, bybit_simulator):
    state = bybit_simulator.state
    state.update_faults(ws_close_on_login_error=False, ws_expired_message="error:request expired",
                        ws_auth_shape="retCode")
    ws = await open_ws()
    await ws.send(auth_frame(scenario.key("connects"), expires=time.time_ns() // 1_000_000 - 1))
    assert (await receive(ws))["ret_msg"] == "error:request expired"
    await ws.send(auth_frame(scenario.key("connects")))
    answer = await receive(ws)
    assert (answer["retCode"], answer["retMsg"], answer["op"]) == (0, "OK", "auth") and answer["connId"]
    scenario.refuse_websocket_logins(True)
    await ws.send(auth_frame(scenario.key("connects")))
    assert (await receive(ws))["ret_msg"] == "Request not authorized"


async def test_topics_before_auth_unknown_and_refused(open_ws, scenario):
    ws = await open_ws()
    await ws.send(WALLET)
    assert (await receive(ws))["ret_msg"] == "error:topic:wallet needs auth first"
    ws = await authed(open_ws, scenario.key("connects"))
    await ws.send(json.dumps({"op": "subscribe", "args": ["order.spot"]}))
    assert (await receive(ws))["success"] is False
    ws = await authed(open_ws, scenario.key("no_balance_permission"))
    await ws.send(WALLET)
    refused = await receive(ws)
    assert refused["success"] is False and refused["ret_msg"].startswith("Permission denied")


async def test_unsubscribe_stops_pushes_and_fund_changes_push_nothing(open_ws, scenario, bybit_simulator):
    ws = await subscribed(open_ws, scenario.key("connects"))
    bybit_simulator.state.change_balance("demo", "USDT", Decimal(1), wallet="FUND")
    await ws.send(json.dumps({"req_id": "u1", "op": "unsubscribe", "args": ["wallet"]}))
    assert (await receive(ws))["op"] == "unsubscribe"
    scenario.change_balance("demo", "USDT", Decimal(1))
    await ws.send(json.dumps({"req_id": "p2", "op": "ping"}))
    assert (await receive(ws))["op"] == "pong"


async def test_idle_close_ignored_pings_and_a_drop(open_ws, scenario, bybit_simulator):
    bybit_simulator.state.update_faults(ws_idle_timeout_ms=100, ws_ignore_pings=True)
    ws = await authed(open_ws, scenario.key("connects"))
    await ws.send(json.dumps({"op": "ping"}))
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(ws.recv(), WAIT)
    assert ws.close_code == 1000
    bybit_simulator.state.update_faults(ws_idle_timeout_ms=600_000)
    ws = await authed(open_ws, scenario.key("connects"))
    scenario.drop_websockets()
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(ws.recv(), WAIT)


@pytest.mark.slow
async def test_ccxt_pro_watches_the_balance_pushed_after_a_transfer(scenario, bybit_simulator):
    """No snapshot comes on subscribe (§7), so the transfer is made once ccxt has read the subscribe ack."""
    key = scenario.key("connects")
    exchange = ccxt.pro.bybit({"apiKey": key.api_key, "secret": key.secret_key, "enableRateLimit": False,
                               "timeout": 5000, "options": {"fetchMarkets": {"types": ["spot"]}}})
    exchange.has["fetchCurrencies"] = False
    exchange.urls["api"].update(dict.fromkeys(("spot", "futures", "v2", "public", "private"), bybit_simulator.url))
    exchange.urls["api"]["ws"]["private"]["contract"] = bybit_simulator.ws_url
    acked = asyncio.Event()
    handle = exchange.handle_message

    def spy(client, message):
        if isinstance(message, dict) and message.get("op") == "subscribe" and message.get("success"):
            acked.set()
        return handle(client, message)

    exchange.handle_message = spy
    try:
        watching = asyncio.create_task(exchange.watch_balance())
        await asyncio.wait_for(acked.wait(), WAIT)
        await exchange.transfer("USDT", 5, "funding", "unified")
        balance = await asyncio.wait_for(watching, WAIT)
        assert balance["USDT"]["total"] == 1525.48213
    finally:
        await exchange.close()
