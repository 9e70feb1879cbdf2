"""The async Bitget REST v2 client: signed requests, clock sync, throttling, retries, key checks.

One client serves one key over one keep-alive ``httpx.AsyncClient``. Requests
that do not depend on each other go out together, so a key check costs about
one round trip once the clock is synced.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import random
import ssl
import time
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import httpx

from exchange_tui.exchanges.bitget import permissions as perms
from exchange_tui.exchanges.bitget.errors import RESYNC_CODES, UTA_READ_MISSING, from_code
from exchange_tui.exchanges.bitget.signing import prehash, query_string, sign
from exchange_tui.exchanges.errors import (
    AccountModeMismatch,
    AuthenticationFailed,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    PermissionMissing,
    RateLimited,
    WrongEnvironment,
)
from exchange_tui.models import AccountMode, AccountTotal, Balance, Credentials, KeyReport

EXCHANGE = "bitget"
DEFAULT_BASE_URL = "https://api.bitget.com"
BASE_URL_ENV = "EXCHANGE_TUI_BITGET_URL"

FUTURES_PRODUCT_TYPES = ("USDT-FUTURES", "USDC-FUTURES", "COIN-FUTURES")
UNIFIED = "unified"
FUNDING = "funding"
TRADING_ACCOUNTS = {"spot", "futures", UNIFIED}
CLASSIC_ACCOUNT = "40084"
"""v3's answer to a classic account (reference §9): the mode, not an error."""

# Bitget's per-endpoint limits in requests per second (reference §4); public
# ones count per IP, signed ones per UID. Anything unlisted gets the strictest
# documented private limit but one.
RATE_LIMITS: dict[str, int] = {
    "/api/v2/public/time": 20,
    "/api/v2/spot/market/tickers": 20,
    "/api/v2/spot/account/info": 1,
    "/api/v2/spot/account/assets": 10,
    "/api/v2/mix/account/accounts": 10,
    "/api/v2/account/all-account-balance": 1,
    "/api/v3/account/info": 5,
    "/api/v3/account/assets": 20,
    "/api/v3/account/funding-assets": 20,
}
DEFAULT_RATE_LIMIT = 5
SUCCESS = "00000"

T = TypeVar("T")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every connection: each new one loads the CA bundle again, about 1 MB apiece."""
    return httpx.create_ssl_context()


def base_url_from_env() -> str:
    return os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL


def exact_decimal(value: Any) -> Decimal:
    """Bitget sends numbers as strings, sometimes empty: exact decimals, empty as zero."""
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


class Throttle:
    """Keeps our own bursts under one endpoint's per-second limit (a sliding one-second window).

    Shared by every client in the process that speaks for the same key (or, for
    public calls, the same host), since Bitget counts per UID and per IP.
    """

    WINDOW = 1.05  # a little over Bitget's second, so network jitter cannot make us look faster

    def __init__(self, per_second: int) -> None:
        self._per_second = per_second
        self._sent: deque[float] = deque()

    async def acquire(self) -> None:
        while True:
            now = time.monotonic()
            while self._sent and self._sent[0] <= now - self.WINDOW:
                self._sent.popleft()
            if len(self._sent) < self._per_second:
                self._sent.append(now)
                return
            await asyncio.sleep(self._sent[0] + self.WINDOW - now)


_THROTTLES: dict[tuple[str, str, str], Throttle] = {}


class _BitgetAuth(httpx.Auth):
    """Signs each request as it is sent, over the path and query exactly as they go on the wire."""

    def __init__(self, client: BitgetClient) -> None:
        self._client = client

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        credentials = self._client.credentials
        timestamp = str(self._client.timestamp_ms())
        message = prehash(timestamp, request.method, request.url.raw_path.decode("ascii"), request.content.decode())
        request.headers["ACCESS-KEY"] = credentials.api_key.get_secret_value()
        request.headers["ACCESS-SIGN"] = sign(credentials.secret_key, message)
        request.headers["ACCESS-TIMESTAMP"] = timestamp
        request.headers["ACCESS-PASSPHRASE"] = credentials.passphrase.get_secret_value()
        if self._client.demo_trading:
            request.headers["paptrading"] = "1"
        yield request


class BitgetClient:
    """Bitget's REST v2 API for one key (or none, for public calls).

    ``demo_trading`` adds Bitget's ``paptrading: 1`` header for a Demo-trading
    key; :meth:`check_key` corrects it when Bitget says the key is of the other
    kind (40099).
    """

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        base_url: str | None = None,
        demo_trading: bool = False,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff_base: float = 0.25,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.base_url = (base_url or base_url_from_env()).rstrip("/")
        self.demo_trading = demo_trading
        self.mode: AccountMode | None = None
        """The account's mode once v3 account info has said it (:meth:`account_mode`)."""
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        self._clock = clock
        self._offset_ms: float | None = None
        self._sync: asyncio.Future[float] | None = None
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"locale": "en-US", "Content-Type": "application/json"},
            verify=tls_context(),
        )

    async def __aenter__(self) -> BitgetClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- clock -----------------------------------------------------------

    @property
    def clock_offset_ms(self) -> float | None:
        """Bitget's clock minus ours, once measured."""
        return self._offset_ms

    def timestamp_ms(self) -> int:
        return int(self._clock() * 1000 + (self._offset_ms or 0))

    async def sync_clock(self) -> float:
        """Measure the offset to Bitget's clock, taking the midpoint of the round trip."""
        sent = self._clock()
        data = await self._get("/api/v2/public/time", signed=False)
        received = self._clock()
        self._offset_ms = int(data["serverTime"]) - (sent + received) / 2 * 1000
        return self._offset_ms

    async def _ensure_clock(self) -> None:
        """Sync once before the first signed call; calls made meanwhile share that one sync (and its failure)."""
        if self._offset_ms is not None:
            return
        if self._sync is None or self._sync.done():
            self._sync = asyncio.ensure_future(self.sync_clock())
        await asyncio.shield(self._sync)

    # -- transport -------------------------------------------------------

    async def _get(self, path: str, params: Mapping[str, str] | None = None, *, signed: bool = True) -> Any:
        target = path + ("?" + query_string(params) if params else "")
        if signed:
            await self._ensure_clock()
        resynced = False
        retries = 0
        while True:
            await self._throttle(path, signed).acquire()
            try:
                return await self._send(target, signed)
            except ClockSkew as error:
                if not signed or resynced or error.code not in RESYNC_CODES:
                    raise
                resynced = True
                await self.sync_clock()
            except ExchangeError as error:
                if not error.retryable or retries >= self._max_retries:
                    raise
                retries += 1
                await asyncio.sleep(self._backoff(retries, rate_limited=isinstance(error, RateLimited)))

    def _backoff(self, attempt: int, *, rate_limited: bool = False) -> float:
        """Exponential backoff with jitter, capped, so retrying clients do not march in step.

        After a 429 the wait is at least Bitget's one-second window (four times the base), spread
        over half a window more: a retry sooner would land in the same full window.
        """
        delay = min(4.0, self._backoff_base * 2 ** (attempt - 1))
        if rate_limited:
            return max(delay, 4 * self._backoff_base) * random.uniform(1.0, 1.5)
        return delay * random.uniform(0.5, 1.0)

    def _throttle(self, path: str, signed: bool) -> Throttle:
        caller = "public"
        if signed and self.credentials is not None:
            caller = hashlib.sha256(self.credentials.api_key.get_secret_value().encode()).hexdigest()
        key = (self.base_url, caller, path)
        if key not in _THROTTLES:
            _THROTTLES[key] = Throttle(RATE_LIMITS.get(path, DEFAULT_RATE_LIMIT))
        return _THROTTLES[key]

    async def _send(self, target: str, signed: bool) -> Any:
        if signed and self.credentials is None:
            raise AuthenticationFailed("40001", "no API key", "This call needs an API key: add one first")
        try:
            response = await self._http.get(target, auth=_BitgetAuth(self) if signed else httpx.USE_CLIENT_DEFAULT)
        except httpx.TimeoutException:
            raise ExchangeUnavailable(
                "timeout", "no answer in time", f"Bitget did not answer in time: check this box's network to {self.base_url}"
            ) from None
        except httpx.ConnectError as error:
            raise ExchangeUnavailable(
                "connect",
                f"cannot connect: {error}",
                f"Cannot reach Bitget at {self.base_url}: check the network, DNS, firewall or proxy",
            ) from None
        except httpx.TransportError:
            raise ExchangeUnavailable(
                "dropped", "the connection was dropped", "The connection to Bitget dropped: try again in a moment"
            ) from None
        return self._unwrap(response)

    def _unwrap(self, response: httpx.Response) -> Any:
        """Bitget's ``data`` from a successful envelope; anything else raised as a typed error."""
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if isinstance(payload, dict) and str(payload.get("code")) == SUCCESS:
            return payload.get("data")
        raise self._error(response.status_code, response.reason_phrase, payload)

    @staticmethod
    def _error(status: int, reason: str, payload: Any) -> ExchangeError:
        bitget = isinstance(payload, dict) and "code" in payload
        code = str(payload["code"]) if bitget else f"http-{status}"
        message = str(payload.get("msg") or payload.get("message") or "") if bitget else reason
        if status == 429:
            return RateLimited("429", message or "Too Many Requests", from_code("429", "").hint, http_status=status)
        if status >= 500:
            return ExchangeUnavailable(code, message, "Bitget is having trouble: try again in a moment", http_status=status)
        if bitget:
            return from_code(code, message, http_status=status)
        if status == 403:
            blocked = ExchangeUnavailable(
                code,
                "refused before reaching Bitget (no Bitget answer)",
                "The network path to Bitget is blocked (a firewall, proxy or region block), not the key",
                http_status=status,
            )
            blocked.retryable = False
            return blocked
        return ExchangeUnavailable(
            "malformed",
            f"HTTP {status} with a reply that is not Bitget's JSON",
            "Bitget answered with something unreadable: try again in a moment",
            http_status=status,
        )

    # -- calls -----------------------------------------------------------

    async def server_time(self) -> int:
        """Bitget's clock in Unix milliseconds."""
        return int((await self._get("/api/v2/public/time", signed=False))["serverTime"])

    async def account_info(self) -> dict[str, Any]:
        """The key's own account: ``userId``, ``authorities`` and ``ips`` (classic accounts)."""
        return await self._get("/api/v2/spot/account/info")

    async def unified_account_info(self) -> dict[str, Any]:
        """The key's own facts on any account (reference §9): ``uid`` (``userId`` in some SDKs), ``ips``,
        ``permType`` and ``permissions`` on a Unified Trading Account; a classic account answers 40084."""
        return await self._get("/api/v3/account/info")

    async def spot_assets(self) -> list[dict[str, Any]]:
        return await self._get("/api/v2/spot/account/assets") or []

    async def futures_accounts(self, product_type: str) -> list[dict[str, Any]]:
        return await self._get("/api/v2/mix/account/accounts", {"productType": product_type}) or []

    async def spot_tickers(self) -> dict[str, Decimal]:
        """Last prices by symbol (``BTCUSDT`` → price)."""
        tickers = await self._get("/api/v2/spot/market/tickers", signed=False) or []
        return {t["symbol"]: exact_decimal(t.get("lastPr")) for t in tickers if t.get("symbol")}

    async def account_overview(self) -> list[AccountTotal]:
        """Bitget's all-account overview: the USDT value of spot, futures, funding, earn, bots, margin."""
        rows = await self._get("/api/v2/account/all-account-balance") or []
        return [AccountTotal(account=r["accountType"], usdt_value=exact_decimal(r.get("usdtBalance"))) for r in rows]

    async def unified_assets(self) -> list[dict[str, Any]]:
        """The unified account's coins (``/api/v3/account/assets``; needs UTA management read)."""
        return _unified_permission(await _outcome(self._get("/api/v3/account/assets")), "assets")

    async def funding_assets(self) -> list[dict[str, Any]]:
        """The unified account's funding wallet (``/api/v3/account/funding-assets``; UTA management read)."""
        return _unified_permission(await _outcome(self._get("/api/v3/account/funding-assets")), None)

    async def account_mode(self) -> AccountMode:
        """The account's mode, asked of v3 once per client: account info answers a unified account, 40084 a classic one."""
        if self.mode is None:
            mode = await _outcome(self.unified_account_info())
            self.mode = _mode_of(mode)
        return self.mode

    # -- the key check ---------------------------------------------------

    async def check_key(self) -> KeyReport:
        """Verify the key and gather one report: connected or not, permissions, warnings, balances.

        Never raises for what the exchange says: a refusal becomes a report with
        ``connected=False`` and the error's code, message and hint.
        """
        try:
            return await self._check_in_either_environment()
        except ExchangeError as error:
            return self._report(connected=False, error=error.info())

    def _report(self, *, connected: bool = True, **fields: Any) -> KeyReport:
        return KeyReport(
            exchange=EXCHANGE, connected=connected, checked_at=datetime.now(UTC), demo_trading=self.demo_trading, **fields
        )

    async def _check_in_either_environment(self) -> KeyReport:
        try:
            return await self._check()
        except WrongEnvironment as error:
            self.demo_trading = not self.demo_trading
            try:
                report = await self._check()
            except ExchangeError:
                self.demo_trading = not self.demo_trading
                raise error from None
        kind = "a Demo-trading key" if self.demo_trading else "a live key, not a Demo-trading one"
        report.warnings.insert(0, f"This is {kind}: its Demo-trading setting was corrected")
        return report

    async def _check(self) -> KeyReport:
        """v3 account info decides: the key's own answer on a unified account, 40084 on a classic one.

        New accounts are unified (reference §9), so a unified account's reads go out with it and
        its check is one round trip; a classic account's reads follow once 40084 has said so. Only
        account info can refuse the key: every other read is optional, and its failure (other than
        an authentication error) is a warning beside the rest of the report.
        """
        await self._ensure_clock()
        info, assets, funding, prices = await asyncio.gather(
            _outcome(self.unified_account_info()),
            _outcome(self.unified_assets()),
            _outcome(self.funding_assets()),
            _outcome(self.spot_tickers()),
        )
        self.mode = _mode_of(info)
        warnings: list[str] = []
        prices = _optional(prices, "prices", warnings) or {}
        if self.mode is AccountMode.CLASSIC:
            return await self._check_classic(prices, warnings)
        assert isinstance(info, dict), "_mode_of raised any other error"
        report = self._report(account_mode=AccountMode.UNIFIED, uid=_uid(info), ips=_split_ips(info.get("ips")))
        decoded = perms.decode_unified(str(info.get("permType") or ""), list(info.get("permissions") or []))
        _apply_permissions(report, decoded)
        if not decoded.can_write(perms.UTA_TRADING) and not decoded.read_only:
            report.warnings.append(
                "This key has no UTA trading: bots cannot trade with it. Edit the key on Bitget and enable UTA trading"
            )
        missing = [o for o in (assets, funding) if isinstance(o, PermissionMissing)]
        if missing:
            report.warnings.append(missing[0].hint)
        trading = _optional(assets, "the unified account's balances", warnings, PermissionMissing)
        wallet = _optional(funding, "the funding wallet", warnings, PermissionMissing)
        report.warnings.extend(warnings)
        report.balances = ordered(unified_balances(trading or [], prices))
        report.total_usdt = total_usdt(report.balances)
        if wallet is not None:
            report.overview = [
                AccountTotal(account=UNIFIED, usdt_value=report.total_usdt),
                AccountTotal(account=FUNDING, usdt_value=total_usdt(unified_balances(wallet, prices, FUNDING))),
            ]
            report.warnings.extend(_elsewhere_warning(report.overview))
        return report

    async def _check_classic(self, prices: dict[str, Decimal], warnings: list[str]) -> KeyReport:
        info, spot, overview, *futures = await asyncio.gather(
            _outcome(self.account_info()),
            _outcome(self.spot_assets()),
            _outcome(self.account_overview()),
            *(_outcome(self.futures_accounts(pt)) for pt in FUTURES_PRODUCT_TYPES),
        )
        if isinstance(info, ExchangeError) and not isinstance(info, PermissionMissing):
            raise info
        report = self._report(account_mode=AccountMode.CLASSIC)
        if isinstance(spot, PermissionMissing):
            warnings.append("Bitget refused spot reads with this key: no spot permission")
        spot_rows = _optional(spot, "the spot balances", warnings, PermissionMissing) or []
        futures_rows: list[Balance] = []
        for product_type, rows in zip(FUTURES_PRODUCT_TYPES, futures, strict=True):
            if isinstance(rows, PermissionMissing):
                report.futures_access[product_type] = False
            read = _optional(rows, f"{product_type} futures", warnings, PermissionMissing)
            if read is not None:
                report.futures_access[product_type] = True
                futures_rows += _futures_balances(product_type, read)
        futures_refused = bool(report.futures_access) and not any(report.futures_access.values())
        if isinstance(info, ExchangeError):
            report.warnings.append(f"Could not read the key's permissions: {info.hint}")
        else:
            report.uid = _uid(info)
            report.ips = _split_ips(info.get("ips"))
            decoded = perms.decode_classic(list(info.get("authorities") or []))
            _apply_permissions(report, decoded)
            futures_refused = futures_refused or not (
                decoded.can_write(perms.FUTURES_ORDERS) and decoded.can_write(perms.FUTURES_HOLDINGS)
            )
        if futures_refused:
            report.warnings.append(
                "Futures Orders and Futures-Holdings are not both enabled read-write: futures bots will be "
                "refused. Edit the key on Bitget and enable both (the guide's futures step)"
            )
        report.warnings.extend(warnings)
        report.balances = ordered(value_in_usdt(_spot_balances(spot_rows), prices) + futures_rows)
        report.overview = _optional(overview, "the all-account overview", report.warnings, PermissionMissing) or []
        report.total_usdt = total_usdt(report.balances)
        report.warnings.extend(_elsewhere_warning(report.overview))
        return report

    async def _classic_balances(self) -> list[Balance]:
        """Spot and every futures product type, valued; a read refused for a missing permission is left out."""
        spot, prices, *futures = await asyncio.gather(
            _outcome(self.spot_assets()),
            _outcome(self.spot_tickers()),
            *(_outcome(self.futures_accounts(pt)) for pt in FUTURES_PRODUCT_TYPES),
        )
        for outcome in (spot, prices, *futures):
            if isinstance(outcome, ExchangeError) and not isinstance(outcome, PermissionMissing):
                raise outcome
        rows = value_in_usdt(_spot_balances(_unless_refused(spot, [])), _unless_refused(prices, {}))
        for product_type, entries in zip(FUTURES_PRODUCT_TYPES, futures, strict=True):
            rows += _futures_balances(product_type, _unless_refused(entries, []))
        return rows

    async def _unified_balances(self) -> list[Balance]:
        assets, prices = await asyncio.gather(self.unified_assets(), self.spot_tickers())
        return unified_balances(assets, prices)

    async def balances(self) -> tuple[list[Balance], Decimal]:
        """Every trading balance with its USDT value, and their total (no permission lookup).

        An account upgraded to unified (or, in tests, served the other way) since the mode was
        learnt answers 40085 or 40084: the mode is asked of v3 again, once.
        """
        try:
            rows = await self._balances_of(await self.account_mode())
        except AccountModeMismatch:
            self.mode = None
            rows = await self._balances_of(await self.account_mode())
        rows = ordered(rows)
        return rows, total_usdt(rows)

    async def _balances_of(self, mode: AccountMode) -> list[Balance]:
        return await (self._unified_balances() if mode is AccountMode.UNIFIED else self._classic_balances())


async def _outcome(call: Awaitable[T]) -> T | ExchangeError:
    """The call's result, or the exchange error it raised (other exceptions propagate)."""
    try:
        return await call
    except ExchangeError as error:
        return error


def _mode_of(info: dict[str, Any] | ExchangeError) -> AccountMode:
    """What v3 account info says of the account: unified if it answers, classic on 40084; any other
    refusal is the key's own and is raised."""
    if isinstance(info, AccountModeMismatch) and info.code == CLASSIC_ACCOUNT:
        return AccountMode.CLASSIC
    if isinstance(info, ExchangeError):
        raise info
    return AccountMode.UNIFIED


def _uid(info: dict[str, Any]) -> str | None:
    """The account's uid: ``uid`` on Bitget's v3 page, ``userId`` on v2 and in some SDKs' v3 (reference §9)."""
    return str(info.get("uid") or info.get("userId") or "") or None


def _optional(outcome: T | ExchangeError, what: str, warnings: list[str], *quiet: type[ExchangeError]) -> T | None:
    """An optional read's result, or ``None`` when it failed: an authentication error is raised (the key
    stopped working), one of the ``quiet`` kinds is the caller's to word, any other is a warning."""
    if not isinstance(outcome, ExchangeError):
        return outcome
    if isinstance(outcome, AuthenticationFailed):
        raise outcome
    if not isinstance(outcome, quiet):
        warnings.append(f"Could not read {what}: {outcome.hint} (Bitget {outcome.code})")
    return None


def _unless_refused(outcome: T | ExchangeError, refused: T) -> T:
    """A read's result, or ``refused`` for one refused for a missing permission (the only error left)."""
    return refused if isinstance(outcome, ExchangeError) else outcome


def _unified_permission(outcome: list[dict[str, Any]] | dict[str, Any] | ExchangeError, field: str | None) -> list[dict[str, Any]]:
    """A unified balance read's rows (``data[field]``, or ``data`` itself); a 40014 there means the key lacks
    UTA management (read), whatever Bitget's message says, so it is raised with that advice."""
    if isinstance(outcome, PermissionMissing):
        raise PermissionMissing(outcome.code, outcome.message, UTA_READ_MISSING, http_status=outcome.http_status)
    if isinstance(outcome, ExchangeError):
        raise outcome
    rows = outcome.get(field) if field is not None and isinstance(outcome, dict) else outcome
    return [row for row in rows or [] if isinstance(row, dict)]


def _split_ips(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(ip).strip() for ip in raw if str(ip).strip()]
    return [ip.strip() for ip in str(raw or "").replace(";", ",").split(",") if ip.strip()]


def _apply_permissions(report: KeyReport, decoded: perms.DecodedPermissions) -> None:
    report.permissions = decoded.words()
    report.read_only = decoded.read_only
    report.can_withdraw = decoded.can_withdraw
    if decoded.can_withdraw:
        report.warnings.append(
            "This key can withdraw funds: a trading bot never needs that. Create a key without Withdraw"
        )
    if decoded.read_only:
        report.warnings.append("This key is read-only: bots cannot trade with it. Bitget's key settings: Read-write")
    if not report.ips:
        report.warnings.append(
            "No IP is bound to this key: anyone who gets it can use it from anywhere. Bind this box's IP on Bitget"
        )


def _spot_balances(rows: list[dict[str, Any]]) -> list[Balance]:
    return [
        Balance(
            account="spot",
            coin=str(r["coin"]).upper(),
            available=exact_decimal(r.get("available")),
            frozen=exact_decimal(r.get("frozen")),
            locked=exact_decimal(r.get("locked")),
        )
        for r in rows
    ]


def _futures_balances(product_type: str, rows: list[dict[str, Any]]) -> list[Balance]:
    return [
        Balance(
            account=product_type.lower(),
            coin=str(r["marginCoin"]).upper(),
            available=exact_decimal(r.get("available")),
            locked=exact_decimal(r.get("locked")),
            usdt_value=exact_decimal(r.get("usdtEquity")),
        )
        for r in rows
        if exact_decimal(r.get("accountEquity")) or exact_decimal(r.get("available")) or exact_decimal(r.get("locked"))
    ]


def unified_balances(rows: list[dict[str, Any]], prices: dict[str, Decimal], account: str = UNIFIED) -> list[Balance]:
    """Unified (or funding) coins valued in USDT at the last price, as spot coins are.

    Bitget's ``usdValue`` is USD, not USDT (its UTA "Get Account Assets" page: "Account equity (USD)";
    reference §9), so it is not used as a USDT figure.
    """
    return value_in_usdt([unified_balance(row, account) for row in rows if row.get("coin")], prices)


def unified_balance(row: dict[str, Any], account: str = UNIFIED) -> Balance:
    """One coin of a unified account, from REST (``debt``) or from the v3 socket (``debts``, ``borrow``; ccxt.pro
    adds the two), or of its funding wallet (``frozen``, no debt)."""
    return Balance(
        account=account,
        coin=str(row["coin"]).upper(),
        available=exact_decimal(row.get("available")),
        frozen=exact_decimal(row.get("frozen")),
        locked=exact_decimal(row.get("locked")),
        debt=sum((exact_decimal(row.get(f)) for f in ("debt", "debts", "borrow")), Decimal(0)),
    )


def value_in_usdt(balances: list[Balance], prices: dict[str, Decimal]) -> list[Balance]:
    """Balances not yet valued (spot, unified) valued in USDT at the last price, debt taken off; no USDT
    market, no value."""
    valued = []
    for b in balances:
        if b.usdt_value is not None:
            valued.append(b)
            continue
        amount = b.available + b.frozen + b.locked - b.debt
        price = Decimal(1) if b.coin == "USDT" else prices.get(f"{b.coin}USDT")
        valued.append(b.model_copy(update={"usdt_value": None if price is None else amount * price}))
    return valued


ACCOUNT_ORDER = ("spot", "usdt-futures", "usdc-futures", "coin-futures", UNIFIED, FUNDING)


def ordered(balances: list[Balance]) -> list[Balance]:
    """One order wherever balances come from (REST or pushes): by account, USDT first, then by coin."""
    rank = {account: i for i, account in enumerate(ACCOUNT_ORDER)}
    return sorted(balances, key=lambda b: (rank.get(b.account, len(rank)), b.coin != "USDT", b.coin))


def total_usdt(balances: list[Balance]) -> Decimal:
    return sum((b.usdt_value for b in balances if b.usdt_value is not None), Decimal(0))


def _elsewhere_warning(overview: list[AccountTotal]) -> list[str]:
    elsewhere = [t for t in overview if t.account not in TRADING_ACCOUNTS and t.usdt_value > 0]
    if not elsewhere:
        return []
    amount = sum((t.usdt_value for t in elsewhere), Decimal(0))
    names = ", ".join(t.account for t in elsewhere)
    return [f"{amount:.2f} USDT more sits in {names}: not counted as trading balance"]
