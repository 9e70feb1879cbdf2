"""Binance's private WebSockets (reference §7): the spot WebSocket API's user data stream, the USDⓈ-M listenKey stream.

Paths::

    spot port      /ws-api/v3                  wss://ws-api.binance.com:443/ws-api/v3
    futures port   /private/ws/<listenKey>     wss://fstream.binance.com/private/ws/<listenKey> (since 2026-03)
    futures port   /private/ws?listenKey=<…>   the same, as ccxt.pro 4.5.90 builds it (``events=`` is ignored)
    futures port   /ws/<listenKey>             the legacy path, decommissioned 2026-04-23 (``faults.legacy_futures_ws``)

Keepalive (§7.1, §7.2): the server sends ping frames (uvicorn's, every 20 s, as the spot server does;
Binance's futures server pings every 3 minutes) and websocket clients answer them; there is no
app-level ping besides the WebSocket API's ``ping`` method.

**WebSocket API** (§7.1). Requests are ``{"id", "method", "params"}``; answers ``{"id", "status": 200,
"result": …}`` or ``{"id", "status": 4xx, "error": {"code", "msg"}}``. Methods:

- ``userDataStream.subscribe.signature`` with ``apiKey``, ``timestamp``, ``signature`` (``recvWindow``
  optional), signed over every param but ``signature`` sorted by name, ``k=v`` joined by ``&`` (§7.1,
  §8 NWS): checks in REST's order (-2014, -1102, -2015 unknown or another environment's key, -1021,
  -1022, -2015 IP) → ``{"subscriptionId": N}`` (N counts from 0 per connection). A second
  subscription for the same account on one connection answers its existing id (assumed; the
  reference says only "only one active subscription for a given account on a given connection").
  ``faults.ws_refuse_login`` refuses every subscription with 401 -2015.
- ``userDataStream.unsubscribe`` (``subscriptionId`` optional: without it, all), ``ping``, ``time``.

Each spot balance change of a subscribed account pushes, wrapped as ``{"subscriptionId": N, "event": …}``,
``balanceUpdate`` (for a change by an amount, ``faults.spot_balance_update``) then ``outboundAccountPosition``
with the changed asset (§7.1). No snapshot on subscribe.

**listenKey stream** (§7.2). A connection to an unknown or expired listenKey, or any while
``faults.ws_refuse_login``, is refused at the handshake (HTTP 403). Each futures-wallet change of the
key's account pushes ``ACCOUNT_UPDATE`` (``m`` the reason: ``DEPOSIT``, ``ASSET_TRANSFER``; ``B`` the
changed asset; ``P`` empty). When the listenKey expires (``faults.listen_key_ttl_ms`` after its last
keepalive) or is closed, the stream sends ``listenKeyExpired`` and closes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from exchange_tui.simulator.binance.accounts import Environment, SimAccount
from exchange_tui.simulator.binance.auth import Realm, SignedRequest, authenticate_ws
from exchange_tui.simulator.binance.errors import BinanceError
from exchange_tui.simulator.binance.state import Moved, SimulatorState
from exchange_tui.simulator.binance.views import eight
from exchange_tui.simulator.core.events import BalanceChanged
from exchange_tui.simulator.core.websocket import Session

WS_API_PATH = "/ws-api/v3"
FUTURES_PATH = "/private/ws"
LEGACY_FUTURES_PATH = "/ws"
_RECHECK_S = 1.0
"""How often a listenKey stream looks whether its key was closed (its expiry it knows)."""


def _frame(**fields: object) -> str:
    return json.dumps(fields, separators=(",", ":"))


def _client_ip(websocket: WebSocket) -> str:
    return websocket.client.host if websocket.client else ""


def ws_api_routes(state: SimulatorState, environment: Environment) -> list[WebSocketRoute]:
    async def serve(websocket: WebSocket) -> None:
        await websocket.accept()
        await _WsApiSession(state, websocket, environment).run()

    return [WebSocketRoute(WS_API_PATH, serve)]


def futures_ws_routes(state: SimulatorState, environment: Environment) -> list[WebSocketRoute]:
    def endpoint(legacy: bool) -> Callable[[WebSocket], Any]:
        async def serve(websocket: WebSocket) -> None:
            given = websocket.path_params.get("listen_key") or websocket.query_params.get("listenKey", "")
            listen_key = state.listen_key(given)
            refused = state.faults.ws_refuse_login or (legacy and not state.faults.legacy_futures_ws)
            if listen_key is None or listen_key.environment != environment or refused:
                await websocket.close(1008)
                return
            await websocket.accept()
            await _ListenKeySession(state, websocket, listen_key.key, listen_key.uid).run()

        return serve

    return [
        WebSocketRoute(FUTURES_PATH, endpoint(legacy=False)),
        WebSocketRoute(FUTURES_PATH + "/{listen_key}", endpoint(legacy=False)),
        WebSocketRoute(LEGACY_FUTURES_PATH + "/{listen_key}", endpoint(legacy=True)),
    ]


class _WsApiSession(Session):
    state: SimulatorState

    def __init__(self, state: SimulatorState, websocket: WebSocket, environment: Environment) -> None:
        super().__init__(state, websocket)
        self.environment = environment
        self.subscriptions: dict[int, SimAccount] = {}
        self.next_id = 0

    def wants(self, change: BalanceChanged) -> bool:
        return change.wallet == "spot" and any(str(a.uid) == change.uid for a in list(self.subscriptions.values()))

    def change_push(self, change: BalanceChanged) -> tuple[str, ...]:
        frames: list[str] = []
        now_ms = self.state.now_ms()
        for subscription_id, account in self.subscriptions.items():
            if str(account.uid) != change.uid:
                continue
            delta = change.delta if isinstance(change, Moved) else None
            if delta is not None and self.state.faults.spot_balance_update:
                event = {"e": "balanceUpdate", "E": now_ms, "a": change.coin, "d": eight(delta), "T": change.at_ms}
                frames.append(_frame(subscriptionId=subscription_id, event=event))
            held = self.state.wallets(account.uid).spot.get(change.coin)
            free, locked = (held.free, held.locked) if held is not None else (Decimal(0), Decimal(0))
            position = {"e": "outboundAccountPosition", "E": now_ms, "u": change.at_ms,
                        "B": [{"a": change.coin, "f": eight(free), "l": eight(locked)}]}
            frames.append(_frame(subscriptionId=subscription_id, event=position))
        return tuple(frames)

    async def read(self) -> None:
        """Binance closes no quiet WebSocket API connection (it pings, the client pongs): no idle deadline."""
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if not self.closing:
                self.hear(message.get("text"))

    def hear(self, text: str | None) -> None:
        try:
            request = json.loads(text) if text is not None else None
        except ValueError:
            request = None
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            self.send(_frame(id=None, status=400, error={"code": -1000, "msg": "Malformed request."}))
            return
        request_id, method = request.get("id"), request["method"]
        params = request.get("params", {})
        try:
            if not isinstance(params, dict):
                raise BinanceError(-1102, "params")
            result = self._call(method, params)
        except BinanceError as error:
            self.send(_frame(id=request_id, status=error.status, error=error.body()))
            return
        self.send(_frame(id=request_id, status=200, result=result))

    def _call(self, method: str, params: dict[str, Any]) -> object:
        if method == "ping":
            return {}
        if method == "time":
            return {"serverTime": self.state.now_ms()}
        if method == "userDataStream.subscribe.signature":
            return {"subscriptionId": self._subscribe(params)}
        if method == "userDataStream.unsubscribe":
            wanted = params.get("subscriptionId")
            if wanted is None:
                self.subscriptions.clear()
            elif self.subscriptions.pop(wanted, None) is None:
                raise BinanceError(-1102, "subscriptionId")
            return {}
        raise BinanceError(-1000, msg=f"Unknown method: {method}")

    def _subscribe(self, params: dict[str, Any]) -> int:
        state = self.state
        realm = Realm(self.environment, state.now_ms(), False, False, state.faults.recv_window_code)
        request = SignedRequest(b"", b"", {}, _client_ip(self.websocket))
        if state.faults.ws_refuse_login:
            raise BinanceError(-2015)
        account = authenticate_ws(params, request, state.account_by_key, realm)
        for subscription_id, subscribed in self.subscriptions.items():
            if subscribed.uid == account.uid:
                return subscription_id
        subscription_id = self.next_id
        self.next_id += 1
        self.subscriptions[subscription_id] = account
        return subscription_id


class _ListenKeySession(Session):
    state: SimulatorState

    def __init__(self, state: SimulatorState, websocket: WebSocket, listen_key: str, uid: int) -> None:
        super().__init__(state, websocket)
        self.listen_key = listen_key
        self.uid = str(uid)

    def wants(self, change: BalanceChanged) -> bool:
        return change.wallet == "futures" and change.uid == self.uid

    def change_push(self, change: BalanceChanged) -> str:
        held = self.state.wallets(int(self.uid)).futures.get(change.coin)
        balance = held.balance if held is not None else Decimal(0)
        moved = change if isinstance(change, Moved) else None
        delta = moved.delta if moved is not None and moved.delta is not None else Decimal(0)
        account = {"m": moved.reason if moved is not None else "DEPOSIT",
                   "B": [{"a": change.coin, "wb": eight(balance), "cw": eight(balance), "bc": eight(delta)}], "P": []}
        return _frame(e="ACCOUNT_UPDATE", E=self.state.now_ms(), T=change.at_ms, a=account)

    async def read(self) -> None:
        while True:
            timeout = None if self.closing else self._until_recheck()
            try:
                message = await asyncio.wait_for(self.websocket.receive(), timeout)
            except TimeoutError:
                if self.state.listen_key(self.listen_key) is None:
                    self.send(_frame(e="listenKeyExpired", E=self.state.now_ms(), listenKey=self.listen_key))
                    self.close(1000, "listenKey expired")
                continue
            if message["type"] == "websocket.disconnect":
                return

    def hear(self, text: str | None) -> None:
        """A user data stream takes no requests: what a client sends it is ignored."""

    def _until_recheck(self) -> float:
        found = self.state.listen_key(self.listen_key)
        if found is None:
            return 0
        return min(_RECHECK_S, max(0.0, (found.expires_ms - self.state.now_ms()) / 1000))

