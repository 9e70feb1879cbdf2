"""The simulated OKX's web application: its v5 REST endpoints behind the core's gateway, ``/_sim/`` controls.

A request to an API path goes through, in order: the server's bounds and the core's gateway
(latency, injected faults, the per-IP bound), routing (an unknown path or method: HTTP 404
``{"code":"404","msg":"Not Found"}``, a shape assumed, OKX's is not in the reference), for signed
endpoints ``auth.authenticate`` then the endpoint's permission (50120, HTTP 200), then the
endpoint's rate limit per User ID (signed) or per IP (public) in its window (50011, HTTP 429;
reference §5), then the endpoint.

Every answer is OKX's envelope ``{"code":"0","msg":"","data":[...]}``: ``code`` a string, ``data``
always a list, numbers as strings (reference §3); refusals carry ``"data":[]``.
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

from exchange_tui.simulator.core import rest
from exchange_tui.simulator.core.control import Arguments, WorldControls, control_mount
from exchange_tui.simulator.core.gateway import exchange_app
from exchange_tui.simulator.core.limits import ServerLimits
from exchange_tui.simulator.okx import market, views
from exchange_tui.simulator.okx.accounts import Permission, SimAccount, Wallet
from exchange_tui.simulator.okx.auth import Realm, SignedRequest, authenticate
from exchange_tui.simulator.okx.errors import OkxError
from exchange_tui.simulator.okx.scenario import sim_key
from exchange_tui.simulator.okx.state import SimulatorState
from exchange_tui.simulator.okx.ws import ws_routes

CUT_SHORT_BODY = b'{"code":"0","msg":"","data":[{"'
WALLET_CODES: dict[str, Wallet] = {"6": "funding", "18": "trading"}
"""``from``/``to`` of a transfer: "6" the funding account, "18" the trading account (DOCS funds transfer)."""


def okx_response(code: str, msg: str, data: list[object], status: int = 200) -> JSONResponse:
    return JSONResponse({"code": code, "msg": msg, "data": data}, status_code=status)


def error_response(error: OkxError) -> JSONResponse:
    return okx_response(error.code, error.msg, [], error.status)


class OkxWording:
    """How OKX answers what the core's gateway refuses and its endpoints answer (``core.rest.RestWording``)."""

    cut_short_body = CUT_SHORT_BODY
    refusal = OkxError

    def refused(self, error: Exception, now_ms: int) -> Response:
        assert isinstance(error, OkxError)
        return error_response(error)

    def answered(self, data: object, now_ms: int) -> Response:
        assert isinstance(data, list)
        return okx_response("0", "", data)

    def too_many_requests(self, now_ms: int) -> Response:
        return error_response(OkxError("50011"))

    def injected(self, code: str, now_ms: int) -> Response:
        return error_response(OkxError(code))

    def body_refused(self, status: int, phrase: str, now_ms: int) -> Response:
        """No OKX code is known for these; they take the envelope with the HTTP status as the code."""
        return okx_response(str(status), phrase, [], status)


Call = rest.Call[SimulatorState, SimAccount]


def _ccys(call: Call) -> set[str] | None:
    """The ``ccy`` filter: comma-separated, "no more than 20" (reference §3); None when absent."""
    text = call.params.get("ccy", "")
    if not text:
        return None
    ccys = {c.strip().upper() for c in text.split(",") if c.strip()}
    if not ccys or len(ccys) > 20:
        raise OkxError("51000", "ccy")
    return ccys


@dataclass(frozen=True)
class Endpoint:
    """One endpoint; ``limit`` requests per ``window_ms`` per IP (public) or User ID (signed), reference §5."""

    path: str
    answer: Callable[[Call], list[object]]
    limit: int
    window_ms: int
    permission: Permission | None
    reads: Wallet | None = None
    method: Literal["GET", "POST"] = "GET"


def _server_time(call: Call) -> list[object]:
    return [{"ts": str(call.state.now_ms())}]


def _spot_only(call: Call) -> None:
    inst_type = call.params.get("instType", "")
    if not inst_type:
        raise OkxError("50014", "instType")
    if inst_type != "SPOT":
        raise OkxError("51000", "instType")


def _tickers(call: Call) -> list[object]:
    """SPOT only: the simulator has no derivatives markets."""
    _spot_only(call)
    now_ms = call.state.now_ms()
    return [market.ticker(inst_id, last, now_ms) for inst_id, last in call.state.prices.items()]


def _instruments(call: Call) -> list[object]:
    """SPOT only, for ccxt's ``load_markets`` with ``options["fetchMarkets"] = {"types": ["spot"]}``."""
    _spot_only(call)
    return [market.instrument(inst_id, last) for inst_id, last in call.state.prices.items()]


def _config(call: Call) -> list[object]:
    return [views.account_config(call.account)]


def _balance(call: Call) -> list[object]:
    return [views.trading_balance(call.state, call.account, _ccys(call))]


def _funding(call: Call) -> list[object]:
    return list(views.funding_balances(call.state, call.account, _ccys(call)))


def _valuation(call: Call) -> list[object]:
    """``ccy`` is the unit, BTC by default (DOCS): USDT, USD or any currency the price table knows."""
    unit = call.params.get("ccy", "BTC").upper()
    unit_usdt = market.USD_PER_USDT if unit == "USD" else call.state.usdt_price(unit)
    if not unit_usdt:
        raise OkxError("51000", "ccy")
    return [views.asset_valuation(call.state, call.account, unit_usdt)]


def _transfer(call: Call) -> list[object]:
    """Funds transfer between the funding ("6") and trading ("18") accounts of the signing key's account;
    ``type`` "0" (within one account) only: sub-account transfers are not simulated."""
    try:
        body = json.loads(call.body)
    except ValueError:
        raise OkxError("50014", "body") from None
    if not isinstance(body, dict):
        raise OkxError("50014", "body")

    def field(name: str) -> str:
        value = body.get(name)
        if value is None or value == "":
            raise OkxError("50014", name)
        return str(value)

    ccy, amount_text, source, target = field("ccy").upper(), field("amt"), field("from"), field("to")
    if str(body.get("type", "0")) != "0":
        raise OkxError("51000", "type")
    for name, code in (("from", source), ("to", target)):
        if code not in WALLET_CODES:
            raise OkxError("51000", name)
    if source == target:
        raise OkxError("51000", "to")
    try:
        amount = Decimal(amount_text)
    except InvalidOperation:
        raise OkxError("51000", "amt") from None
    if not amount.is_finite() or amount <= 0:
        raise OkxError("51000", "amt")
    transfer_id = call.state.transfer(call.account, ccy, amount, WALLET_CODES[source], WALLET_CODES[target])
    return [{"transId": transfer_id, "ccy": ccy, "clientId": str(body.get("clientId", "")), "from": source,
             "amt": amount_text, "to": target}]


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("/api/v5/public/time", _server_time, 10, 2000, None),
    Endpoint("/api/v5/market/tickers", _tickers, 20, 2000, None),
    Endpoint("/api/v5/public/instruments", _instruments, 20, 2000, None),  # DOCS: 20 / 2 s per IP
    Endpoint("/api/v5/account/config", _config, 5, 2000, "read_only"),
    Endpoint("/api/v5/account/balance", _balance, 10, 2000, "read_only", reads="trading"),
    Endpoint("/api/v5/asset/balances", _funding, 6, 1000, "read_only", reads="funding"),
    Endpoint("/api/v5/asset/asset-valuation", _valuation, 1, 1000, "read_only", reads="funding"),
    # Transfer: Trade permission (reference §1, "funding transfer"); 2 / s per User ID is assumed.
    Endpoint("/api/v5/asset/transfer", _transfer, 2, 1000, "trade", method="POST"),
)


def _sign_in(
    state: SimulatorState, endpoint: Endpoint, request: Request, body: bytes, ip: str, now_ms: int
) -> SimAccount | None:
    """Nobody for a public endpoint; else ``auth.authenticate``, then the endpoint's permission (50120)."""
    if endpoint.permission is None:
        return None
    scope = request.scope
    raw_path = scope.get("raw_path") or scope["path"].encode()
    signed = SignedRequest(request.method, raw_path, scope["query_string"], body, request.headers, ip)
    faults = state.faults
    realm = Realm(state.site, now_ms, faults.rest_window_ms, faults.unknown_key_status)
    account = authenticate(signed, state.account_by_key, realm)
    if endpoint.permission not in account.perm or endpoint.reads in account.refused_reads:
        raise OkxError("50120")
    return account


class _BalanceChange(Arguments):
    label: str
    ccy: str
    amount: Decimal
    frozen: Decimal | None = None
    wallet: Wallet = "trading"


class _PriceChange(Arguments):
    inst_id: str
    last: Decimal


class _NewKey(Arguments):
    label: str
    like: str


def _controls(state: SimulatorState) -> WorldControls:
    """OKX's own knobs beside the core's: balances (trading or funding), prices and new keys."""

    def balance(body: dict[str, object]) -> None:
        change = _BalanceChange.model_validate(body)
        state.set_balance(change.label, change.ccy, change.amount, frozen=change.frozen, wallet=change.wallet)

    def price(body: dict[str, object]) -> None:
        change = _PriceChange.model_validate(body)
        state.set_price(change.inst_id, change.last)

    def add_key(body: dict[str, object]) -> object:
        new = _NewKey.model_validate(body)
        key = sim_key(state.add_key(new.label, new.like))
        return {"label": key.label, "api_key": key.api_key, "secret_key": key.secret_key, "passphrase": key.passphrase}

    return WorldControls(balance, price, add_key)


def create_app(state: SimulatorState, limits: ServerLimits | None = None) -> Starlette:
    wording = OkxWording()
    api = [rest.api_route(state, endpoint, wording, _sign_in) for endpoint in ENDPOINTS]
    routes = [*api, *ws_routes(state), control_mount(state, _controls(state))]
    return exchange_app(state, limits, wording, routes, lambda: okx_response("404", "Not Found", [], 404))
