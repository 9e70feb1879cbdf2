"""Bitget's WebSocket (reference §5) on the simulator's app: login, the ``account`` channels, ping/pong.

Paths, all on the simulator's one port (``demo`` stands for Bitget's separate demo host)::

    /v2/ws/private          live private socket    (wss://ws.bitget.com/v2/ws/private)
    /v2/ws/public           live public socket     (answers a login with 30003, as Bitget does)
    /demo/v2/ws/private     demo-trading private   (wss://wspap.bitget.com/v2/ws/private)
    /demo/v2/ws/public      demo-trading public
    /v3/ws/private          unified accounts       (wss://ws.bitget.com/v3/ws/private, reference §9)
    /demo/v3/ws/private     unified demo trading   (wss://wspap.bitget.com/v3/ws/private)
    /v3/ws/public, /demo/v3/ws/public

A client that lets "the demo WebSocket URL" be configured points it at ``.../demo/v2/ws/private``.

Every text frame counts against 10 messages per second per connection (the server clock); the
11th is answered with 30007 and the connection is closed. ``ping`` is answered with ``pong``; a
connection that sends no ``ping`` for ``faults.ws_idle_timeout_ms`` (2 minutes) is closed.

Login ``{"op":"login","args":[{apiKey, passphrase, timestamp, sign}]}`` checks, in this order
(the first failing one answers ``{"event":"error","code":N,"msg":...}``), in the order the REST
checks in ``auth.py`` run:

=====  ====================================================================
code   refusal
=====  ====================================================================
30003  login on a public socket (``INVALID op:login``)
30016  ``args`` is not one object
30005  ``faults.ws_refuse_login``
30013  ``timestamp`` is not a whole number of seconds
30014  ``timestamp`` more than 30 s from the server clock (a milliseconds value is far off)
30011  no such key on this host: unknown, or a demo key on live (or a live key on demo)
30012  wrong passphrase
30015  ``sign`` is not ``base64(HMAC-SHA256(secret, timestamp + "GET" + "/user/verify"))``
40018  caller's IP not on the key's whitelist (Bitget documents no WebSocket code for it)
=====  ====================================================================

A success answers ``{"event":"login","code":0,"connId":...}`` (a number, as seen live). After a
refusal the connection is closed, or stays open with ``faults.ws_close_on_login_error = False``.

Subscribe ``{"op":"subscribe","args":[{"instType":..., "channel":"account", "coin":"default"}]}``:
before a login 30004; per arg, an unknown channel or instType 30001, another coin 30016, a unified
account 40085 (its balances are on Bitget's v3 socket, which is not simulated) and a missing read
permission 40014, each with the ``arg``. An accepted arg is acked with ``{"event":"subscribe","arg":...}``
and followed by a ``snapshot`` push; then every balance change of the account pushes again: the
changed coin as an ``update`` on ``SPOT``, every margin coin as a ``snapshot`` on a futures type.
``unsubscribe`` is acked and stops the pushes. :meth:`SimulatorState.drop_websockets` cuts every
connection without a close frame.

The v3 sockets log in the same way and take one channel, ``{"instType":"UTA","topic":"account"}``
(``topic``, not ``channel``; Bitget's UTA "Account Channel" page and ccxt.pro's ``watch_balance`` with
``uta``): a classic account is refused with 40084, a key without UTA management (read) with 40014,
anything else with 30001. The ack is followed by a ``snapshot`` push of every coin held,
``data[0].coin[]``; each later change of the unified wallet pushes a ``snapshot`` too, with every
coin held (``faults.ws_uta_push = "full"``, the coin that changed included even at zero) or only the
coin that changed (``"changed"``): which one Bitget sends is not documented. What the v2 socket does
with a unified account is not documented either; here it refuses its channels with 40085.

A subscribe or unsubscribe with more than ``MAX_CHANNELS`` args is refused whole with 30006 before
any arg is looked at: no connection may hold that many channels, so Bitget could never honour it
(it documents the limit, not its answer). A message over ``ServerLimits.ws_max_message_bytes`` is
not read: uvicorn closes the connection with 1009.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from exchange_tui.simulator.bitget import views
from exchange_tui.simulator.bitget.accounts import PRODUCT_TYPES, SimAccount
from exchange_tui.simulator.bitget.auth import FUTURES_READ, SPOT_READ, TIMESTAMP_WINDOW_MS, UTA_READ
from exchange_tui.simulator.bitget.errors import BitgetError, WsError
from exchange_tui.simulator.bitget.state import SPOT, UNIFIED, SimulatorState
from exchange_tui.simulator.core.allowlist import ip_allowed
from exchange_tui.simulator.core.events import BalanceChanged
from exchange_tui.simulator.core.ratelimit import SlidingWindowLimiter
from exchange_tui.simulator.core.signing import matches_any, same_text
from exchange_tui.simulator.core.websocket import Close, Session, frame, login_fields, parse_request

PRIVATE_PATH = "/v2/ws/private"
PUBLIC_PATH = "/v2/ws/public"
UTA_PRIVATE_PATH = "/v3/ws/private"
UTA_PUBLIC_PATH = "/v3/ws/public"
DEMO_PREFIX = "/demo"
UTA_INST_TYPE = "UTA"
UTA_ARG = {"instType": UTA_INST_TYPE, "topic": "account"}
MESSAGES_PER_SECOND = 10
MAX_CHANNELS = 1000  # "at most 1000 channels per connection" (reference §4, from Bitget's WebSocket intro)
SPOT_INST_TYPE = "SPOT"
_SECONDS = re.compile(r"[0-9]{1,19}")
_LOGIN_FIELDS = ("apiKey", "passphrase", "timestamp", "sign")
_NORMAL_CLOSE = 1000
_GOING_AWAY = 1001
_POLICY_VIOLATION = 1008


_PATHS = (
    (PRIVATE_PATH, True, False),
    (PUBLIC_PATH, False, False),
    (UTA_PRIVATE_PATH, True, True),
    (UTA_PUBLIC_PATH, False, True),
)


def ws_routes(state: SimulatorState) -> list[WebSocketRoute]:
    routes = []
    for prefix, demo in (("", False), (DEMO_PREFIX, True)):
        for path, private, uta in _PATHS:
            routes.append(WebSocketRoute(prefix + path, _endpoint(state, demo=demo, private=private, uta=uta)))
    return routes


def _endpoint(state: SimulatorState, *, demo: bool, private: bool, uta: bool) -> Callable[[WebSocket], Any]:
    async def serve(websocket: WebSocket) -> None:
        await websocket.accept()
        await _Session(state, websocket, demo=demo, private=private, uta=uta).run()

    return serve


def _channel_args(args: object, *, may_be_empty: bool) -> list[dict[str, Any]]:
    """A subscribe's or unsubscribe's ``args``: a list of objects (30016), at most ``MAX_CHANNELS`` long (30006)."""
    if not (isinstance(args, list) and (args or may_be_empty) and all(isinstance(arg, dict) for arg in args)):
        raise WsError(30016)
    if len(args) > MAX_CHANNELS:
        raise WsError(30006)
    return args


def _error_frame(error: WsError, arg: object = None) -> str:
    if arg is None:
        return frame(event="error", code=error.code, msg=error.msg)
    return frame(event="error", arg=arg, code=error.code, msg=error.msg)


class _Session(Session):
    state: SimulatorState
    idle_close = Close(_GOING_AWAY)

    def __init__(self, state: SimulatorState, websocket: WebSocket, *, demo: bool, private: bool, uta: bool) -> None:
        super().__init__(state, websocket)
        self.demo = demo
        self.private = private
        self.uta = uta
        self.limiter = SlidingWindowLimiter()
        self.label: str | None = None
        self.subscriptions: dict[str, dict[str, Any]] = {}

    def wants(self, change: BalanceChanged) -> bool:
        return change.label == self.label

    # -- receiving ---------------------------------------------------------

    def hear(self, text: str | None) -> None:
        """Every message counts against the limit; only a ``ping`` keeps the connection alive."""
        if not self.limiter.allow("messages", MESSAGES_PER_SECOND, 1000, self.state.now_ms()):
            self.send(_error_frame(WsError(30007)))
            self.close(_POLICY_VIOLATION)
        elif text == "ping":
            self.heard()
            self.pong()
        else:
            self._answer(text)

    def _answer(self, text: str | None) -> None:
        request = parse_request(text)
        if request is None:
            self.send(_error_frame(WsError(30002)))
            return
        op, args = request["op"], request.get("args")
        if op == "login":
            self._login(args)
        elif op == "subscribe":
            self._subscribe(args)
        elif op == "unsubscribe":
            self._unsubscribe(args)
        else:
            self.send(_error_frame(WsError(30003)))

    def _login(self, args: object) -> None:
        try:
            account = self._authenticate(args)
        except WsError as error:
            self.send(_error_frame(error))
            if self.state.faults.ws_close_on_login_error:
                self.close(_POLICY_VIOLATION)
            return
        self.label = account.label
        self.send(frame(event="login", code=0, connId=uuid.uuid4().hex))

    def _authenticate(self, args: object) -> SimAccount:
        if not self.private:
            raise WsError(30003, "INVALID op:login")
        fields = login_fields(args, _LOGIN_FIELDS)
        if fields is None:
            raise WsError(30016)
        if self.state.faults.ws_refuse_login:
            raise WsError(30005)
        timestamp = fields["timestamp"]
        if not _SECONDS.fullmatch(timestamp):
            raise WsError(30013)
        if abs(int(timestamp) * 1000 - self.state.now_ms()) > TIMESTAMP_WINDOW_MS:
            raise WsError(30014)
        account = self.state.account_by_key(fields["apiKey"])
        if account is None or account.demo != self.demo:
            raise WsError(30011)
        if not same_text(fields["passphrase"], account.passphrase):
            raise WsError(30012)
        if not matches_any(account.secret_key, fields["sign"], [(timestamp + "GET" + "/user/verify").encode()]):
            raise WsError(30015)
        client = self.websocket.client
        if not ip_allowed(account.ips, client.host if client else ""):
            raise WsError.from_rest(BitgetError("40018"))
        return account

    def _subscribe(self, args: object) -> None:
        if self.label is None:
            self.send(_error_frame(WsError(30004)))
            return
        try:
            channels = _channel_args(args, may_be_empty=False)
        except WsError as error:
            self.send(_error_frame(error))
            return
        for arg in channels:
            try:
                inst_type = self._channel(arg)
            except WsError as error:
                self.send(_error_frame(error, arg))
                continue
            self.subscriptions[inst_type] = arg
            self.send(frame(event="subscribe", arg=arg))
            self.send(self._push(inst_type, "snapshot"))

    def _channel(self, arg: dict[str, Any]) -> str:
        """The instType of an ``account`` channel this session may subscribe to."""
        if self.uta:
            return self._uta_channel(arg)
        inst_type = str(arg.get("instType", ""))
        if not self.private or arg.get("channel") != "account" or inst_type not in (SPOT_INST_TYPE, *PRODUCT_TYPES):
            raise WsError(30001, f"instType:{inst_type},channel:{arg.get('channel')} doesn't exist")
        if arg.get("coin") != "default":
            raise WsError(30016)
        account = self._account()
        if account.mode == "unified":
            raise WsError.from_rest(BitgetError("40085"))
        permission = SPOT_READ if inst_type == SPOT_INST_TYPE else FUTURES_READ
        if not permission.codes & account.permission_codes:
            raise WsError.from_rest(BitgetError.missing_permission(permission.words))
        return inst_type

    def _uta_channel(self, arg: dict[str, Any]) -> str:
        if not self.private or arg != UTA_ARG:
            raise WsError(30001, f"instType:{arg.get('instType')},topic:{arg.get('topic')} doesn't exist")
        account = self._account()
        if account.mode == "classic":
            raise WsError.from_rest(BitgetError("40084"))
        if not UTA_READ.codes & account.permission_codes:
            raise WsError.from_rest(BitgetError.missing_permission(UTA_READ.words))
        return UTA_INST_TYPE

    def _unsubscribe(self, args: object) -> None:
        try:
            channels = _channel_args(args, may_be_empty=True)
        except WsError as error:
            self.send(_error_frame(error))
            return
        for arg in channels:
            self.subscriptions.pop(str(arg.get("instType", "")), None)
            self.send(frame(event="unsubscribe", arg=arg))

    def _account(self) -> SimAccount:
        assert self.label is not None, "logged in"
        return self.state.account(self.label)

    def _push(self, inst_type: str, action: str, coin: str | None = None) -> str:
        """A push of the account's balances as they are now: every coin held, or only ``coin`` (on UTA, as
        ``faults.ws_uta_push`` says)."""
        account = self._account()
        data: list[dict[str, Any]]
        if inst_type == UTA_INST_TYPE:
            only_coin = self.state.faults.ws_uta_push == "changed"
            data = [views.uta_account_channel(self.state, account, coin, only_coin=only_coin)]
        elif inst_type == SPOT_INST_TYPE:
            data = views.spot_assets(self.state, account, coin, every_coin=False)
        else:
            data = views.futures_account_channel(self.state, account, inst_type)
        return frame(action=action, arg=self.subscriptions[inst_type], data=data, ts=self.state.now_ms())

    def change_push(self, change: BalanceChanged) -> str | None:
        inst_type = {SPOT: SPOT_INST_TYPE, UNIFIED: UTA_INST_TYPE}.get(change.wallet, change.wallet)
        if inst_type not in self.subscriptions:
            return None
        if inst_type == SPOT_INST_TYPE:
            return self._push(inst_type, "update", change.coin)
        if inst_type == UTA_INST_TYPE:
            return self._push(inst_type, "snapshot", change.coin)
        return self._push(inst_type, "snapshot")
