"""The async Binance REST client: two hosts (spot and wallet, USDⓈ-M futures), signed requests, clock
sync with each, throttling, retries, key checks.

One client serves one key. A key check syncs both clocks at once, then reads at once the key's
restrictions (the wallet API, live only), the spot account (uid, balances), the futures balance, the
funding wallet and spot prices: two round trips. A key Binance does not know here is tried once
in each other environment (live, Demo Mode, testnet), and the report says what was corrected.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from exchange_tui.exchanges import toolkit
from exchange_tui.exchanges.base import Connection, Environment
from exchange_tui.exchanges.binance import signing
from exchange_tui.exchanges.binance.errors import (
    AMBIGUOUS,
    RESYNC_CODES,
    from_code,
    likely_causes,
    reordered,
    not_served,
)
from exchange_tui.exchanges.binance.permissions import (
    FUTURES,
    READING,
    SPOT_TRADING,
    UI_NAMES,
    KeyPermissions,
    decode_account_flags,
    decode_restrictions,
)
from exchange_tui.exchanges.binance.spec import HOSTS, ID
from exchange_tui.exchanges.errors import (
    AuthenticationFailed,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    PermissionMissing,
    RateLimited,
    RequestRejected,
)
from exchange_tui.exchanges.toolkit import Answer, exact_decimal, held, optional, outcome, unless_refused
from exchange_tui.models import AccountTotal, Balance, BalanceReading, Credentials, KeyReport, Reason

SERVER_TIME = "/api/v3/time"
FUTURES_TIME = "/fapi/v1/time"
API_RESTRICTIONS = "/sapi/v1/account/apiRestrictions"
ACCOUNT = "/api/v3/account"
FUTURES_BALANCE = "/fapi/v3/balance"
FUNDING = "/sapi/v1/asset/get-funding-asset"
PRICES = "/api/v3/ticker/price"
LISTEN_KEY = "/fapi/v1/listenKey"

KEY_ONLY = (LISTEN_KEY,)
"""Calls that carry the API key but no timestamp or signature (USER_STREAM), under any base path."""

RATE_LIMITS: dict[str, tuple[int, float]] = {
    SERVER_TIME: (20, 1.0),
    FUTURES_TIME: (20, 1.0),
    API_RESTRICTIONS: (10, 1.0),
    ACCOUNT: (5, 1.0),
    FUTURES_BALANCE: (5, 1.0),
    FUNDING: (10, 1.0),
    PRICES: (5, 1.0),
    LISTEN_KEY: (2, 1.0),
}
"""Well under Binance's weights per minute (reference §5: 6000 spot, 12000 per SAPI endpoint, 2400 futures)."""

SPOT = "spot"
USDM = "usdm_futures"
FUNDING_WALLET = "funding"
ACCOUNTS = (SPOT, USDM, FUNDING_WALLET)

ENVIRONMENT_NAMES = {
    Environment.LIVE: "a live key",
    Environment.DEMO: "a Binance Demo Mode key",
    Environment.TESTNET: "a Binance testnet key",
}
ENVIRONMENT_PREFIX = {Environment.LIVE: "", Environment.DEMO: "/demo", Environment.TESTNET: "/testnet"}
"""Where a REST base of our own (a proxy, the simulator) serves each environment."""

T = TypeVar("T")


def environment_of(connection: Connection) -> Environment:
    if connection.testnet:
        return Environment.TESTNET
    return Environment.DEMO if connection.demo_trading else Environment.LIVE


def is_default(url: str | None) -> bool:
    return url is None or any(url.rstrip("/") in (hosts.rest, hosts.futures) for hosts in HOSTS.values())


def rest_urls(environment: Environment, urls: Mapping[str, str]) -> tuple[str, str]:
    """The spot and futures REST bases for an environment.

    Binance's own hosts by environment (reference §6); a base of our own (``url``, ``futures_url``) with
    the environment's path prefix (``…/demo``, ``…/testnet``). Without ``futures_url`` a base of our own
    serves futures too (one simulator, one port).
    """
    spot, futures = urls.get("url"), urls.get("futures_url")
    hosts = HOSTS[environment]
    prefix = ENVIRONMENT_PREFIX[environment]
    spot_url = hosts.rest if is_default(spot) else spot.rstrip("/") + prefix
    if futures is not None and not is_default(futures):
        return spot_url, futures.rstrip("/") + prefix
    return spot_url, (hosts.futures if is_default(spot) else spot_url)


class BinanceRest(toolkit.RestClient):
    """What both of Binance's hosts share: how a request is signed and an answer read."""

    NAME = "Binance"
    EXCHANGE = ID
    RATE_LIMITS = RATE_LIMITS
    DEFAULT_RATE_LIMIT = (5, 1.0)
    TIME_PATH = SERVER_TIME

    def sign(self, request: httpx.Request) -> None:
        """The API key in ``X-MBX-APIKEY``; ``timestamp`` first and ``recvWindow`` last in the query (as ccxt
        sends them), and the signature over that query and the body as they go on the wire."""
        credentials = self.credentials
        assert credentials is not None, "request() refuses a signed call without a key"
        request.headers[signing.API_KEY_HEADER] = credentials.api_key.get_secret_value()
        if request.url.path.endswith(KEY_ONLY):
            return
        query = request.url.query.decode()
        signed = f"timestamp={self.timestamp_ms()}" + (f"&{query}" if query else "") + f"&recvWindow={signing.RECV_WINDOW_MS}"
        try:
            signature = signing.sign(credentials.secret_key, signing.rest_payload(signed, request.content.decode()))
        except signing.UnusableKey as error:
            raise AuthenticationFailed(
                "private-key",
                str(error),
                "The secret is a PEM block this app cannot sign with: paste the key's RSA or Ed25519 private key",
                reason=Reason.SECRET_WRONG,
            ) from None
        request.url = request.url.copy_with(query=f"{signed}&signature={quote(signature, safe='')}".encode())

    def resyncs(self, error: ClockSkew) -> bool:
        return error.code in RESYNC_CODES

    def read(self, answer: Answer) -> Any:
        """The answer itself (Binance has no envelope), or its ``{"code", "msg"}`` refusal as a typed error."""
        payload = answer.payload
        if isinstance(payload, dict) and "code" in payload and "msg" in payload and answer.status >= 400:
            return self._refusal(str(payload["code"]), str(payload["msg"] or ""), answer.status)
        if answer.status == 200 and payload is not None:
            return payload
        if answer.status == 418:
            banned = RateLimited("418", answer.reason, "Binance has banned this IP for a while: try again later", http_status=418)
            banned.retryable = False
            raise banned
        if answer.status == 404:
            raise RequestRejected("404", "not found", f"{self.base_url} does not serve this call", http_status=404)
        raise self.http_error(answer)

    def _refusal(self, code: str, message: str, status: int) -> Any:
        raise from_code(code, message, http_status=status)

    async def fetch_server_time(self) -> int:
        data = await self.request("GET", self.TIME_PATH, signed=False)
        if not isinstance(data, dict) or "serverTime" not in data:
            raise ExchangeUnavailable("malformed", "no serverTime", "Binance answered with something unreadable: try again")
        return int(data["serverTime"])


class FuturesRest(BinanceRest):
    """The USDⓈ-M futures host: its own clock (``/fapi/v1/time``)."""

    TIME_PATH = FUTURES_TIME


class BinanceClient(BinanceRest):
    """Binance's REST API for one key (or none, for public calls): this client is the spot and wallet host,
    :attr:`futures` the USDⓈ-M futures host.

    ``connection`` gives the environment (``testnet``, else ``demo_trading``, else live) and the URLs set
    for the key (:func:`rest_urls`).
    """

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        connection: Connection | None = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff_base: float = 0.25,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.connection = connection or Connection()
        self.environment = environment_of(self.connection)
        spot_url, futures_url = rest_urls(self.environment, self.connection.urls)
        options: dict[str, Any] = {"timeout": timeout, "max_retries": max_retries, "backoff_base": backoff_base}
        if clock:
            options["clock"] = clock
        super().__init__(credentials, spot_url, **options)
        self.futures = FuturesRest(credentials, futures_url, **options)

    @property
    def demo_trading(self) -> bool:
        return self.environment is Environment.DEMO

    @property
    def testnet(self) -> bool:
        return self.environment is Environment.TESTNET

    @property
    def wallet_served(self) -> bool:
        """Whether the environment has the wallet API (SAPI): live only (reference §3)."""
        return self.environment is Environment.LIVE

    def use(self, environment: Environment) -> None:
        self.environment = environment
        spot_url, futures_url = rest_urls(environment, self.connection.urls)
        self.point_at(spot_url)
        self.futures.point_at(futures_url)

    async def aclose(self) -> None:
        await asyncio.gather(super().aclose(), self.futures.aclose())

    async def ensure_clocks(self) -> None:
        """Both hosts' clocks, measured at once; the futures host's failure is its calls' to report."""
        await asyncio.gather(self.ensure_clock(), outcome(self.futures.ensure_clock()))

    # -- calls -----------------------------------------------------------

    async def api_restrictions(self) -> dict[str, Any]:
        """The key's permission flags, ``ipRestrict`` and ``createTime`` (the wallet API)."""
        return _object(await self.request("GET", API_RESTRICTIONS), "the key's restrictions")

    async def account(self) -> dict[str, Any]:
        """The spot account: ``uid``, ``canTrade``/``canWithdraw`` and the coins held."""
        return _object(await self.request("GET", ACCOUNT, {"omitZeroBalances": "true"}), "the spot account")

    async def futures_balances(self) -> list[Balance]:
        rows = await self.futures.request("GET", FUTURES_BALANCE)
        return [b for b in futures_balances(rows) if held(b)]

    async def funding_balances(self) -> list[Balance]:
        return [b for b in funding_balances(await self.request("POST", FUNDING)) if held(b)]

    async def prices(self) -> dict[str, Decimal]:
        """Last prices by symbol (``BTCUSDT`` → price)."""
        rows = await self.request("GET", PRICES, signed=False)
        return {
            str(row["symbol"]): exact_decimal(row.get("price"))
            for row in (rows if isinstance(rows, list) else [])
            if isinstance(row, dict) and row.get("symbol")
        }

    async def new_listen_key(self) -> str:
        """A futures user-data listenKey (Binance returns the active one, extended, if there is one)."""
        data = _object(await self.futures.request("POST", LISTEN_KEY), "a listenKey")
        return str(data["listenKey"])

    async def keep_listen_key(self) -> None:
        await self.futures.request("PUT", LISTEN_KEY)

    # -- the key check ---------------------------------------------------

    async def _check_where_it_belongs(self) -> KeyReport:
        """The key's own environment first; a key Binance does not know there, once in each other one."""
        given = self.environment
        try:
            return await self._check()
        except ExchangeError as error:
            if error.reason not in (Reason.KEY_UNKNOWN, Reason.WRONG_ENVIRONMENT):
                raise
            for other in (env for env in Environment if env is not given):
                self.use(other)
                try:
                    report = await self._check()
                except ExchangeError:
                    continue
                report.warnings.insert(
                    0, f"This is {ENVIRONMENT_NAMES[other]}, not {ENVIRONMENT_NAMES[given]}: its environment was corrected"
                )
                return report
            self.use(given)
            raise error from None

    async def _check(self) -> KeyReport:
        skipped: ExchangeError = RequestRejected("not-served", "no wallet API here", "not served here")
        restrictions, account, futures, funding, prices = await asyncio.gather(
            outcome(self.api_restrictions()) if self.wallet_served else _given(skipped),
            outcome(self.account()),
            outcome(self.futures_balances()),
            outcome(self.funding_balances()) if self.wallet_served else _given(skipped),
            outcome(self.prices()),
        )
        warnings: list[str] = []
        permissions, account = self._key_answer(restrictions, account, warnings)
        if isinstance(futures, ExchangeError):
            causes = likely_causes(wallet_said=None, other_calls_answered=True)
            futures = reordered(futures, causes, permission=UI_NAMES[FUTURES])
        spot_rows = optional(
            account if isinstance(account, ExchangeError) else spot_balances(account),
            "the spot account's balances",
            warnings,
            self.NAME,
        )
        futures_rows = optional(futures, "the USDⓈ-M futures balance", warnings, self.NAME)
        funding_rows = optional(funding, "the funding wallet", warnings, self.NAME) if self.wallet_served else None
        price_of = optional(prices, "prices in USDT", warnings, self.NAME) or {}
        uid = str(account.get("uid") or "") if isinstance(account, dict) else ""
        report = self._report(
            uid=uid or None,
            permissions=permissions.words(),
            read_only=permissions.read_only,
            can_withdraw=permissions.can_withdraw,
            ip_restricted=permissions.ip_restricted,
            expires_at=permissions.trading_lapse,
        )
        if isinstance(futures, PermissionMissing) or futures_rows is not None:
            report.futures_access[USDM] = futures_rows is not None
        report.warnings = self._key_warnings(permissions) + warnings
        for name, rows in ((SPOT, spot_rows), (USDM, futures_rows), (FUNDING_WALLET, funding_rows)):
            if rows is not None:
                valued = value_in_usdt(rows, price_of)
                report.balances += valued
                report.overview.append(AccountTotal(account=name, usdt_value=toolkit.total_usdt(valued)))
        report.balances = ordered(report.balances)
        report.total_usdt = toolkit.total_usdt(report.balances)
        return report

    def _key_answer(
        self,
        restrictions: dict[str, Any] | ExchangeError,
        account: dict[str, Any] | ExchangeError,
        warnings: list[str],
    ) -> tuple[KeyPermissions, dict[str, Any] | ExchangeError]:
        """What decides whether the key works: ``apiRestrictions`` where the wallet API is served, else the
        spot account; a refusal of both is the key's. A -2015 is read in the light of the other answer
        (:func:`likely_causes`)."""
        if isinstance(restrictions, dict):
            if isinstance(account, ExchangeError):
                causes = likely_causes(wallet_said=None, other_calls_answered=True)
                account = reordered(account, causes, permission=UI_NAMES[READING])
            return decode_restrictions(restrictions), account
        if isinstance(account, ExchangeError):
            if self.wallet_served and not not_served(restrictions) and restrictions.code != AMBIGUOUS:
                raise restrictions
            wallet_said = restrictions.code if self.wallet_served else None
            raise reordered(account, likely_causes(wallet_said=wallet_said, other_calls_answered=False))
        if self.wallet_served:
            warnings.append(
                f"Could not read the key's own permissions: {restrictions.hint} (Binance {restrictions.code}); "
                "those shown are the account's (canTrade, canWithdraw)"
            )
        return decode_account_flags(account), account

    def _key_warnings(self, permissions: KeyPermissions) -> list[str]:
        warnings = []
        if permissions.can_withdraw:
            warnings.append(
                "This key can withdraw funds: a trading bot never needs that. Edit the key on Binance and untick "
                "Enable Withdrawals"
            )
        if SPOT_TRADING not in permissions.granted:
            warnings.append(
                "This key cannot trade (Enable Spot & Margin Trading is off): bots cannot trade with it. "
                "Edit the key on Binance and tick it"
            )
        if not self.wallet_served:
            warnings.append(
                f"Binance's {'testnet' if self.testnet else 'Demo Mode'} has no wallet API: the permissions shown are "
                "the account's (canTrade, canWithdraw), not the key's, the funding wallet is not read, and whether "
                "the key is restricted to trusted IPs is not known"
            )
        elif permissions.ip_restricted is None:
            warnings.append("Binance did not say whether this key is restricted to trusted IPs: check it on Binance")
        elif permissions.ip_restricted:
            warnings.append(
                "This key is restricted to trusted IPs; Binance does not show which: check the list on Binance's "
                "API Management page"
            )
        else:
            warnings.append(
                "No IP restriction is set on this key: anyone who gets it can use it from anywhere. On Binance: "
                "Edit restrictions → Restrict access to trusted IPs only, and add this box's IP"
            )
        return warnings

    # -- balances --------------------------------------------------------

    async def balances(self) -> tuple[list[Balance], Decimal]:
        """Spot, USDⓈ-M futures and funding balances with their USDT value, and their total; an account the
        key may not read is left out."""
        account, futures, funding, prices = await asyncio.gather(
            outcome(self.account()),
            outcome(self.futures_balances()),
            outcome(self.funding_balances()) if self.wallet_served else _given([]),
            outcome(self.prices()),
        )
        if isinstance(account, ExchangeError):
            raise account
        if isinstance(prices, ExchangeError):
            raise prices
        futures_rows, funding_rows = (unless_refused(read, [], also=(AMBIGUOUS,)) for read in (futures, funding))
        rows = ordered(value_in_usdt(spot_balances(account) + futures_rows + funding_rows, prices))
        return rows, toolkit.total_usdt(rows)

    def live_balances(self, poll_interval: float) -> AsyncIterator[BalanceReading]:
        from exchange_tui.exchanges.binance.live import live_balances

        return live_balances(self, poll_interval=poll_interval)


# -- reading Binance's answers -------------------------------------------------


async def _given(value: T) -> T:
    return value


def _object(data: Any, what: str) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    raise ExchangeUnavailable("malformed", f"no {what} in Binance's answer", "Binance answered with something unreadable: try again")


def spot_balances(account: Mapping[str, Any]) -> list[Balance]:
    """``/api/v3/account``'s ``balances``: ``free`` and ``locked`` (in orders)."""
    return [
        spot_balance(row["asset"], row.get("free"), row.get("locked"))
        for row in account.get("balances") or []
        if isinstance(row, dict) and row.get("asset")
    ]


def spot_balance(asset: Any, free: Any, locked: Any) -> Balance:
    return Balance(account=SPOT, coin=str(asset).upper(), available=exact_decimal(free), locked=exact_decimal(locked))


def futures_balances(rows: Any) -> list[Balance]:
    """``/fapi/v3/balance``: the wallet ``balance``, of which ``availableBalance`` is free for orders (the
    rest is margin in use)."""
    return [
        futures_balance(row["asset"], row.get("balance"), row.get("availableBalance"))
        for row in (rows if isinstance(rows, list) else [])
        if isinstance(row, dict) and row.get("asset")
    ]


def futures_balance(asset: Any, wallet: Any, available: Any) -> Balance:
    total, free = exact_decimal(wallet), exact_decimal(available)
    free = min(free, total) if total >= 0 else total
    return Balance(account=USDM, coin=str(asset).upper(), available=free, locked=total - free)


def funding_balances(rows: Any) -> list[Balance]:
    """``get-funding-asset``: ``free``, ``locked``, ``freeze`` and ``withdrawing``."""
    return [
        Balance(
            account=FUNDING_WALLET,
            coin=str(row["asset"]).upper(),
            available=exact_decimal(row.get("free")),
            frozen=exact_decimal(row.get("freeze")),
            locked=exact_decimal(row.get("locked")) + exact_decimal(row.get("withdrawing")),
        )
        for row in (rows if isinstance(rows, list) else [])
        if isinstance(row, dict) and row.get("asset")
    ]


def value_in_usdt(balances: list[Balance], prices: Mapping[str, Decimal]) -> list[Balance]:
    """Balances valued in USDT at the last ``{coin}USDT`` price."""
    return toolkit.value_in_usdt(balances, lambda coin: prices.get(f"{coin}USDT"))


def ordered(balances: list[Balance]) -> list[Balance]:
    return toolkit.ordered(balances, ACCOUNTS)
