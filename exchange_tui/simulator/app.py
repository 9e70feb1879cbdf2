"""The simulator's web application: Bitget's REST endpoints, the gateway in front of them, ``/_sim/`` controls.

A request to an API path goes through, in order:

1. the server's bounds (:class:`BodyLimit`), on every HTTP path: the body is read whole, and refused
   when it is over ``ServerLimits.max_body_bytes`` (413) or slower than ``body_timeout_s`` (408);
2. the gateway (:class:`Gateway`): added latency, then one injected fault if a knob asks for one,
   then the overall limit of 6000 requests per minute per client IP (counted before anything else,
   as a gateway in front of the services would);
3. routing: an unknown path or method answers HTTP 404 ``40404 Request URL NOT FOUND``;
4. for signed endpoints, ``auth.authenticate`` and ``auth.authorize`` (their order is in ``auth.py``);
5. the endpoint's own rate limit, per UID for signed endpoints and per client IP for public ones,
   in a sliding one-second window on the server clock (HTTP 429);
6. for POST, ``Content-Type: application/json`` (40007), then the endpoint itself.

The WebSocket paths (``ws.py``) pass both untouched.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict
from starlette.applications import Starlette
from starlette.datastructures import Headers, QueryParams
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange_tui.simulator import views
from exchange_tui.simulator.accounts import PRODUCT_TYPES, SimAccount
from exchange_tui.simulator.auth import (
    FUTURES_READ,
    SPOT_READ,
    UTA_READ,
    WALLET_TRANSFER,
    Api,
    Permission,
    SignedRequest,
    authenticate,
    authorize,
)
from exchange_tui.simulator.errors import BitgetError
from exchange_tui.simulator.limits import ServerLimits
from exchange_tui.simulator.state import SPOT, Fault, RequestArrived, SimulatorState
from exchange_tui.simulator.ws import ws_routes

CONTROL_PREFIX = "/_sim"
SUCCESS = "00000"

_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)
_CUT_SHORT_BODY = b'{"code":"00000","msg":"success","requestTime":'


class ConnectionDropped(Exception):
    """Raised on purpose after a response has started: uvicorn then closes the connection."""


def hide_planned_drops(record: logging.LogRecord) -> bool:
    """A ``logging`` filter for "uvicorn.error": a dropped connection is the fault knob working, not a bug."""
    return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def bitget_response(code: str, msg: str, data: object, now_ms: int, status: int = 200) -> JSONResponse:
    return JSONResponse({"code": code, "msg": msg, "requestTime": now_ms, "data": data}, status_code=status)


def error_response(error: BitgetError, now_ms: int) -> JSONResponse:
    return bitget_response(error.code, error.msg, None, now_ms, error.status)


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


def _is_control(scope: Scope) -> bool:
    return scope["path"].startswith(CONTROL_PREFIX + "/")


def _control_error(message: str, status: int) -> JSONResponse:
    """The control endpoints' refusal, which is theirs and not Bitget's."""
    return JSONResponse({"error": message}, status_code=status)


@dataclass(frozen=True)
class Call:
    """What an endpoint function gets: the state, the query, the raw body and the signing account."""

    state: SimulatorState
    params: QueryParams
    body: bytes
    signed_by: SimAccount | None

    @property
    def account(self) -> SimAccount:
        assert self.signed_by is not None, "public endpoints have no account"
        return self.signed_by


@dataclass(frozen=True)
class Endpoint:
    path: str
    answer: Callable[[Call], object]
    per_second: int
    access: Literal["public"] | Api
    permission: Permission | None = None
    method: str = "GET"


def _server_time(call: Call) -> object:
    return {"serverTime": str(call.state.now_ms())}


def _tickers(call: Call) -> object:
    state = call.state
    now_ms = state.now_ms()
    symbol = call.params.get("symbol", "").upper()
    if not symbol:
        return [ticker.as_bitget(now_ms) for ticker in state.tickers.values()]
    if symbol not in state.tickers:
        raise BitgetError.no_such_value(symbol)
    return [state.tickers[symbol].as_bitget(now_ms)]


def _spot_account_info(call: Call) -> object:
    return views.spot_account_info(call.account)


def _spot_assets(call: Call) -> object:
    asset_type = call.params.get("assetType") or "hold_only"
    if asset_type not in ("hold_only", "all"):
        raise BitgetError.bad_parameter("assetType")
    return views.spot_assets(call.state, call.account, call.params.get("coin") or None, asset_type == "all")


def _futures_accounts(call: Call) -> object:
    product_type = call.params.get("productType", "").upper()
    if not product_type:
        raise BitgetError.empty_parameter("productType")
    if product_type not in PRODUCT_TYPES:
        raise BitgetError.bad_parameter("productType")
    return views.futures_accounts(call.state, call.account, product_type)


def _all_account_balance(call: Call) -> object:
    return views.all_account_balance(call.state, call.account)


_TRANSFER_WALLETS = {
    "spot": SPOT,
    "usdt_futures": "USDT-FUTURES",
    "coin_futures": "COIN-FUTURES",
    "usdc_futures": "USDC-FUTURES",
}
_STABLE_MARGIN = {"USDT-FUTURES": "USDT", "USDC-FUTURES": "USDC"}


def _transfer(call: Call) -> object:
    """Spot <-> futures transfers; Bitget's other wallets (p2p, margin) are not simulated (40020)."""
    try:
        body = json.loads(call.body)
    except ValueError:
        raise BitgetError("40017") from None
    if not isinstance(body, dict):
        raise BitgetError("40017")

    def field(name: str) -> str:
        value = body.get(name)
        if value is None or value == "":
            raise BitgetError.empty_parameter(name)
        return str(value)

    from_type, to_type = field("fromType").lower(), field("toType").lower()
    amount_text, coin = field("amount"), field("coin").upper()
    for name, wallet in (("fromType", from_type), ("toType", to_type)):
        if wallet not in _TRANSFER_WALLETS:
            raise BitgetError.bad_parameter(name)
    if from_type == to_type:
        raise BitgetError.bad_parameter("toType")
    try:
        amount = Decimal(amount_text)
    except InvalidOperation:
        raise BitgetError.bad_parameter("amount") from None
    if not amount.is_finite() or amount <= 0:
        raise BitgetError.bad_parameter("amount")
    wallets = (_TRANSFER_WALLETS[from_type], _TRANSFER_WALLETS[to_type])
    for wallet in wallets:
        stable = _STABLE_MARGIN.get(wallet)
        coin_margined_stable = wallet == "COIN-FUTURES" and coin in _STABLE_MARGIN.values()
        if (stable is not None and coin != stable) or coin_margined_stable:
            raise BitgetError.bad_parameter("coin")
    transfer_id = call.state.transfer(call.account, wallets[0], wallets[1], coin, amount)
    return {"transferId": transfer_id, "clientOid": body.get("clientOid")}


def _unified_assets(call: Call) -> object:
    return views.unified_assets(call.state, call.account)


def _funding_assets(call: Call) -> object:
    return views.funding_assets(call.account, call.params.get("coin") or None)


def _unified_info(call: Call) -> object:
    return views.unified_account_info(call.account)


def _unified_settings(call: Call) -> object:
    return views.unified_settings(call.account)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("/api/v2/public/time", _server_time, 20, "public"),
    Endpoint("/api/v2/spot/market/tickers", _tickers, 20, "public"),
    Endpoint("/api/v2/spot/account/info", _spot_account_info, 1, "classic-info", SPOT_READ),
    Endpoint("/api/v2/spot/account/assets", _spot_assets, 10, "classic", SPOT_READ),
    Endpoint("/api/v2/mix/account/accounts", _futures_accounts, 10, "classic", FUTURES_READ),
    Endpoint("/api/v2/account/all-account-balance", _all_account_balance, 1, "classic"),
    Endpoint("/api/v2/spot/wallet/transfer", _transfer, 10, "classic", WALLET_TRANSFER, method="POST"),
    Endpoint("/api/v3/account/assets", _unified_assets, 20, "unified", UTA_READ),
    Endpoint("/api/v3/account/funding-assets", _funding_assets, 20, "unified", UTA_READ),
    Endpoint("/api/v3/account/info", _unified_info, 5, "unified"),
    Endpoint("/api/v3/account/settings", _unified_settings, 20, "unified", UTA_READ),
)


def _api_route(state: SimulatorState, endpoint: Endpoint) -> Route:
    async def answer(request: Request) -> Response:
        now_ms = state.now_ms()
        body = await request.body()
        ip = client_ip(request.scope)
        try:
            account = None
            limit_key: tuple[str, ...] = ("ip", ip, endpoint.path)
            if endpoint.access != "public":
                scope = request.scope
                signed = SignedRequest(request.method, scope["path"], scope["query_string"], body, request.headers, ip)
                account = authenticate(signed, state.account_by_key, now_ms)
                authorize(account, endpoint.access, endpoint.permission)
                limit_key = ("uid", account.uid, endpoint.path)
            if not state.limiter.allow(limit_key, endpoint.per_second, 1000, now_ms):
                raise BitgetError.too_many_requests()
            if endpoint.method == "POST" and not request.headers.get("content-type", "").startswith("application/json"):
                raise BitgetError("40007")
            data = endpoint.answer(Call(state, request.query_params, body, account))
        except BitgetError as error:
            return error_response(error, now_ms)
        return bitget_response(SUCCESS, "success", data, now_ms)

    return Route(endpoint.path, answer, methods=[endpoint.method])


class Gateway:
    """What stands in front of Bitget's services: latency, injected faults and the per-IP request limit."""

    def __init__(self, app: ASGIApp, state: SimulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_control(scope):
            await self.app(scope, receive, send)
            return
        state = self.state
        query = scope["query_string"].decode("latin-1")
        state.announce(RequestArrived(scope["method"], scope["path"], query, client_ip(scope), state.now_ms()))
        if state.faults.latency_ms:
            await asyncio.sleep(state.faults.latency_ms / 1000)
        fault = state.take_fault(scope["path"])
        if fault is Fault.DROP:
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1024")]})
            await send({"type": "http.response.body", "body": _CUT_SHORT_BODY, "more_body": True})
            raise ConnectionDropped
        now_ms = state.now_ms()
        response: Response | None = None
        if fault is Fault.ERROR_5XX:
            response = HTMLResponse(_BAD_GATEWAY_PAGE, status_code=502)
        elif fault is Fault.RATE_LIMIT:
            response = error_response(BitgetError.too_many_requests(), now_ms)
        elif fault is Fault.MALFORMED:
            response = Response(_CUT_SHORT_BODY, media_type="application/json")
        elif fault is Fault.ANSWER_CODE:
            response = error_response(BitgetError(state.faults.answer_code), now_ms)
        elif not state.limiter.allow(("ip", client_ip(scope)), state.ip_requests_per_minute, 60_000, now_ms):
            response = error_response(BitgetError.too_many_requests(), now_ms)
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)


class BodyLimit:
    """The HTTP server's own bounds on a request body, before anything else sees the request.

    The body is read here, message by message as uvicorn receives it (uvicorn stops reading the
    socket once 64 KiB wait unread), so no more than the limit and one message is ever held, and a
    ``Content-Length`` over the limit is refused before any of the body is read. A refusal closes the
    connection: kept open, uvicorn would go on reading, and dropping, the rest of the body. (A client
    still writing megabytes of body may then see the connection reset before it reads the answer.)
    """

    def __init__(self, app: ASGIApp, state: SimulatorState, limits: ServerLimits) -> None:
        self.app = app
        self.state = state
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read_body(scope, receive)
        except BitgetError as error:
            await self._refusal(scope, error)(scope, receive, send)
            return
        if body is None:
            return
        pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> Message:
            return pending.pop() if pending else await receive()

        await self.app(scope, replay, send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None when the client left first."""
        limit = self.limits.max_body_bytes
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and int(declared) > limit:
            raise BitgetError.content_too_large()
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.limits.body_timeout_s):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        raise BitgetError.content_too_large()
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError:
            raise BitgetError.request_timeout() from None

    def _refusal(self, scope: Scope, error: BitgetError) -> Response:
        if _is_control(scope):
            response = _control_error(error.msg, error.status)
        else:
            response = error_response(error, self.state.now_ms())
        response.headers["connection"] = "close"
        return response


class _BalanceChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    coin: str
    available: Decimal
    frozen: Decimal | None = None
    locked: Decimal | None = None
    wallet: str = SPOT


class _PriceChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    symbol: str
    last: Decimal


def _is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and content_type.partition(";")[0].strip().lower() == "application/json"


async def _control_body(request: Request) -> dict[str, object] | JSONResponse:
    """A control call's arguments: none (a GET, or a POST without a body), or a JSON object sent as
    ``application/json``; else the refusal. Another Content-Type, even on an empty body, or a body
    without one is 415; a body that is not a JSON object is 400, however deep it nests (``json``
    raises ``RecursionError`` past about 1000 levels).
    """
    if request.method != "POST":
        return {}
    raw = await request.body()
    content_type = request.headers.get("content-type")
    if (raw or content_type is not None) and not _is_json(content_type):
        return _control_error("the body must be JSON, sent as Content-Type: application/json", 415)
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return _control_error("the body is not JSON", 400)
    if not isinstance(body, dict):
        return _control_error("the body must be a JSON object", 400)
    return body


def _control_routes(state: SimulatorState) -> list[Route]:
    """Unsigned knobs for the simulator's owner; they answer loopback clients only."""

    def control(handler: Callable[[dict[str, object]], object]) -> Callable[[Request], object]:
        async def endpoint(request: Request) -> Response:
            if not _is_loopback(client_ip(request.scope)):
                return _control_error("the control endpoints answer loopback clients only", 403)
            body = await _control_body(request)
            if isinstance(body, JSONResponse):
                return body
            try:
                return JSONResponse(handler(body))
            except KeyError as error:
                return _control_error(f"unknown {error}", 404)
            except ValueError as error:
                return _control_error(str(error), 400)

        return endpoint

    def faults(changes: dict[str, object]) -> object:
        return state.update_faults(**changes).model_dump()

    def reset(_: dict[str, object]) -> object:
        state.reset()
        return {"reset": True}

    def balance(body: dict[str, object]) -> object:
        change = _BalanceChange.model_validate(body)
        amounts = {"frozen": change.frozen, "locked": change.locked}
        state.set_balance(change.label, change.coin, change.available, wallet=change.wallet, **amounts)
        return {"changed": True}

    def price(body: dict[str, object]) -> object:
        change = _PriceChange.model_validate(body)
        state.set_price(change.symbol, change.last)
        return {"changed": True}

    def add_key(body: dict[str, object]) -> object:
        key = state.add_key(str(body.get("label", "")))
        return key.model_dump(include={"label", "api_key", "secret_key", "passphrase"})

    def delete_key(body: dict[str, object]) -> object:
        state.delete_key(str(body.get("api_key", "")))
        return {"deleted": True}

    def drop_websockets(_: dict[str, object]) -> object:
        state.drop_websockets()
        return {"dropped": True}

    return [
        Route("/faults", control(faults), methods=["GET", "POST"]),
        Route("/reset", control(reset), methods=["POST"]),
        Route("/balance", control(balance), methods=["POST"]),
        Route("/price", control(price), methods=["POST"]),
        Route("/keys", control(add_key), methods=["POST"]),
        Route("/keys/delete", control(delete_key), methods=["POST"]),
        Route("/ws/drop", control(drop_websockets), methods=["POST"]),
    ]


def create_app(state: SimulatorState, limits: ServerLimits | None = None) -> Starlette:
    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(BitgetError.not_found(), state.now_ms())

    app = Starlette(
        routes=[
            *(_api_route(state, e) for e in ENDPOINTS),
            *ws_routes(state),
            Mount(CONTROL_PREFIX, routes=_control_routes(state)),
        ],
        middleware=[
            Middleware(BodyLimit, state=state, limits=limits if limits is not None else ServerLimits()),
            Middleware(Gateway, state=state),
        ],
        exception_handlers={404: not_found, 405: not_found},
    )
    app.router.redirect_slashes = False
    return app
