"""Every fault knob, set in-process and over the /_sim/ control endpoints."""

import asyncio
import json
import logging
import time

import httpx
import pytest
from sim_requests import signed_get

from exchange_tui.simulator.bitget import SimulatorState, create_app

TIME = "/api/v2/public/time"
JSON = {"content-type": "application/json"}
CONTROL_POSTS = ["/faults", "/reset", "/balance", "/price", "/keys", "/keys/delete", "/ws/drop"]


async def test_latency_is_added_without_blocking_other_requests(client, simulator):
    simulator.state.faults.latency_ms = 150
    started = time.perf_counter()
    responses = await asyncio.gather(*(client.get(TIME) for _ in range(5)))
    elapsed = time.perf_counter() - started
    assert all(r.status_code == 200 for r in responses)
    assert 0.15 <= elapsed < 0.6


async def test_next_5xx_answers_are_not_bitget_json(client, simulator):
    simulator.state.faults.error_5xx_next = 2
    first, second, third = [await client.get(TIME) for _ in range(3)]
    for response in (first, second):
        assert response.status_code == 502
        assert response.headers["content-type"].startswith("text/html")
        with pytest.raises(json.JSONDecodeError):
            response.json()
    assert third.status_code == 200
    assert simulator.state.faults.error_5xx_next == 0


async def test_5xx_rate_uses_the_seeded_generator(client, simulator):
    simulator.state.faults.error_5xx_rate = 1.0
    assert {(await client.get(TIME)).status_code for _ in range(3)} == {502}
    simulator.state.faults.error_5xx_rate = 0.5
    statuses = [(await client.get(TIME)).status_code for _ in range(30)]
    assert set(statuses) == {200, 502}


async def test_next_rate_limited_answers(client, simulator, sim_accounts):
    simulator.state.faults.rate_limit_next = 1
    limited = await signed_get(client, sim_accounts["demo"], "/api/v2/spot/account/assets")
    assert limited.status_code == 429
    body = limited.json()
    assert (body["code"], body["msg"], body["data"]) == ("429", "Too Many Requests", None)
    assert (await signed_get(client, sim_accounts["demo"], "/api/v2/spot/account/assets")).status_code == 200


async def test_dropped_connections_raise_a_transport_error_and_log_nothing(client, simulator, caplog):
    simulator.state.faults.drop_next = 1
    with caplog.at_level(logging.DEBUG), pytest.raises(httpx.TransportError):
        await client.get(TIME)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert (await client.get(TIME)).status_code == 200


async def test_malformed_answers(client, simulator):
    simulator.state.faults.malformed_next = 1
    response = await client.get(TIME)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert (await client.get(TIME)).json()["code"] == "00000"


async def test_faults_hit_unknown_paths_too_but_never_the_controls(client, simulator):
    simulator.state.faults.error_5xx_next = 1
    assert (await client.get("/_sim/faults")).status_code == 200
    assert (await client.get("/api/v2/nothing")).status_code == 502
    assert simulator.state.faults.error_5xx_next == 0


async def test_an_answer_code_on_one_path_only(client, simulator):
    simulator.state.update_faults(answer_code="40200", answer_code_next=1, fault_path="/api/v2/spot/market/tickers")
    assert (await client.get(TIME)).json()["code"] == "00000"
    refused = await client.get("/api/v2/spot/market/tickers")
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["msg"]) == ("40200", "Server upgrade, please try again later")
    assert (await client.get("/api/v2/spot/market/tickers")).json()["code"] == "00000"
    assert (await client.post("/_sim/faults", json={"answer_code": "12345"})).status_code == 400


async def test_faults_over_the_control_endpoints(client, simulator):
    faults = (await client.get("/_sim/faults")).json()
    assert faults == {
        "latency_ms": 0,
        "error_5xx_next": 0,
        "error_5xx_rate": 0.0,
        "error_5xx_status": 502,
        "rate_limit_next": 0,
        "drop_next": 0,
        "malformed_next": 0,
        "answer_code_next": 0,
        "answer_code": "40015",
        "fault_path": None,
        "clock_offset_ms": 0,
        "ws_ignore_pings": False,
        "ws_refuse_login": False,
        "ws_close_on_login_error": True,
        "ws_uta_push": "full",
        "ws_idle_timeout_ms": 120_000,
    }
    changed = (await client.post("/_sim/faults", json={"drop_next": 1, "clock_offset_ms": -5000})).json()
    assert (changed["drop_next"], changed["clock_offset_ms"], changed["latency_ms"]) == (1, -5000, 0)
    with pytest.raises(httpx.TransportError):
        await client.get(TIME)
    assert (await client.post("/_sim/faults", json={"drop_next": -1})).status_code == 400
    assert (await client.post("/_sim/faults", json={"explode": True})).status_code == 400
    assert (await client.post("/_sim/faults", content=b"{", headers=JSON)).status_code == 400
    assert simulator.state.faults.clock_offset_ms == -5000


async def test_reset_balance_and_price_over_the_control_endpoints(client, simulator, sim_accounts):
    simulator.state.faults.malformed_next = 4
    async def balance(**change: str) -> int:
        return (await client.post("/_sim/balance", json={"label": "demo", "coin": "BTC", **change})).status_code

    assert await balance(available="2.5", frozen="0.5") == 200
    assert [b.total for b in simulator.state.account("demo").spot if b.coin == "BTC"] == [3]
    assert await balance(coin="USDT", available="7", wallet="USDT-FUTURES") == 200
    assert await balance(label="nobody", available="1") == 404
    assert await balance(available="-1") == 400
    assert await balance() == 400
    assert (await client.post("/_sim/price", json={"symbol": "BTCUSDT", "last": "50000"})).status_code == 200
    assert simulator.state.usdt_price("BTC") == 50000
    assert (await client.post("/_sim/price", json={"symbol": "NOPE", "last": "1"})).status_code == 404
    assert (await client.post("/_sim/price", json={"symbol": "BTCUSDT", "last": "1e25"})).status_code == 400
    assert await balance(available="1e25") == 400
    assert (await client.get("/api/v2/spot/market/tickers")).status_code == 200
    assert (await client.post("/_sim/reset")).json() == {"reset": True}
    assert simulator.state.faults.malformed_next == 0
    assets = await signed_get(client, sim_accounts["demo"], "/api/v2/spot/account/assets?coin=BTC")
    assert assets.json()["data"][0]["available"] == "0.04210000"


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", b'{"latency_ms": 7}', 415),
        (None, b'{"latency_ms": 7}', 415),
        ("application/x-www-form-urlencoded", b"", 415),
        ("application/jsonp", b"{}", 415),
        ("application/json", b'{"latency_ms": ', 400),
        ("application/json", b"\xff\xfe\xfd", 400),
        ("application/json", b"[" * 5000 + b"]" * 5000, 400),
        ("application/json; charset=utf-8", b'[{"latency_ms": 7}]', 400),
    ],
    ids=["text", "no-type", "form", "jsonp", "cut-short", "not-utf8", "deep", "array"],
)
async def test_control_calls_take_a_json_object_sent_as_json_and_nothing_else(
    client, simulator, content_type, body, status
):
    headers = {} if content_type is None else {"content-type": content_type}
    for path in CONTROL_POSTS:
        response = await client.post("/_sim" + path, content=body, headers=headers)
        assert (response.status_code, list(response.json())) == (status, ["error"]), path
    assert simulator.state.faults.latency_ms == 0


async def test_control_calls_with_no_body_or_a_json_one_with_parameters_are_taken(client, simulator):
    assert (await client.post("/_sim/reset")).status_code == 200
    json_too = {"content-type": "Application/JSON; charset=utf-8"}
    changed = await client.post("/_sim/faults", content=b'{"latency_ms": 7}', headers=json_too)
    assert changed.status_code == 200 and simulator.state.faults.latency_ms == 7


async def test_control_endpoints_answer_loopback_clients_only():
    transport = httpx.ASGITransport(create_app(SimulatorState()), client=("198.51.100.4", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://simulator") as remote:
        assert (await remote.get("/_sim/faults")).status_code == 403
        assert (await remote.post("/_sim/reset")).status_code == 403
        assert (await remote.get(TIME)).status_code == 200
