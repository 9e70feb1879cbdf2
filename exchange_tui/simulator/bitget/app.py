"""The simulated Bitget's web application: its REST endpoints behind the core's gateway, ``/_sim/`` controls.

A request to an API path goes through, in order:

1. the server's bounds (``core.gateway.BodyLimit``): 413 or 408 in Bitget's shape;
2. the gateway (``core.gateway.Gateway``): added latency, then one injected fault if a knob asks for one,
   then the overall limit of 6000 requests per minute per client IP;
3. routing: an unknown path or method answers HTTP 404 ``40404 Request URL NOT FOUND``;
4. for signed endpoints, ``auth.authenticate`` and ``auth.authorize`` (their order is in ``auth.py``);
5. the endpoint's own rate limit (``core.rest.api_route``), per UID for signed endpoints and per
   client IP for public ones, in a sliding one-second window on the server clock (HTTP 429);
6. for POST, ``Content-Type: application/json`` (40007), then the endpoint itself.

The WebSocket paths (``ws.py``) pass both untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from exchange_tui.simulator.bitget import views
from exchange_tui.simulator.bitget.accounts import PRODUCT_TYPES, SimAccount
from exchange_tui.simulator.bitget.auth import (
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
from exchange_tui.simulator.bitget.errors import BitgetError
from exchange_tui.simulator.bitget.state import SPOT, SimulatorState
from exchange_tui.simulator.bitget.ws import ws_routes
from exchange_tui.simulator.core import rest
from exchange_tui.simulator.core.control import Arguments, WorldControls, control_mount
from exchange_tui.simulator.core.gateway import exchange_app
from exchange_tui.simulator.core.limits import ServerLimits

SUCCESS = "00000"
CUT_SHORT_BODY = b'{"code":"00000","msg":"success","requestTime":'


def bitget_response(code: str, msg: str, data: object, now_ms: int, status: int = 200) -> JSONResponse:
    return JSONResponse({"code": code, "msg": msg, "requestTime": now_ms, "data": data}, status_code=status)


def error_response(error: BitgetError, now_ms: int) -> JSONResponse:
    return bitget_response(error.code, error.msg, None, now_ms, error.status)


class BitgetWording:
    """How Bitget answers what the core's gateway refuses and its endpoints answer (``core.rest.RestWording``)."""

    cut_short_body = CUT_SHORT_BODY
    refusal = BitgetError

    def refused(self, error: Exception, now_ms: int) -> Response:
        assert isinstance(error, BitgetError)
        return error_response(error, now_ms)

    def answered(self, data: object, now_ms: int) -> Response:
        return bitget_response(SUCCESS, "success", data, now_ms)

    def too_many_requests(self, now_ms: int) -> Response:
        return error_response(BitgetError.too_many_requests(), now_ms)

    def injected(self, code: str, now_ms: int) -> Response:
        return error_response(BitgetError(code), now_ms)

    def body_refused(self, status: int, phrase: str, now_ms: int) -> Response:
        """Bitget documents no code for these; they take the shape of its 429: the HTTP status as the code."""
        return error_response(BitgetError(str(status), phrase, status=status), now_ms)


Call = rest.Call[SimulatorState, SimAccount]


@dataclass(frozen=True)
class Endpoint:
    """One endpoint; ``limit`` requests per second per UID (signed) or client IP (public)."""

    path: str
    answer: Callable[[Call], object]
    limit: int
    access: Literal["public"] | Api
    permission: Permission | None = None
    method: str = "GET"
    window_ms: ClassVar[int] = 1000


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
    """Spot <-> futures transfers; Bitget's other wallets (p2p, margin) are not simulated (40020).
    Like every POST, it takes ``Content-Type: application/json`` only (40007)."""
    if not call.headers.get("content-type", "").startswith("application/json"):
        raise BitgetError("40007")
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


def _sign_in(
    state: SimulatorState, endpoint: Endpoint, request: Request, body: bytes, ip: str, now_ms: int
) -> SimAccount | None:
    """Nobody for a public endpoint; else ``auth.authenticate`` then ``auth.authorize``."""
    if endpoint.access == "public":
        return None
    scope = request.scope
    signed = SignedRequest(request.method, scope["path"], scope["query_string"], body, request.headers, ip)
    account = authenticate(signed, state.account_by_key, now_ms)
    authorize(account, endpoint.access, endpoint.permission)
    return account


class _BalanceChange(Arguments):
    label: str
    coin: str
    available: Decimal
    frozen: Decimal | None = None
    locked: Decimal | None = None
    wallet: str = SPOT


class _PriceChange(Arguments):
    symbol: str
    last: Decimal


def _controls(state: SimulatorState) -> WorldControls:
    """Bitget's own knobs beside the core's: balances, prices and new keys."""

    def balance(body: dict[str, object]) -> None:
        change = _BalanceChange.model_validate(body)
        amounts = {"frozen": change.frozen, "locked": change.locked}
        state.set_balance(change.label, change.coin, change.available, wallet=change.wallet, **amounts)

    def price(body: dict[str, object]) -> None:
        change = _PriceChange.model_validate(body)
        state.set_price(change.symbol, change.last)

    def add_key(body: dict[str, object]) -> object:
        key = state.add_key(str(body.get("label", "")))
        return key.model_dump(include={"label", "api_key", "secret_key", "passphrase"})

    return WorldControls(balance, price, add_key)


def create_app(state: SimulatorState, limits: ServerLimits | None = None) -> Starlette:
    wording = BitgetWording()
    api = [rest.api_route(state, endpoint, wording, _sign_in) for endpoint in ENDPOINTS]
    routes = [*api, *ws_routes(state), control_mount(state, _controls(state))]
    return exchange_app(state, limits, wording, routes, lambda: error_response(BitgetError.not_found(), state.now_ms()))
