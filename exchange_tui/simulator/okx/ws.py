"""OKX's private WebSocket (reference §7) on the simulator's app: login, the ``account`` channel, ping/pong.

Paths, on the simulator's one port (``/demo`` stands for OKX's separate demo host)::

    /ws/v5/private          live private socket     (wss://ws.okx.com:8443/ws/v5/private)
    /demo/ws/v5/private     demo-trading private    (wss://wspap.okx.com:8443/ws/v5/private)

ccxt.pro builds its URL as ``urls["api"]["ws"] + "/private"`` (and adds ``?brokerId=9999`` in
sandbox mode, which is ignored here), so it takes ``.../ws/v5`` or ``.../demo/ws/v5``.

The text ``ping`` is answered with ``pong`` (§7, "Keepalive"). A connection that sends nothing for
``faults.ws_idle_timeout_ms`` (30 s) is closed with 4004 "No data received in 30s" (§4, close frames).

Login ``{"op":"login","args":[{apiKey, passphrase, timestamp, sign}]}`` (§7) checks, in this order
(the first failing one answers ``{"event":"error","code":"N","msg":...,"connId":...}``):

=====  ====================================================================
code   refusal
=====  ====================================================================
60012  ``args`` is not one object with the four fields
60031  this connection is logged in already (§4: "does not allow multiple or repeated logins")
60009  ``faults.ws_refuse_login``: "Login failed." (§7, the documented failure)
60004  ``timestamp`` is not a whole number of epoch seconds
60006  ``timestamp`` more than 30 s from the server clock (python-okx#64)
60005  ``apiKey`` is not in OKX's format
60032  no such key: unknown, deleted, or another site's
50101  a demo key on the live socket, or a live key on the demo one (amir-the-h/okex#51)
60024  wrong passphrase
60007  ``sign`` is not ``base64(HMAC-SHA256(secret, timestamp + "GET" + "/users/self/verify"))``
       (60009 with ``faults.ws_bad_sign_code = "60009"``)
50110  the caller's IP is not on the key's allowlist (no WebSocket code is documented for it)
=====  ====================================================================

A success answers ``{"event":"login","code":"0","msg":"","connId":...}``. After a refusal the
connection is closed with 4001 "Login Failed" (§4), or stays open with
``faults.ws_close_on_login_error = False``.

Subscribe ``{"id":..., "op":"subscribe","args":[{"channel":"account", "ccy"?: ...}]}``: before a
login 60011 "Please log in"; per arg, another channel 60018, a key refused trading reads 50120.
An accepted arg is acked ``{"id":..., "event":"subscribe","arg":...,"connId":...}`` and followed by
a ``snapshot`` push (``curPage`` 1, ``lastPage`` true); every later change of the account's trading
balance pushes an ``event_update`` (no ``curPage``/``lastPage``), listing every currency held or
only the changed one (``faults.ws_update_details``). ``unsubscribe`` is acked and stops the pushes.
:meth:`~exchange_tui.simulator.core.state.CoreState.drop_websockets` cuts every connection without a close frame.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from exchange_tui.simulator.core.allowlist import ip_allowed
from exchange_tui.simulator.core.events import BalanceChanged
from exchange_tui.simulator.core.signing import matches_any, same_text
from exchange_tui.simulator.core.websocket import Close, Session, frame, login_fields, parse_request
from exchange_tui.simulator.okx import views
from exchange_tui.simulator.okx.accounts import SimAccount
from exchange_tui.simulator.okx.auth import is_well_formed_key
from exchange_tui.simulator.okx.errors import OkxError, WsError
from exchange_tui.simulator.okx.state import SimulatorState

PRIVATE_PATH = "/ws/v5/private"
DEMO_PRIVATE_PATH = "/demo" + PRIVATE_PATH
LOGIN_WINDOW_S = 30  # "The request will expire 30 seconds after the timestamp" (§7)
ACCOUNT_CHANNEL = "account"
_SECONDS = re.compile(r"[0-9]{1,12}")
_LOGIN_FIELDS = ("apiKey", "passphrase", "timestamp", "sign")
LOGIN_FAILED = 4001
NO_DATA = 4004


def ws_routes(state: SimulatorState) -> list[WebSocketRoute]:
    return [
        WebSocketRoute(PRIVATE_PATH, _endpoint(state, demo=False)),
        WebSocketRoute(DEMO_PRIVATE_PATH, _endpoint(state, demo=True)),
    ]


def _endpoint(state: SimulatorState, *, demo: bool) -> Callable[[WebSocket], Any]:
    async def serve(websocket: WebSocket) -> None:
        await websocket.accept()
        await _Session(state, websocket, demo=demo).run()

    return serve


class _Session(Session):
    state: SimulatorState
    idle_close = Close(NO_DATA, "No data received in 30s")

    def __init__(self, state: SimulatorState, websocket: WebSocket, *, demo: bool) -> None:
        super().__init__(state, websocket)
        self.demo = demo
        self.conn_id = uuid.uuid4().hex[:8]
        self.account: SimAccount | None = None
        self.subscription: dict[str, Any] | None = None

    def wants(self, change: BalanceChanged) -> bool:
        account = self.account
        return change.wallet == "trading" and account is not None and change.uid == account.uid

    def change_push(self, change: BalanceChanged) -> str | None:
        return None if self.subscription is None else self._push("event_update", change.coin)

    # -- receiving ---------------------------------------------------------

    def hear(self, text: str | None) -> None:
        """Any message keeps the connection alive."""
        self.heard()
        if text == "ping":
            self.pong()
        else:
            self._answer(text)

    def _answer(self, text: str | None) -> None:
        request = parse_request(text)
        if request is None:
            self.send(self._error(WsError("60012", msg=f"Illegal request: {text}")))
            return
        op, args, request_id = request["op"], request.get("args"), request.get("id")
        if op == "login":
            self._login(args)
        elif op in ("subscribe", "unsubscribe"):
            self._channels(op, args, request_id)
        else:
            self.send(self._error(WsError("60012", msg=f"Illegal request: {text}")))

    def _error(self, error: WsError, **extra: object) -> str:
        return frame(**extra, event="error", code=error.code, msg=error.msg, connId=self.conn_id)

    def _login(self, args: object) -> None:
        try:
            account = self._authenticate(args)
        except WsError as error:
            self.send(self._error(error))
            if self.state.faults.ws_close_on_login_error and error.code != "60031":
                self.close(LOGIN_FAILED, "Login Failed")
            return
        self.account = account
        self.send(frame(event="login", code="0", msg="", connId=self.conn_id))

    def _authenticate(self, args: object) -> SimAccount:
        fields = login_fields(args, _LOGIN_FIELDS)
        if fields is None:
            raise WsError("60012")
        if self.account is not None:
            raise WsError("60031")
        state = self.state
        if state.faults.ws_refuse_login:
            raise WsError("60009")
        timestamp = fields["timestamp"]
        if not _SECONDS.fullmatch(timestamp):
            raise WsError("60004")
        if abs(int(timestamp) * 1000 - state.now_ms()) > LOGIN_WINDOW_S * 1000:
            raise WsError("60006")
        if not is_well_formed_key(fields["apiKey"]):
            raise WsError("60005")
        account = state.account_by_key(fields["apiKey"])
        if account is None or account.site != state.site:
            raise WsError("60032")
        if account.demo != self.demo:
            raise WsError.from_rest(OkxError("50101"))
        if not same_text(fields["passphrase"], account.passphrase):
            raise WsError("60024")
        if not matches_any(account.secret_key, fields["sign"], [(timestamp + "GET" + "/users/self/verify").encode()]):
            raise WsError(state.faults.ws_bad_sign_code)
        client = self.websocket.client
        client_ip = client.host if client else ""
        if not ip_allowed(account.ips, client_ip):
            raise WsError.from_rest(OkxError("50110", client_ip))
        return account

    def _channels(self, op: str, args: object, request_id: object) -> None:
        ids = {} if request_id is None else {"id": request_id}
        if self.account is None:
            self.send(self._error(WsError("60011"), **ids))
            return
        if not (isinstance(args, list) and args and all(isinstance(arg, dict) for arg in args)):
            self.send(self._error(WsError("60012"), **ids))
            return
        for arg in args:
            channel = str(arg.get("channel", ""))
            if channel != ACCOUNT_CHANNEL:
                self.send(self._error(WsError("60018", channel), **ids))
            elif op == "unsubscribe":
                self.subscription = None
                self.send(frame(**ids, event="unsubscribe", arg=arg, connId=self.conn_id))
            elif "trading" in self.account.refused_reads:
                self.send(self._error(WsError.from_rest(OkxError("50120")), **ids))
            else:
                self.subscription = arg
                self.send(frame(**ids, event="subscribe", arg=arg, connId=self.conn_id))
                self.send(self._push("snapshot"))

    def _push(self, event_type: str, changed: str | None = None) -> str:
        """The account's trading balance now: every currency (or the subscription's ``ccy``), or only ``changed``."""
        assert self.account is not None and self.subscription is not None, "logged in and subscribed"
        wanted = self.subscription.get("ccy")
        ccys = {str(wanted).upper()} if wanted else None
        if changed is not None and self.state.faults.ws_update_details == "changed":
            ccys = {changed} if ccys is None or changed in ccys else set()
        arg = {"channel": ACCOUNT_CHANNEL, "uid": self.account.uid}
        data = [views.trading_balance(self.state, self.account, ccys)]
        if event_type == "snapshot":
            return frame(arg=arg, eventType=event_type, curPage=1, lastPage=True, data=data)
        return frame(arg=arg, eventType=event_type, data=data)
