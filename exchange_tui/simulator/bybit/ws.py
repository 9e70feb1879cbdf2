"""Bybit's private WebSocket (reference §7) on each environment's host: ``auth``, the ``wallet`` topic, ping/pong.

Path ``/v5/private`` (``wss://stream.bybit.com/v5/private``; demo ``stream-demo``, testnet ``stream-testnet``),
on the port of the environment it serves (``SimulatorState.create_apps``): a key of another environment is
refused, as its REST calls are. A connection that sends nothing for ``faults.ws_idle_timeout_ms`` (10 minutes,
§7: "the connection will be cut off after 10 minutes") is closed (1000; the close code is not documented).
§7's ``?max_active_time=`` is ignored: the idle cut-off is the knob's.

Frames, all JSON (§7):

- ``{"req_id":..., "op":"ping"}`` → ``{"req_id":..., "op":"pong", "args":["<ms>"], "conn_id":...}`` (none with
  ``faults.ws_ignore_pings``).
- ``{"op":"auth","args":[api_key, expires, signature]}``, ``signature = hex(HMAC-SHA256(secret, "GET/realtime" +
  str(expires)))`` (RSA keys: base64 RSA-SHA256 of the same string, PYBIT). Success:
  ``{"success":true,"ret_msg":"","op":"auth","conn_id":...}`` (or ``{"retCode":0,"retMsg":"OK","op":"auth",
  "connId":...}`` with ``faults.ws_auth_shape = "retCode"``). Failure ``{"success":false,"ret_msg":...}``:
  "Params Error" for malformed args or an ``expires`` not in the future (or "error:request expired",
  ``faults.ws_expired_message``); "Request not authorized" for a refused login (``faults.ws_refuse_login``),
  an unknown key or one of another environment, a bad signature, an expired key or an unbound IP (the
  reference quotes no other text). After a failure the connection is closed (1008) unless
  ``faults.ws_close_on_login_error`` is False. A second auth on an authed connection is answered as the first.
- ``{"op":"subscribe","args":["wallet"]}`` → ``{"success":true,"ret_msg":"","op":"subscribe","conn_id":...}``.
  Before auth: ``error:topic:wallet needs auth first`` (pybit#37); another topic: ``error:handler not
  found,topic:X`` (assumed); a key refused UNIFIED reads: the 10005 text (assumed). "There is no snapshot
  event given at the time when the subscription is successful" (DOCS-WALLETWS): only changes of the
  account's UNIFIED balance push ``{"id", "topic":"wallet", "creationTime", "data":[<wallet-balance entry>]}``;
  FUND has no topic (§7). ``unsubscribe`` is acked and stops the pushes.

:meth:`~exchange_tui.simulator.core.state.CoreState.drop_websockets` cuts every connection without a close frame.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from exchange_tui.simulator.core.allowlist import ip_allowed
from exchange_tui.simulator.core.events import BalanceChanged
from exchange_tui.simulator.core.websocket import Close, Session, frame, parse_request
from exchange_tui.simulator.bybit import views
from exchange_tui.simulator.bybit.accounts import Environment, SimAccount
from exchange_tui.simulator.bybit.auth import find_in, hmac_hex, is_expired, rsa_verifies
from exchange_tui.simulator.bybit.errors import REST_ERRORS, WS_NOT_AUTHORIZED, WS_PARAMS_ERROR
from exchange_tui.simulator.bybit.state import SimulatorState

PRIVATE_PATH = "/v5/private"
WALLET_TOPIC = "wallet"
AUTH_FAILED = 1008


def ws_routes(state: SimulatorState, environment: Environment) -> list[WebSocketRoute]:
    return [WebSocketRoute(PRIVATE_PATH, _endpoint(state, environment))]


def _endpoint(state: SimulatorState, environment: Environment) -> Callable[[WebSocket], Any]:
    async def serve(websocket: WebSocket) -> None:
        await websocket.accept()
        await _Session(state, websocket, environment).run()

    return serve


class _AuthRefused(Exception):
    def __init__(self, msg: str) -> None:
        self.msg = msg
        super().__init__(msg)


class _Session(Session):
    state: SimulatorState
    idle_close = Close(1000, "idle")

    def __init__(self, state: SimulatorState, websocket: WebSocket, environment: Environment) -> None:
        super().__init__(state, websocket)
        self.environment = environment
        self.conn_id = uuid.uuid4().hex[:20]
        self.account: SimAccount | None = None
        self.subscribed = False

    def wants(self, change: BalanceChanged) -> bool:
        account = self.account
        return change.wallet == "UNIFIED" and account is not None and change.uid == account.uid

    def change_push(self, change: BalanceChanged) -> str | None:
        if not self.subscribed or self.account is None:
            return None
        data = [views.unified_wallet(self.state, self.account, None)]
        return frame(id=uuid.uuid4().hex, topic=WALLET_TOPIC, creationTime=self.state.now_ms(), data=data)

    def hear(self, text: str | None) -> None:
        """Any message keeps the connection alive (§7: "no ping-pong and no stream data" is what cuts it)."""
        self.heard()
        request = parse_request(text)
        if request is None:
            self.send(frame(success=False, ret_msg=WS_PARAMS_ERROR, conn_id=self.conn_id))
            return
        op, args = request["op"], request.get("args")
        ids = {"req_id": request["req_id"]} if "req_id" in request else {}
        if op == "ping":
            if not self.state.faults.ws_ignore_pings:
                self.send(frame(**ids, op="pong", args=[str(self.state.now_ms())], conn_id=self.conn_id))
        elif op == "auth":
            self._auth(args, ids)
        elif op in ("subscribe", "unsubscribe"):
            self._topics(op, args, ids)
        else:
            self.send(frame(**ids, success=False, ret_msg=f"error:handler not found,op:{op}", op=op,
                            conn_id=self.conn_id))

    def _auth(self, args: object, ids: dict[str, object]) -> None:
        try:
            account = self._authenticate(args)
        except _AuthRefused as refused:
            self.send(frame(**ids, success=False, ret_msg=refused.msg, op="auth", conn_id=self.conn_id))
            if self.state.faults.ws_close_on_login_error:
                self.close(AUTH_FAILED, refused.msg)
            return
        self.account = account
        if self.state.faults.ws_auth_shape == "retCode":
            self.send(frame(**ids, retCode=0, retMsg="OK", op="auth", connId=self.conn_id))
        else:
            self.send(frame(**ids, success=True, ret_msg="", op="auth", conn_id=self.conn_id))

    def _authenticate(self, args: object) -> SimAccount:
        state = self.state
        if not (isinstance(args, list) and len(args) == 3 and all(isinstance(a, str | int) for a in args)):
            raise _AuthRefused(WS_PARAMS_ERROR)
        api_key, expires, signature = str(args[0]), str(args[1]), str(args[2])
        if not expires.isdigit():
            raise _AuthRefused(WS_PARAMS_ERROR)
        if state.faults.ws_refuse_login:
            raise _AuthRefused(WS_NOT_AUTHORIZED)
        now_ms = state.now_ms()
        if int(expires) <= now_ms:
            raise _AuthRefused(state.faults.ws_expired_message)
        account = find_in(self.environment, state.account_by_key, api_key)
        if account is None:
            raise _AuthRefused(WS_NOT_AUTHORIZED)
        prehash = ("GET/realtime" + expires).encode()
        if account.rsa_public_key is not None:
            verified = rsa_verifies(account.rsa_public_key, prehash, signature)
        else:
            verified = hmac.compare_digest(hmac_hex(account.secret_key, prehash).encode(), signature.encode())
        client = self.websocket.client
        if not verified or is_expired(account, state.started_ms, now_ms) or not ip_allowed(
            account.ips, client.host if client else ""
        ):
            raise _AuthRefused(WS_NOT_AUTHORIZED)
        return account

    def _topics(self, op: str, args: object, ids: dict[str, object]) -> None:
        topics = args if isinstance(args, list) and args and all(isinstance(a, str) for a in args) else None
        if topics is None:
            self.send(frame(**ids, success=False, ret_msg=WS_PARAMS_ERROR, op=op, conn_id=self.conn_id))
            return
        for topic in topics:
            refusal = None
            if self.account is None:
                refusal = f"error:topic:{topic} needs auth first"
            elif topic != WALLET_TOPIC:
                refusal = f"error:handler not found,topic:{topic}"
            elif op == "subscribe" and "UNIFIED" in self.account.refused_reads:
                refusal = REST_ERRORS[10005]
            if refusal is not None:
                self.send(frame(**ids, success=False, ret_msg=refusal, op=op, conn_id=self.conn_id))
                continue
            self.subscribed = op == "subscribe"
            self.send(frame(**ids, success=True, ret_msg="", op=op, conn_id=self.conn_id))
