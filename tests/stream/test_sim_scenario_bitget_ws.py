"""Bitget's scenario on the private WebSocket: balance pushes, drops and refused logins."""

from decimal import Decimal

import pytest
import websockets
from ws_helpers import login_frame, receive, subscribe_frame


async def test_change_balance_pushes_and_logins_can_be_refused(simulator, logged_in, open_ws):
    scenario = simulator.scenario
    ws = await logged_in("demo")
    await ws.send(subscribe_frame("SPOT"))
    assert (await receive(ws))["event"] == "subscribe"
    assert (await receive(ws))["action"] == "snapshot"
    scenario.change_balance("demo", "BTC", Decimal("1"))
    push = await receive(ws)
    assert (push["action"], push["data"][0]["coin"], push["data"][0]["available"]) == ("update", "BTC", "1.04210000")
    scenario.drop_websockets()
    with pytest.raises(websockets.ConnectionClosed):
        await receive(ws)
    scenario.refuse_websocket_logins(True)
    refused = await open_ws()
    await refused.send(login_frame(simulator.state.account("demo")))
    assert (await receive(refused))["code"] == 30005
