"""The async Bitget REST v2/v3 client: signed requests, clock sync, throttling, retries, key checks.

One client serves one key over one keep-alive ``httpx.AsyncClient`` (the shared mechanics are
:class:`exchange_tui.exchanges.toolkit.RestClient`'s). Requests that do not depend on each other
go out together, so a key check costs about one round trip once the clock is synced.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from exchange_tui.exchanges import toolkit
from exchange_tui.exchanges.base import Connection
from exchange_tui.exchanges.bitget import permissions as perms
from exchange_tui.exchanges.bitget.errors import RESYNC_CODES, UTA_READ_MISSING, from_code
from exchange_tui.exchanges.bitget.signing import prehash, query_string, sign
from exchange_tui.exchanges.bitget.spec import DEFAULT_BASE_URL, ID
from exchange_tui.exchanges.errors import (
    AccountModeMismatch,
    ClockSkew,
    ExchangeError,
    PermissionMissing,
    WrongEnvironment,
)
from exchange_tui.exchanges.toolkit import Answer, exact_decimal, optional, outcome, split_ips, unless_refused
from exchange_tui.models import AccountMode, AccountTotal, Balance, BalanceReading, Credentials, KeyReport

FUTURES_PRODUCT_TYPES = ("USDT-FUTURES", "USDC-FUTURES", "COIN-FUTURES")
UNIFIED = "unified"
FUNDING = "funding"
TRADING_ACCOUNTS = {"spot", "futures", UNIFIED}
CLASSIC_ACCOUNT = "40084"
"""v3's answer to a classic account (reference §9): the mode, not an error."""

# Bitget's per-endpoint limits in requests per second (reference §4); public
# ones count per IP, signed ones per UID. Anything unlisted gets the strictest
# documented private limit but one.
RATE_LIMITS: dict[str, tuple[int, float]] = {
    "/api/v2/public/time": (20, 1.0),
    "/api/v2/spot/market/tickers": (20, 1.0),
    "/api/v2/spot/account/info": (1, 1.0),
    "/api/v2/spot/account/assets": (10, 1.0),
    "/api/v2/mix/account/accounts": (10, 1.0),
    "/api/v2/account/all-account-balance": (1, 1.0),
    "/api/v3/account/info": (5, 1.0),
    "/api/v3/account/assets": (20, 1.0),
    "/api/v3/account/funding-assets": (20, 1.0),
}
SUCCESS = "00000"

T = TypeVar("T")


class BitgetClient(toolkit.RestClient):
    """Bitget's REST API for one key (or none, for public calls).

    ``demo_trading`` adds Bitget's ``paptrading: 1`` header for a Demo-trading
    key; :meth:`check_key` corrects it when Bitget says the key is of the other
    kind (40099). ``connection`` gives the environment and the URLs set for the key
    (``base_url`` and ``demo_trading`` override it, for tests and benchmarks).
    """

    NAME = "Bitget"
    EXCHANGE = ID
    RATE_LIMITS = RATE_LIMITS

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        connection: Connection | None = None,
        base_url: str | None = None,
        demo_trading: bool | None = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff_base: float = 0.25,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.connection = connection or Connection()
        super().__init__(
            credentials,
            base_url or self.connection.urls.get("url") or DEFAULT_BASE_URL,
            headers={"locale": "en-US", "Content-Type": "application/json"},
            timeout=timeout,
            max_retries=max_retries,
            backoff_base=backoff_base,
            **({"clock": clock} if clock else {}),
        )
        self.demo_trading = self.connection.demo_trading if demo_trading is None else demo_trading
        self.mode: AccountMode | None = None
        """The account's mode once v3 account info has said it (:meth:`account_mode`)."""

    # -- what is Bitget's own --------------------------------------------

    def target(self, path: str, params: Mapping[str, str] | None) -> str:
        return path + ("?" + query_string(params) if params else "")

    def sign(self, request: httpx.Request) -> None:
        """Signs over the path and query exactly as they go on the wire."""
        credentials = self.credentials
        assert credentials is not None and credentials.passphrase is not None, "Bitget keys have a passphrase"
        timestamp = str(self.timestamp_ms())
        message = prehash(timestamp, request.method, request.url.raw_path.decode("ascii"), request.content.decode())
        request.headers["ACCESS-KEY"] = credentials.api_key.get_secret_value()
        request.headers["ACCESS-SIGN"] = sign(credentials.secret_key, message)
        request.headers["ACCESS-TIMESTAMP"] = timestamp
        request.headers["ACCESS-PASSPHRASE"] = credentials.passphrase.get_secret_value()
        if self.demo_trading:
            request.headers["paptrading"] = "1"

    def resyncs(self, error: ClockSkew) -> bool:
        return error.code in RESYNC_CODES

    def read(self, answer: Answer) -> Any:
        """Bitget's ``data`` from a successful envelope; anything else raised as a typed error."""
        payload = answer.payload
        if isinstance(payload, dict) and str(payload.get("code")) == SUCCESS:
            return payload.get("data")
        bitget = isinstance(payload, dict) and "code" in payload
        if answer.status == 429 or answer.status >= 500 or not bitget:
            raise self.http_error(answer)
        raise from_code(str(payload["code"]), str(payload.get("msg") or payload.get("message") or ""), http_status=answer.status)

    async def fetch_server_time(self) -> int:
        return int((await self._get("/api/v2/public/time", signed=False))["serverTime"])

    async def _get(self, path: str, params: Mapping[str, str] | None = None, *, signed: bool = True) -> Any:
        return await self.request("GET", path, params, signed=signed)

    # -- calls -----------------------------------------------------------

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
        return _unified_permission(await outcome(self._get("/api/v3/account/assets")), "assets")

    async def funding_assets(self) -> list[dict[str, Any]]:
        """The unified account's funding wallet (``/api/v3/account/funding-assets``; UTA management read)."""
        return _unified_permission(await outcome(self._get("/api/v3/account/funding-assets")), None)

    async def account_mode(self) -> AccountMode:
        """The account's mode, asked of v3 once per client: account info answers a unified account, 40084 a classic one."""
        if self.mode is None:
            mode = await outcome(self.unified_account_info())
            self.mode = _mode_of(mode)
        return self.mode

    # -- the key check ---------------------------------------------------

    async def _check_where_it_belongs(self) -> KeyReport:
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
        info, assets, funding, prices = await asyncio.gather(
            outcome(self.unified_account_info()),
            outcome(self.unified_assets()),
            outcome(self.funding_assets()),
            outcome(self.spot_tickers()),
        )
        self.mode = _mode_of(info)
        warnings: list[str] = []
        prices = optional(prices, "prices", warnings, self.NAME) or {}
        if self.mode is AccountMode.CLASSIC:
            return await self._check_classic(prices, warnings)
        assert isinstance(info, dict), "_mode_of raised any other error"
        report = self._report(account_mode=AccountMode.UNIFIED, uid=_uid(info), ips=split_ips(info.get("ips")))
        decoded = perms.decode_unified(str(info.get("permType") or ""), list(info.get("permissions") or []))
        _apply_permissions(report, decoded)
        if not decoded.can_write(perms.UTA_TRADING) and not decoded.read_only:
            report.warnings.append(
                "This key has no UTA trading: bots cannot trade with it. Edit the key on Bitget and enable UTA trading"
            )
        missing = [o for o in (assets, funding) if isinstance(o, PermissionMissing)]
        if missing:
            report.warnings.append(missing[0].hint)
        trading = optional(assets, "the unified account's balances", warnings, self.NAME, PermissionMissing)
        wallet = optional(funding, "the funding wallet", warnings, self.NAME, PermissionMissing)
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
            outcome(self.account_info()),
            outcome(self.spot_assets()),
            outcome(self.account_overview()),
            *(outcome(self.futures_accounts(pt)) for pt in FUTURES_PRODUCT_TYPES),
        )
        if isinstance(info, ExchangeError) and not isinstance(info, PermissionMissing):
            raise info
        report = self._report(account_mode=AccountMode.CLASSIC)
        if isinstance(spot, PermissionMissing):
            warnings.append("Bitget refused spot reads with this key: no spot permission")
        spot_rows = optional(spot, "the spot balances", warnings, self.NAME, PermissionMissing) or []
        futures_rows: list[Balance] = []
        for product_type, rows in zip(FUTURES_PRODUCT_TYPES, futures, strict=True):
            if isinstance(rows, PermissionMissing):
                report.futures_access[product_type] = False
            read = optional(rows, f"{product_type} futures", warnings, self.NAME, PermissionMissing)
            if read is not None:
                report.futures_access[product_type] = True
                futures_rows += _futures_balances(product_type, read)
        futures_refused = bool(report.futures_access) and not any(report.futures_access.values())
        if isinstance(info, ExchangeError):
            report.warnings.append(f"Could not read the key's permissions: {info.hint}")
        else:
            report.uid = _uid(info)
            report.ips = split_ips(info.get("ips"))
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
        report.overview = optional(overview, "the all-account overview", report.warnings, self.NAME, PermissionMissing) or []
        report.total_usdt = total_usdt(report.balances)
        report.warnings.extend(_elsewhere_warning(report.overview))
        return report

    async def _classic_balances(self) -> list[Balance]:
        """Spot and every futures product type, valued; a read refused for a missing permission is left out."""
        spot, prices, *futures = await asyncio.gather(
            outcome(self.spot_assets()),
            outcome(self.spot_tickers()),
            *(outcome(self.futures_accounts(pt)) for pt in FUTURES_PRODUCT_TYPES),
        )
        rows = value_in_usdt(_spot_balances(unless_refused(spot, [])), unless_refused(prices, {}))
        for product_type, entries in zip(FUTURES_PRODUCT_TYPES, futures, strict=True):
            rows += _futures_balances(product_type, unless_refused(entries, []))
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

    def live_balances(self, poll_interval: float) -> AsyncIterator[BalanceReading]:
        from exchange_tui.exchanges.bitget.live import live_balances

        assert self.credentials is not None, "a live stream logs in with a key"
        return live_balances(self, self.credentials, poll_interval=poll_interval)


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


def _unified_permission(outcome: list[dict[str, Any]] | dict[str, Any] | ExchangeError, field: str | None) -> list[dict[str, Any]]:
    """A unified balance read's rows (``data[field]``, or ``data`` itself); a 40014 there means the key lacks
    UTA management (read), whatever Bitget's message says, so it is raised with that advice."""
    if isinstance(outcome, PermissionMissing):
        raise PermissionMissing(outcome.code, outcome.message, UTA_READ_MISSING, http_status=outcome.http_status)
    if isinstance(outcome, ExchangeError):
        raise outcome
    rows = outcome.get(field) if field is not None and isinstance(outcome, dict) else outcome
    return [row for row in rows or [] if isinstance(row, dict)]


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
    """Balances not yet valued (spot, unified) valued in USDT at the last ``COINUSDT`` price."""
    return toolkit.value_in_usdt(balances, lambda coin: prices.get(f"{coin}USDT"))


ACCOUNT_ORDER = ("spot", "usdt-futures", "usdc-futures", "coin-futures", UNIFIED, FUNDING)


def ordered(balances: list[Balance]) -> list[Balance]:
    return toolkit.ordered(balances, ACCOUNT_ORDER)


total_usdt = toolkit.total_usdt


def _elsewhere_warning(overview: list[AccountTotal]) -> list[str]:
    elsewhere = [t for t in overview if t.account not in TRADING_ACCOUNTS and t.usdt_value > 0]
    if not elsewhere:
        return []
    amount = sum((t.usdt_value for t in elsewhere), Decimal(0))
    names = ", ".join(t.account for t in elsewhere)
    return [f"{amount:.2f} USDT more sits in {names}: not counted as trading balance"]
