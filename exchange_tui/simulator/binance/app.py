"""The simulated Binance's web applications: spot + wallet (SAPI) on one port, USDⓈ-M futures on another, as
Binance's hosts are split (``api.binance.com``, ``fapi.binance.com``; reference §3), each behind the core's
gateway, with ``/_sim/`` controls on both. A port serves its environment at the root; the live ports also
serve the paper environment under ``/demo`` (or ``/testnet``), as a proxy in front of both might, for a
client given one base URL: ``url + "/demo/api/v3/account"``, ``futures_url + "/demo/fapi/v3/balance"``,
``/demo/ws-api/v3``, ``/demo/ws/<listenKey>``.

A request to an API path goes through, in order: the server's bounds and the core's gateway
(latency, injected faults, the core's per-IP bound), routing (an unknown path or method: HTTP 404
with an empty body, assumed; SAPI paths on demo and testnet too, unless ``faults.paper_sapi`` is
``served``), the request weight of the IP's minute (-1003: 429, then 418 and a ban; §4, §5), for
signed and API-key endpoints ``auth`` (see there), then the endpoint's permission flag (-2015,
``…, request ip: <ip>`` on futures; §4, §8 (g)), then the endpoint.

Success is the object or list itself, HTTP 200; errors ``{"code": -2015, "msg": "..."}`` (§3 "Envelope").
Every answer carries the weight used: ``X-MBX-USED-WEIGHT-1M`` (spot, futures) or
``X-SAPI-USED-IP-WEIGHT-1M`` (SAPI).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from exchange_tui.simulator.binance import market, views
from exchange_tui.simulator.binance.accounts import Environment, SimAccount, Wallet
from exchange_tui.simulator.binance.auth import Realm, SignedRequest, authenticate, authenticate_key
from exchange_tui.simulator.binance.errors import BinanceError
from exchange_tui.simulator.binance.scenario import sim_key
from exchange_tui.simulator.binance.state import Pool, SimulatorState
from exchange_tui.simulator.binance.ws import futures_ws_routes, ws_api_routes
from exchange_tui.simulator.core.control import Arguments, WorldControls, control_mount
from exchange_tui.simulator.core.gateway import client_ip, exchange_app
from exchange_tui.simulator.core.limits import ServerLimits

CUT_SHORT_BODY = b'{"makerCommission":10,"takerCommission":10,"'
TRANSFER_TYPES: dict[str, tuple[Wallet, Wallet]] = {
    "MAIN_UMFUTURE": ("spot", "futures"),
    "UMFUTURE_MAIN": ("futures", "spot"),
    "MAIN_FUNDING": ("spot", "funding"),
    "FUNDING_MAIN": ("funding", "spot"),
    "FUNDING_UMFUTURE": ("funding", "futures"),
    "UMFUTURE_FUNDING": ("futures", "funding"),
}
"""``POST /sapi/v1/asset/transfer``'s ``type``: spot is ``MAIN``, USDⓈ-M ``UMFUTURE`` (WALLET-DOCS user universal
transfer; not in the reference)."""
Security = Literal["none", "key", "signed"]
Permission = Literal["enable_reading", "enable_futures", "permits_universal_transfer"]


def error_response(error: BinanceError) -> JSONResponse:
    headers = {} if error.retry_after_s is None else {"Retry-After": str(error.retry_after_s)}
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def not_found() -> Response:
    return Response(status_code=404)


class BinanceWording:
    """How Binance answers what the core's gateway refuses (``core.gateway.Wording``)."""

    cut_short_body = CUT_SHORT_BODY

    def too_many_requests(self, now_ms: int) -> Response:
        return error_response(BinanceError(-1003, 6000, retry_after_s=60))

    def injected(self, code: str, now_ms: int) -> Response:
        return error_response(BinanceError(int(code)))

    def body_refused(self, status: int, phrase: str, now_ms: int) -> Response:
        """No Binance code is known for these; they take -1000 with the HTTP status's phrase."""
        return JSONResponse({"code": -1000, "msg": phrase}, status_code=status)


@dataclass(frozen=True)
class Call:
    """What an endpoint function gets: the state, the environment served, the parameters and the key."""

    state: SimulatorState
    environment: Environment
    params: dict[str, str]
    signed_by: SimAccount | None

    @property
    def account(self) -> SimAccount:
        assert self.signed_by is not None, "public endpoints have no key"
        return self.signed_by

    def required(self, name: str) -> str:
        value = self.params.get(name, "")
        if not value:
            raise BinanceError(-1102, name)
        return value


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: its security (§2), weight (§5) in ``pool``, and the key flag it needs."""

    path: str
    answer: Callable[[Call], object]
    weight: int | Callable[[dict[str, str]], int]
    security: Security = "signed"
    permission: Permission | None = None
    method: Literal["GET", "POST", "PUT", "DELETE"] = "GET"

    @property
    def pool(self) -> Pool:
        if self.path.startswith("/sapi/"):
            return "sapi"
        return "futures" if self.path.startswith("/fapi/") else "spot"

    def weight_of(self, params: dict[str, str]) -> int:
        return self.weight if isinstance(self.weight, int) else self.weight(params)


def _time(call: Call) -> object:
    return {"serverTime": call.state.now_ms()}


def _ping(call: Call) -> object:
    return {}


def _exchange_info(call: Call) -> object:
    return market.exchange_info(call.state.now_ms())


def _ticker_weight(params: dict[str, str]) -> int:
    return 2 if params.get("symbol") else 4


def _ticker_price(call: Call) -> object:
    """One symbol (an object), ``symbols`` as a JSON array, or every symbol (reference §3)."""
    prices = call.state.prices
    if symbol := call.params.get("symbol"):
        if symbol not in prices:
            raise BinanceError(-1121)
        return {"symbol": symbol, "price": views.eight(prices[symbol])}
    wanted: list[str] = list(prices)
    if "symbols" in call.params:
        try:
            wanted = json.loads(call.params["symbols"])
        except ValueError:
            raise BinanceError(-1100, "symbols", "^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$") from None
        if not isinstance(wanted, list) or any(s not in prices for s in wanted):
            raise BinanceError(-1121)
    return [{"symbol": s, "price": views.eight(prices[s])} for s in wanted]


def _api_restrictions(call: Call) -> object:
    return views.api_restrictions(call.account)


def _account(call: Call) -> object:
    return views.spot_account(call.state, call.account, call.params.get("omitZeroBalances") == "true")


def _funding(call: Call) -> object:
    asset = call.params.get("asset", "").upper() or None
    return views.funding_assets(call.state, call.account, asset, call.params.get("needBtcValuation") == "true")


def _wallet_balance(call: Call) -> object:
    unit = call.params.get("quoteAsset", "BTC").upper()
    unit_usdt = call.state.usdt_price(unit)
    if not unit_usdt:
        raise BinanceError(-1100, "quoteAsset", "USDT, BTC, ETH, BNB…")
    return views.wallet_balances(call.state, call.account, unit_usdt)


def _transfer(call: Call) -> object:
    kind = call.required("type")
    if kind not in TRANSFER_TYPES:
        raise BinanceError(-1100, "type", ", ".join(TRANSFER_TYPES))
    asset = call.required("asset").upper()
    try:
        amount = Decimal(call.required("amount"))
    except InvalidOperation:
        raise BinanceError(-1100, "amount", "^([0-9]{1,20})(\\.[0-9]{1,20})?$") from None
    if not amount.is_finite() or amount <= 0:
        raise BinanceError(-1100, "amount", "^([0-9]{1,20})(\\.[0-9]{1,20})?$")
    source, target = TRANSFER_TYPES[kind]
    return {"tranId": call.state.transfer(call.account, asset, amount, source, target)}


def _futures_balance(call: Call) -> object:
    return views.futures_balances(call.state, call.account)


def _futures_account(call: Call) -> object:
    return views.futures_account(call.state, call.account)


def _open_listen_key(call: Call) -> object:
    return {"listenKey": call.state.open_listen_key(call.account, call.environment).key}


def _keep_alive(call: Call) -> object:
    return {"listenKey": call.state.keep_alive(call.account, call.environment).key}


def _close_listen_key(call: Call) -> object:
    call.state.close_listen_key(call.account, call.environment)
    return {}


SPOT_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("/api/v3/ping", _ping, 1, "none"),
    Endpoint("/api/v3/time", _time, 1, "none"),
    Endpoint("/api/v3/exchangeInfo", _exchange_info, 20, "none"),
    Endpoint("/api/v3/ticker/price", _ticker_price, _ticker_weight, "none"),
    Endpoint("/api/v3/account", _account, 20, permission="enable_reading"),
    Endpoint("/sapi/v1/account/apiRestrictions", _api_restrictions, 1),
    Endpoint("/sapi/v1/asset/get-funding-asset", _funding, 1, permission="enable_reading", method="POST"),
    Endpoint("/sapi/v1/asset/wallet/balance", _wallet_balance, 60, permission="permits_universal_transfer"),
    # Weight 900 (UID) in WALLET-DOCS; counted here against the endpoint's IP minute.
    Endpoint("/sapi/v1/asset/transfer", _transfer, 900, permission="permits_universal_transfer", method="POST"),
)
FUTURES_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("/fapi/v1/ping", _ping, 1, "none"),
    Endpoint("/fapi/v1/time", _time, 1, "none"),
    Endpoint("/fapi/v1/exchangeInfo", _exchange_info, 1, "none"),
    Endpoint("/fapi/v2/balance", _futures_balance, 5, permission="enable_futures"),
    Endpoint("/fapi/v3/balance", _futures_balance, 5, permission="enable_futures"),
    Endpoint("/fapi/v2/account", _futures_account, 5, permission="enable_futures"),
    Endpoint("/fapi/v3/account", _futures_account, 5, permission="enable_futures"),
    Endpoint("/fapi/v1/listenKey", _open_listen_key, 1, "key", "enable_futures", "POST"),
    Endpoint("/fapi/v1/listenKey", _keep_alive, 1, "key", "enable_futures", "PUT"),
    Endpoint("/fapi/v1/listenKey", _close_listen_key, 1, "key", "enable_futures", "DELETE"),
)


def _api_route(state: SimulatorState, environment: Environment, endpoint: Endpoint) -> Route:
    sapi = endpoint.pool == "sapi"
    weight_header = "X-SAPI-USED-IP-WEIGHT-1M" if sapi else "X-MBX-USED-WEIGHT-1M"

    async def answer(request: Request) -> Response:
        if sapi and environment != "live" and state.faults.paper_sapi == "not_found":
            return not_found()
        now_ms = state.now_ms()
        body = await request.body()
        ip = client_ip(request.scope)
        signed = SignedRequest(request.scope["query_string"], body, request.headers, ip)
        params = signed.params()
        try:
            pool_key = endpoint.path if sapi else endpoint.pool
            used = state.spend_weight(ip, endpoint.pool, pool_key, endpoint.weight_of(params), now_ms)
            account = None
            if endpoint.security != "none":
                realm = Realm(environment, now_ms, sapi, endpoint.pool == "futures", state.faults.recv_window_code)
                check = authenticate if endpoint.security == "signed" else authenticate_key
                account = check(signed, state.account_by_key, realm)
                if endpoint.permission is not None and not getattr(account, endpoint.permission):
                    raise realm.refused(ip)
            data = endpoint.answer(Call(state, environment, params, account))
        except BinanceError as error:
            return error_response(error)
        return JSONResponse(data, headers={weight_header: str(used)})

    return Route(endpoint.path, answer, methods=[endpoint.method])


class _BalanceChange(Arguments):
    label: str
    asset: str
    amount: Decimal
    wallet: Wallet = "spot"


class _PriceChange(Arguments):
    symbol: str
    price: Decimal


class _NewKey(Arguments):
    label: str
    like: str


def _controls(state: SimulatorState) -> WorldControls:
    """Binance's own knobs beside the core's: balances (spot, futures, funding), prices and new keys."""

    def balance(body: dict[str, object]) -> None:
        change = _BalanceChange.model_validate(body)
        state.set_balance(change.label, change.asset, change.amount, wallet=change.wallet)

    def price(body: dict[str, object]) -> None:
        change = _PriceChange.model_validate(body)
        state.set_price(change.symbol, change.price)

    def add_key(body: dict[str, object]) -> object:
        new = _NewKey.model_validate(body)
        key = sim_key(state.add_key(new.label, new.like))
        return {"label": key.label, "api_key": key.api_key, "secret_key": key.secret_key}

    return WorldControls(balance, price, add_key)


def _environment_routes(
    state: SimulatorState, endpoints: tuple[Endpoint, ...], environment: Environment,
    sockets: Callable[[SimulatorState, Environment], list[WebSocketRoute]],
) -> list[BaseRoute]:
    return [*(_api_route(state, environment, e) for e in endpoints), *sockets(state, environment)]


def _app(
    state: SimulatorState, limits: ServerLimits | None, endpoints: tuple[Endpoint, ...], environment: Environment,
    sockets: Callable[[SimulatorState, Environment], list[WebSocketRoute]],
) -> Starlette:
    """``environment`` at the root; every other served environment but live also under ``/demo`` or ``/testnet``."""
    prefixed = [
        Mount(f"/{other}", routes=_environment_routes(state, endpoints, other, sockets))
        for other in state.served_environments().values()
        if other not in (environment, "live")
    ]
    routes = [
        *_environment_routes(state, endpoints, environment, sockets), *prefixed,
        control_mount(state, _controls(state)),
    ]
    return exchange_app(state, limits, BinanceWording(), routes, not_found)


def spot_app(state: SimulatorState, environment: Environment, limits: ServerLimits | None = None) -> Starlette:
    """Spot and wallet (SAPI) REST, and the WebSocket API at ``/ws-api/v3``, of one environment."""
    return _app(state, limits, SPOT_ENDPOINTS, environment, ws_api_routes)


def futures_app(state: SimulatorState, environment: Environment, limits: ServerLimits | None = None) -> Starlette:
    """USDⓈ-M futures REST and the listenKey stream (``/private/ws/<listenKey>``, ``/ws/<listenKey>``)."""
    return _app(state, limits, FUTURES_ENDPOINTS, environment, futures_ws_routes)
