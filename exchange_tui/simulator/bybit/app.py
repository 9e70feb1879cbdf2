"""The simulated Bybit's web application for one environment: its v5 REST endpoints behind the core's gateway,
the private WebSocket, and the ``/_sim/`` controls.

A request to an API path goes through, in order: the server's bounds and the core's gateway
(latency, injected faults, the per-IP bound of "600 requests within a 5-second window", §5),
routing (an unknown path or method: HTTP 404 in Bybit's envelope, retCode 404, an assumed shape),
for signed endpoints ``auth.authenticate`` then the endpoint's permission (10005) and its limit per
UID per second (10006, HTTP 200, §5), then the endpoint. Every signed answer carries
``X-Bapi-Limit``, ``X-Bapi-Limit-Status`` (left) and ``X-Bapi-Limit-Reset-Timestamp`` (§5).

Every answer is Bybit's envelope ``{"retCode":0,"retMsg":"OK","result":{...},"retExtInfo":{},"time":ms}``:
``retCode`` a number, numbers in ``result`` as strings (§3); refusals carry ``"result":{}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from exchange_tui.simulator.core import rest
from exchange_tui.simulator.core.control import Arguments, WorldControls, control_mount
from exchange_tui.simulator.core.gateway import client_ip, exchange_app
from exchange_tui.simulator.core.limits import ServerLimits
from exchange_tui.simulator.core.numbers import plain
from exchange_tui.simulator.bybit import market, views
from exchange_tui.simulator.bybit.accounts import AccountType, Environment, SimAccount
from exchange_tui.simulator.bybit.auth import Realm, SignedRequest, authenticate
from exchange_tui.simulator.bybit.errors import BybitError
from exchange_tui.simulator.bybit.scenario import sim_key
from exchange_tui.simulator.bybit.state import SimulatorState
from exchange_tui.simulator.bybit.ws import ws_routes

ACCOUNT_INFO = "/v5/account/info"
CUT_SHORT_BODY = b'{"retCode":0,"retMsg":"OK","result":{"'
ACCOUNT_TYPES: tuple[AccountType, ...] = ("UNIFIED", "FUND")
Access = Literal["public", "read", "transfer"]
"""``read``: any key ("Any permission can access this endpoint", DOCS-KEY); ``transfer``: a read-write key with
Wallet ``AccountTransfer`` (the permission of §1's "Wallet: Account Transfer")."""


def bybit_response(
    code: int, msg: str, result: object, now_ms: int, status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"retCode": code, "retMsg": msg, "result": result, "retExtInfo": {}, "time": now_ms}
    return JSONResponse(body, status_code=status, headers=headers)


def error_response(error: BybitError, now_ms: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return bybit_response(error.code, error.msg, {}, now_ms, error.status, headers)


class BybitWording:
    """How Bybit answers what the core's gateway refuses (``core.gateway.Wording``)."""

    cut_short_body = CUT_SHORT_BODY

    def __init__(self, state: SimulatorState) -> None:
        self.state = state

    def too_many_requests(self, now_ms: int) -> Response:
        """``faults.rate_limit_answer``: 10006 in the envelope (§5, per UID), or the IP ban's HTTP 403 "access too
        frequent" (§5), or HTTP 429 "System level frequency protection" (§4), as plain text (assumed)."""
        answer = self.state.faults.rate_limit_answer
        if answer == "403":
            return PlainTextResponse("access too frequent", status_code=403)
        if answer == "429":
            return PlainTextResponse("System level frequency protection", status_code=429)
        return error_response(BybitError(10006), now_ms)

    def injected(self, code: str, now_ms: int) -> Response:
        return error_response(BybitError(int(code)), now_ms)

    def body_refused(self, status: int, phrase: str, now_ms: int) -> Response:
        """No Bybit code is known for these; they take the envelope with the HTTP status as the code."""
        return bybit_response(status, phrase, {}, now_ms, status)


Call = rest.Call[SimulatorState, SimAccount]
"""What an endpoint function gets (the core's): the state, the query, the raw body, the headers and the key."""


def coins(call: Call) -> set[str] | None:
    """The ``coin`` filter: comma-separated, up to 10 (DOCS-ALLBAL, §3); None when absent."""
    text = call.params.get("coin", "")
    if not text:
        return None
    wanted = {c.strip().upper() for c in text.split(",") if c.strip()}
    if not wanted or len(wanted) > 10:
        raise BybitError(10001)
    return wanted


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: ``per_second`` requests per UID (signed; public ones have the IP bound only, §5)."""

    path: str
    answer: Callable[[Call], object]
    access: Access
    per_second: int = 0
    reads: tuple[AccountType, ...] = ()
    method: Literal["GET", "POST"] = "GET"
    ok: str = "OK"
    """The success ``retMsg``: "OK", "success" or "" as each endpoint's DOCS example shows (§3)."""


def _server_time(call: Call) -> object:
    now_ms = call.state.now_ms()
    return {"timeSecond": str(now_ms // 1000), "timeNano": str(now_ms * 1_000_000)}


def _spot_only(call: Call) -> None:
    """``category`` is required; the simulator has spot markets only."""
    if call.params.get("category", "") != "spot":
        raise BybitError(10001)


def _tickers(call: Call) -> object:
    _spot_only(call)
    symbol = call.params.get("symbol")
    rows = [market.ticker(s, last) for s, last in call.state.prices.items() if symbol in (None, s)]
    return {"category": "spot", "list": rows}


def _instruments(call: Call) -> object:
    """Spot, for ccxt's ``load_markets`` with ``options["fetchMarkets"]["types"] = ["spot"]``; one page."""
    _spot_only(call)
    rows = [market.instrument(s, last) for s, last in call.state.prices.items()]
    return {"category": "spot", "list": rows, "nextPageCursor": ""}


def _query_api(call: Call) -> object:
    return views.query_api(call.state, call.account)


def _account_info(call: Call) -> object:
    return views.account_info(call.state, call.account)


def _wallet_balance(call: Call) -> object:
    """``accountType`` is required and UNIFIED only: "accountType only support UNIFIED account" (§3)."""
    account_type = call.params.get("accountType", "")
    if not account_type:
        raise BybitError(10001)
    if account_type != "UNIFIED":
        raise BybitError(10001, msg="accountType only support UNIFIED account")
    return {"list": [views.unified_wallet(call.state, call.account, coins(call))]}


def _coins_balance(call: Call) -> object:
    """FUND (``coin`` optional, or required with ``faults.fund_coin_required``) or UNIFIED (``coin`` required)."""
    account_type = call.params.get("accountType", "")
    wanted = coins(call)
    if account_type not in ACCOUNT_TYPES:
        raise BybitError(10001)
    if wanted is None and (account_type == "UNIFIED" or call.state.faults.fund_coin_required):
        raise BybitError(10001)
    if account_type == "FUND":
        return views.fund_balance(call.state, call.account, wanted)
    unified = call.state.wallets(call.account.uid).unified
    balance = []
    for coin in sorted(wanted or ()):
        held = unified.get(coin)
        total = held.wallet_balance if held is not None else Decimal(0)
        free = total - held.locked if held is not None else Decimal(0)
        balance.append({"coin": coin, "transferBalance": plain(free), "walletBalance": plain(total), "bonus": ""})
    return {"memberId": call.account.uid, "accountType": "UNIFIED", "balance": balance}


def _asset_overview(call: Call) -> object:
    return views.asset_overview(call.state, call.account)


def _inter_transfer(call: Call) -> object:
    """``POST /v5/asset/transfer/inter-transfer``: ``transferId`` (UUID), ``coin``, ``amount``, ``fromAccountType``
    and ``toAccountType``, UNIFIED or FUND, within the signing key's account (DOCS create-inter-transfer)."""
    try:
        body = json.loads(call.body)
    except ValueError:
        raise BybitError(10001) from None
    if not isinstance(body, dict):
        raise BybitError(10001)
    fields = {name: str(body.get(name) or "") for name in
              ("transferId", "coin", "amount", "fromAccountType", "toAccountType")}
    if not all(fields.values()):
        raise BybitError(10001)
    source, target = fields["fromAccountType"], fields["toAccountType"]
    if source not in ACCOUNT_TYPES or target not in ACCOUNT_TYPES or source == target:
        raise BybitError(10001)
    try:
        amount = Decimal(fields["amount"])
    except InvalidOperation:
        raise BybitError(10001) from None
    if not amount.is_finite() or amount <= 0:
        raise BybitError(10001)
    call.state.transfer(call.account, fields["coin"].upper(), amount, source, target)  # type: ignore[arg-type]
    return {"transferId": fields["transferId"], "status": "SUCCESS"}


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("/v5/market/time", _server_time, "public"),
    Endpoint("/v5/market/tickers", _tickers, "public"),
    Endpoint("/v5/market/instruments-info", _instruments, "public"),
    Endpoint("/v5/user/query-api", _query_api, "read", 10, ok=""),
    Endpoint(ACCOUNT_INFO, _account_info, "read", 50),
    Endpoint("/v5/account/wallet-balance", _wallet_balance, "read", 50, reads=("UNIFIED",)),
    Endpoint("/v5/asset/transfer/query-account-coins-balance", _coins_balance, "read", 5, reads=("FUND",),
             ok="success"),
    Endpoint("/v5/asset/asset-overview", _asset_overview, "read", 50, reads=ACCOUNT_TYPES),
    # No limit is listed for the transfer (§5); 20 / s per UID is assumed.
    Endpoint("/v5/asset/transfer/inter-transfer", _inter_transfer, "transfer", 20, method="POST", ok="success"),
)


def may(account: SimAccount, endpoint: Endpoint) -> bool:
    """Whether the key holds what the endpoint needs (10005 otherwise, §4)."""
    if any(wallet in account.refused_reads for wallet in endpoint.reads):
        return False
    if endpoint.access == "transfer":
        return not account.read_only and "AccountTransfer" in account.permissions.get("Wallet", ())
    return True


def _limit_headers(state: SimulatorState, key: tuple[str, ...], limit: int, now_ms: int) -> dict[str, str]:
    used, reset_ms = state.limiter.window(key, 1000, now_ms)
    return {"X-Bapi-Limit": str(limit), "X-Bapi-Limit-Status": str(max(0, limit - used)),
            "X-Bapi-Limit-Reset-Timestamp": str(reset_ms)}


def not_found(now_ms: int) -> Response:
    return bybit_response(404, "Not Found", {}, now_ms, 404)


def _api_route(state: SimulatorState, environment: Environment, endpoint: Endpoint) -> Route:
    async def answer(request: Request) -> Response:
        now_ms = state.now_ms()
        if environment == "demo" and endpoint.path == ACCOUNT_INFO and not state.faults.demo_account_info:
            return not_found(now_ms)
        body = await request.body()
        scope = request.scope
        headers: dict[str, str] | None = None
        try:
            account = None
            if endpoint.access != "public":
                faults = state.faults
                signed = SignedRequest(request.method, scope["query_string"], body, request.headers, client_ip(scope))
                realm = Realm(environment, now_ms, faults.unknown_key_status, faults.bad_sign_message == "origin")
                account = authenticate(signed, state.account_by_key, realm, state.started_ms)
                if not may(account, endpoint):
                    raise BybitError(10005)
                limit_key = ("uid", account.uid, endpoint.path)
                allowed = state.limiter.allow(limit_key, endpoint.per_second, 1000, now_ms)
                headers = _limit_headers(state, limit_key, endpoint.per_second, now_ms)
                if not allowed:
                    raise BybitError(10006)
            result = endpoint.answer(Call(state, request.query_params, body, request.headers, account))
        except BybitError as error:
            return error_response(error, now_ms, headers)
        return bybit_response(0, endpoint.ok, result, now_ms, headers=headers)

    return Route(endpoint.path, answer, methods=[endpoint.method])


class _BalanceChange(Arguments):
    label: str
    coin: str
    amount: Decimal
    locked: Decimal | None = None
    wallet: AccountType = "UNIFIED"


class _PriceChange(Arguments):
    symbol: str
    last: Decimal


class _NewKey(Arguments):
    label: str
    like: str


def _controls(state: SimulatorState) -> WorldControls:
    """Bybit's own knobs beside the core's: balances (UNIFIED or FUND), prices and new keys."""

    def balance(body: dict[str, object]) -> None:
        change = _BalanceChange.model_validate(body)
        state.set_balance(change.label, change.coin, change.amount, locked=change.locked, wallet=change.wallet)

    def price(body: dict[str, object]) -> None:
        change = _PriceChange.model_validate(body)
        state.set_price(change.symbol, change.last)

    def add_key(body: dict[str, object]) -> object:
        new = _NewKey.model_validate(body)
        key = sim_key(state.add_key(new.label, new.like))
        return {"label": key.label, "api_key": key.api_key, "secret_key": key.secret_key}

    return WorldControls(balance, price, add_key)


def create_app(
    state: SimulatorState, limits: ServerLimits | None = None, environment: Environment | None = None
) -> Starlette:
    """The app of ``environment`` (the state's primary one unless told). With ``faults.demo_account_info = False``
    the demo host answers ``/v5/account/info`` as an unknown path."""
    served = state.environment if environment is None else environment
    routes = [*(_api_route(state, served, e) for e in ENDPOINTS), *ws_routes(state, served),
              control_mount(state, _controls(state))]
    return exchange_app(state, limits, BybitWording(state), routes, lambda: not_found(state.now_ms()))
