"""The simulator's WebSocket, spoken to by hand over real sockets: Bitget's protocol, checks, pushes and faults."""

import asyncio
import json
import time

import httpx
import pytest
import websockets
from ws_helpers import UTA_ARG, login_frame, receive, subscribe_frame, uta_subscribe_frame

from exchange_tui.simulator import ManualClock, ServerLimits, SimulatorServer, ThreadedSimulator
from exchange_tui.simulator.bitget import SimAccount, SimulatorState
from exchange_tui.simulator.bitget.ws import MAX_CHANNELS

SPOT_ARG = {"instType": "SPOT", "channel": "account", "coin": "default"}
SPOT_FIELDS = {"coin", "available", "frozen", "locked", "limitAvailable", "uTime"}
FUTURES_FIELDS = {
    "marginCoin",
    "frozen",
    "available",
    "maxOpenPosAvailable",
    "maxTransferOut",
    "equity",
    "usdtEquity",
    "crossedRiskRate",
    "unrealizedPL",
}


async def test_ping_pong_and_subscribe_before_login_is_30004(open_ws):
    ws = await open_ws()
    await ws.send("ping")
    assert await receive(ws) == "pong"
    await ws.send(subscribe_frame("SPOT"))
    assert await receive(ws) == {"event": "error", "code": 30004, "msg": "User needs to log in"}


async def test_login_on_the_public_socket_is_30003(open_ws, simulator):
    ws = await open_ws(simulator.ws_url.replace("private", "public"))
    await ws.send(login_frame(simulator.state.account("demo")))
    assert await receive(ws) == {"event": "error", "code": 30003, "msg": "INVALID op:login"}


async def test_login_then_spot_and_futures_snapshots_in_bitgets_fields(open_ws, simulator):
    ws = await open_ws()
    await ws.send(login_frame(simulator.state.account("demo")))
    login = await receive(ws)
    assert login["event"] == "login" and login["code"] == 0 and login["connId"]
    await ws.send(subscribe_frame("SPOT", "USDT-FUTURES"))
    assert await receive(ws) == {"event": "subscribe", "arg": SPOT_ARG}
    spot = await receive(ws)
    assert (spot["action"], spot["arg"]) == ("snapshot", SPOT_ARG)
    assert all(set(row) == SPOT_FIELDS for row in spot["data"])
    assert {row["coin"]: row["available"] for row in spot["data"]}["USDT"] == "1520.48213"
    assert "SOL" not in {row["coin"] for row in spot["data"]}, "zero balances are left out"
    assert (await receive(ws))["event"] == "subscribe"
    futures = await receive(ws)
    assert futures["action"] == "snapshot" and futures["arg"]["instType"] == "USDT-FUTURES"
    [row] = futures["data"]
    assert set(row) == FUTURES_FIELDS
    assert (row["marginCoin"], row["available"], row["frozen"]) == ("USDT", "820.11320000", "35.20000000")
    assert isinstance(futures["ts"], int)


async def test_balance_changes_push_spot_updates_and_futures_snapshots(logged_in, simulator):
    ws = await logged_in()
    await ws.send(subscribe_frame("SPOT", "USDT-FUTURES"))
    for _ in range(4):
        await receive(ws)
    simulator.state.set_balance("demo", "BTC", "1.25", frozen="0.5")
    update = await receive(ws)
    assert update["action"] == "update"
    assert [(r["coin"], r["available"], r["frozen"]) for r in update["data"]] == [("BTC", "1.25", "0.5")]
    simulator.state.set_balance("demo", "USDT", "10", wallet="USDT-FUTURES")
    futures = await receive(ws)
    assert futures["action"] == "snapshot" and futures["data"][0]["available"] == "10"
    simulator.state.set_balance("demo", "USDC", "5", wallet="USDC-FUTURES")
    await ws.send("ping")
    assert await receive(ws) == "pong", "an account channel not subscribed pushes nothing"


async def test_unsubscribe_stops_the_pushes(logged_in, simulator):
    ws = await logged_in()
    await ws.send(subscribe_frame("SPOT"))
    await receive(ws), await receive(ws)
    await ws.send(subscribe_frame("SPOT", op="unsubscribe"))
    assert await receive(ws) == {"event": "unsubscribe", "arg": SPOT_ARG}
    simulator.state.set_balance("demo", "BTC", "9")
    await ws.send("ping")
    assert await receive(ws) == "pong"


async def test_changes_made_on_another_thread_are_pushed(sim_accounts):
    with ThreadedSimulator() as sim:
        async with websockets.connect(sim.ws_url, ping_interval=None) as ws:
            await ws.send(login_frame(sim_accounts["demo"]))
            await receive(ws)
            await ws.send(subscribe_frame("SPOT"))
            await receive(ws), await receive(ws)
            await asyncio.to_thread(sim.state.set_balance, "demo", "ETH", "4")
            assert (await receive(ws))["data"][0]["available"] == "4"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"passphrase": "LoginPassword1"}, 30012),
        ({"sign": "7tUBO/iMUNawthzys0GLwkIDPPzc4nlPr4R61AVqKlQ="}, 30015),
        ({"apiKey": "bg_" + "9" * 32}, 30011),
        ({"timestamp": "17e8"}, 30013),
        ({"timestamp": str(int(time.time()) - 31)}, 30014),
        ({"timestamp": str(int(time.time() * 1000))}, 30014),
    ],
    ids=["wrong-passphrase", "bad-sign", "unknown-key", "bad-timestamp", "expired", "milliseconds"],
)
async def test_login_refusals_answer_bitgets_code_and_close(open_ws, simulator, change, code):
    ws = await open_ws()
    account = simulator.state.account("demo")
    timestamp = change.get("timestamp")
    await ws.send(login_frame(account, timestamp=timestamp, **{k: v for k, v in change.items() if k != "timestamp"}))
    answer = await receive(ws)
    assert (answer["event"], answer["code"]) == ("error", code)
    with pytest.raises(websockets.ConnectionClosed):
        await receive(ws)


async def test_the_login_window_is_on_the_server_clock(open_ws, simulator):
    simulator.state.faults.clock_offset_ms = 45_000
    ws = await open_ws()
    await ws.send(login_frame(simulator.state.account("demo")))
    assert (await receive(ws))["code"] == 30014
    ws = await open_ws()
    await ws.send(login_frame(simulator.state.account("demo"), timestamp=str(int(time.time()) + 45)))
    assert (await receive(ws))["code"] == 0


async def test_a_refused_login_can_leave_the_socket_open(open_ws, simulator):
    simulator.state.update_faults(ws_refuse_login=True, ws_close_on_login_error=False)
    ws = await open_ws()
    await ws.send(login_frame(simulator.state.account("demo")))
    assert await receive(ws) == {"event": "error", "code": 30005, "msg": "Login failed"}
    await ws.send("ping")
    assert await receive(ws) == "pong"


async def test_ip_whitelist_is_checked(open_ws, simulator):
    ws = await open_ws()
    await ws.send(login_frame(simulator.state.account("demo-ip-bound")))
    assert (await receive(ws))["code"] == 40018


async def test_demo_keys_log_in_on_the_demo_url_only(open_ws, simulator):
    demo_key, live_key = simulator.state.account("demo-trading"), simulator.state.account("demo")
    for url, account, code in [
        (simulator.ws_demo_url, demo_key, 0),
        (simulator.ws_url, demo_key, 30011),
        (simulator.ws_demo_url, live_key, 30011),
    ]:
        ws = await open_ws(url)
        await ws.send(login_frame(account))
        assert (await receive(ws))["code"] == code, (url, account.label)


async def test_the_signature_vector_of_reference_7_is_accepted():
    vector = SimAccount(
        label="vector",
        uid="1000000001",
        api_key="bg_0123456789abcdef0123456789abcdef",
        secret_key="0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
        passphrase="Passphrase123",
    )
    state = SimulatorState([vector], clock=ManualClock(1_700_000_000_000))
    async with SimulatorServer(state) as sim, websockets.connect(sim.ws_url, ping_interval=None) as ws:
        frame = {
            "op": "login",
            "args": [
                {
                    "apiKey": vector.api_key,
                    "passphrase": vector.passphrase,
                    "timestamp": "1700000000",
                    "sign": "7tUBO/iMUNawthzys0GLwkIDPPzc4nlPr4R61AVqKlQ=",
                }
            ],
        }
        await ws.send(json.dumps(frame))
        assert (await receive(ws))["code"] == 0


async def test_channel_refusals_carry_their_arg(logged_in):
    spot_only = await logged_in("demo-spot-only")
    await spot_only.send(subscribe_frame("USDT-FUTURES"))
    refusal = await receive(spot_only)
    assert (refusal["event"], refusal["code"], refusal["arg"]["instType"]) == ("error", 40014, "USDT-FUTURES")
    assert "futures read" in refusal["msg"]
    unified = await logged_in("demo-unified")
    await unified.send(subscribe_frame("SPOT"))
    assert (await receive(unified))["code"] == 40085
    demo = await logged_in()
    await demo.send(json.dumps({"op": "subscribe", "args": [{"instType": "SPOT", "channel": "ticker"}]}))
    assert (await receive(demo))["code"] == 30001
    await demo.send(json.dumps({"op": "subscribe", "args": [SPOT_ARG | {"coin": "USDT"}]}))
    assert (await receive(demo))["code"] == 30016
    await demo.send("{not json")
    assert (await receive(demo))["code"] == 30002
    await demo.send(json.dumps({"op": "trade"}))
    assert (await receive(demo))["code"] == 30003


async def test_the_eleventh_message_in_a_second_is_30007_and_closes(logged_in, simulator):
    ws = await logged_in()
    for _ in range(10):
        await ws.send("ping")
    answers = [await receive(ws) for _ in range(9)]
    assert answers == ["pong"] * 9, "the login was the first message of the ten"
    assert (await receive(ws))["code"] == 30007
    with pytest.raises(websockets.ConnectionClosed):
        await receive(ws)


async def test_pings_go_unanswered_when_told(open_ws, simulator):
    simulator.state.faults.ws_ignore_pings = True
    ws = await open_ws()
    await ws.send("ping")
    await ws.send(json.dumps({"op": "trade"}))
    assert (await receive(ws))["code"] == 30003, "no pong came first"


async def test_drop_cuts_every_connection_without_a_close_frame(open_ws, simulator):
    first, second = await open_ws(), await open_ws()
    async with httpx.AsyncClient(base_url=simulator.url) as control:
        assert (await control.post("/_sim/ws/drop")).json() == {"dropped": True}
    for ws in (first, second):
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            await receive(ws)
        assert closed.value.rcvd is None


async def test_a_connection_without_pings_is_closed(open_ws, simulator):
    async with httpx.AsyncClient(base_url=simulator.url) as control:
        faults = (await control.post("/_sim/faults", json={"ws_idle_timeout_ms": 50})).json()
    assert faults["ws_idle_timeout_ms"] == 50
    ws = await open_ws()
    with pytest.raises(websockets.ConnectionClosedOK) as closed:
        await receive(ws)
    assert closed.value.rcvd.code == 1001


async def test_a_subscribe_with_more_args_than_a_connection_may_hold_is_refused_whole(logged_in):
    ws = await logged_in()
    longest = {"instType": "SUSDT-FUTURES", "channel": "account", "coin": "default"}
    for op in ("subscribe", "unsubscribe"):
        await ws.send(json.dumps({"op": op, "args": [longest] * (MAX_CHANNELS + 1)}))
        assert await receive(ws) == {"event": "error", "code": 30006, "msg": "request too many"}
        await ws.send("ping")
        assert await receive(ws) == "pong", f"no {op} arg was answered"


async def test_a_subscribe_with_as_many_args_as_a_connection_may_hold_is_served(logged_in):
    ws = await logged_in()
    await ws.send(json.dumps({"op": "subscribe", "args": [SPOT_ARG] * MAX_CHANNELS}))
    answers = [await receive(ws) for _ in range(2 * MAX_CHANNELS)]
    assert [a.get("event") for a in answers[::2]] == ["subscribe"] * MAX_CHANNELS
    assert [a.get("action") for a in answers[1::2]] == ["snapshot"] * MAX_CHANNELS


async def test_a_message_over_the_size_limit_closes_the_connection_unread(open_ws):
    limit = ServerLimits().ws_max_message_bytes
    ws = await open_ws()
    await ws.send(json.dumps({"op": "trade"}).ljust(limit))
    assert (await receive(ws))["code"] == 30003, "a message of exactly the limit is read"
    await ws.send(json.dumps({"op": "trade"}).ljust(limit + 1))
    with pytest.raises(websockets.ConnectionClosedError) as closed:
        await receive(ws)
    assert closed.value.rcvd.code == 1009


UTA_COIN_FIELDS = {"coin", "balance", "available", "locked", "equity", "usdValue", "debts", "borrow"}


@pytest.mark.parametrize("demo", [False, True])
async def test_the_v3_socket_pushes_a_unified_accounts_coins(logged_in, simulator, demo):
    urls = simulator.ws_urls
    label, url = ("demo-trading-unified", urls["ws_uta_demo_url"]) if demo else ("demo-unified", urls["ws_uta_url"])
    ws = await logged_in(label, url)
    await ws.send(uta_subscribe_frame())
    assert await receive(ws) == {"event": "subscribe", "arg": UTA_ARG}
    push = await receive(ws)
    assert (push["action"], push["arg"]) == ("snapshot", UTA_ARG) and isinstance(push["ts"], int)
    [data] = push["data"]
    assert {"totalEquity", "effEquity", "unrealisedPnL", "mmr", "imr", "mgnRatio", "positionMgnRatio"} <= set(data)
    assert all(set(row) == UTA_COIN_FIELDS for row in data["coin"])
    assert "SOL" not in {row["coin"] for row in data["coin"]}, "zero balances are left out"


@pytest.mark.parametrize(("shape", "coins"), [("full", {"USDT", "BTC", "ETH", "SOL"}), ("changed", {"SOL"})])
async def test_a_unified_change_pushes_every_coin_or_only_the_changed_one(logged_in, simulator, shape, coins):
    simulator.state.faults.ws_uta_push = shape
    ws = await logged_in("demo-unified", simulator.ws_urls["ws_uta_url"])
    await ws.send(uta_subscribe_frame())
    await receive(ws), await receive(ws)
    simulator.state.set_balance("demo-unified", "SOL", "2", wallet="unified")
    push = await receive(ws)
    assert push["action"] == "snapshot"
    assert {row["coin"] for row in push["data"][0]["coin"]} == coins
    assert {row["coin"]: row["available"] for row in push["data"][0]["coin"]}["SOL"] == "2"


@pytest.mark.parametrize(
    ("label", "frame", "code"),
    [
        ("demo", uta_subscribe_frame(), 40084),
        ("demo-unified-trade-only", uta_subscribe_frame(), 40014),
        ("demo-unified", subscribe_frame("SPOT"), 30001),
    ],
)
async def test_the_v3_socket_refuses_classic_accounts_keys_without_uta_read_and_v2_channels(
    logged_in, simulator, label, frame, code
):
    ws = await logged_in(label, simulator.ws_urls["ws_uta_url"])
    await ws.send(frame)
    assert (await receive(ws))["code"] == code
