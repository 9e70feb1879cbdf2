"""The async Bybit REST v5 client: signed requests, clock sync, throttling, retries, key checks.

One client serves one key over one keep-alive ``httpx.AsyncClient`` (the shared mechanics are
:class:`exchange_tui.exchanges.toolkit.RestClient`'s). A key check is the key's own facts
(``/v5/user/query-api``: permissions, IPs, expiry, uid, unified or not), the unified wallet, the funding
wallet and the spot prices, all at once: one round trip once the clock is synced.

Bybit's environments (mainnet, demo trading, testnet) are separate hosts whose keys work nowhere else, and
a key of another environment gets the same 10003 as an unknown key (reference §6): on 10003 the check tries
the other environments' hosts once each.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from exchange_tui.exchanges import toolkit
from exchange_tui.exchanges.base import Connection, Environment
from exchange_tui.exchanges.bybit import signing
from exchange_tui.exchanges.bybit.errors import (
    CLOCK,
    ENVIRONMENT_NAMES,
    HTTP_UNAUTHORIZED,
    PARAMS,
    environment_hint,
    from_code,
    is_key_invalid,
)
from exchange_tui.exchanges.bybit.permissions import KeyPermissions, account_mode, bound_ips, decode, expires_at
from exchange_tui.exchanges.bybit.spec import ID, REST_HOSTS, REST_SETTINGS, environment_of
from exchange_tui.exchanges.errors import (
    AuthenticationFailed,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    RequestRejected,
)
from exchange_tui.exchanges.toolkit import Answer, exact_decimal, held, optional, outcome, unless_refused
from exchange_tui.models import AccountMode, AccountTotal, Balance, BalanceReading, Credentials, KeyReport, Reason

SERVER_TIME = "/v5/market/time"
TICKERS = "/v5/market/tickers"
KEY_INFO = "/v5/user/query-api"
WALLET_BALANCE = "/v5/account/wallet-balance"
FUNDING_BALANCES = "/v5/asset/transfer/query-account-coins-balance"

RATE_LIMITS: dict[str, tuple[int, float]] = {
    SERVER_TIME: (600, 5.0),
    TICKERS: (600, 5.0),
    KEY_INFO: (10, 1.0),
    WALLET_BALANCE: (50, 1.0),
    FUNDING_BALANCES: (5, 1.0),
}
"""Bybit's limits (reference §5): signed calls per UID a second, public ones per IP (600 in 5 s)."""

FUNDING_COINS = "USDT,USDC,BTC,ETH,SOL,XRP,MNT,DOGE,TON,TRX"
"""The coins asked for where Bybit wants ``coin`` for the funding wallet (the docs disagree, reference §3)."""

UNIFIED = "unified"
FUNDING = "funding"
ACCOUNTS = (UNIFIED, FUNDING)
ENVIRONMENTS = (Environment.LIVE, Environment.DEMO, Environment.TESTNET)

def rest_url(environment: Environment, urls: Mapping[str, str]) -> str:
    """An environment's REST base: its own setting (``url``, ``demo_url``, ``testnet_url``) if set; else a
    ``url`` that is not Bybit's mainnet (a proxy, the simulator) serves every environment; else Bybit's host."""
    chosen = urls.get(REST_SETTINGS[environment])
    if chosen:
        return chosen.rstrip("/")
    custom = (urls.get("url") or "").rstrip("/")
    if custom and custom != REST_HOSTS[Environment.LIVE]:
        return custom
    return REST_HOSTS[environment]


class BybitClient(toolkit.RestClient):
    """Bybit's REST API for one key (or none, for public calls).

    ``connection`` gives the environment (``demo_trading``, ``testnet``) and the URLs set for the key; the
    environment's REST base is :func:`rest_url`'s (``base_url`` overrides it, for tests and benchmarks).
    """

    NAME = "Bybit"
    EXCHANGE = ID
    RATE_LIMITS = RATE_LIMITS
    DEFAULT_RATE_LIMIT = (5, 1.0)

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        connection: Connection | None = None,
        base_url: str | None = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff_base: float = 0.25,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.connection = connection or Connection()
        self.environment = environment_of(self.connection)
        super().__init__(
            credentials,
            base_url or rest_url(self.environment, self.connection.urls),
            headers={"Content-Type": "application/json"},
            timeout=timeout,
            max_retries=max_retries,
            backoff_base=backoff_base,
            **({"clock": clock} if clock else {}),
        )

    @property
    def demo_trading(self) -> bool:
        return self.environment is Environment.DEMO

    @property
    def testnet(self) -> bool:
        return self.environment is Environment.TESTNET

    def _move_to(self, environment: Environment, base_url: str) -> None:
        """Point the client at another environment's host (its clock is measured again)."""
        self.environment = environment
        self.point_at(base_url)

    # -- what is Bybit's own -----------------------------------------------

    def sign(self, request: httpx.Request) -> None:
        """Signs over the query exactly as it goes on the wire (GET), or the body as sent."""
        credentials = self.credentials
        assert credentials is not None, "request() refuses a signed call without a key"
        payload = request.url.query.decode("ascii") if request.method == "GET" else request.content.decode()
        try:
            request.headers.update(
                signing.headers(credentials.api_key.get_secret_value(), credentials.secret_key, self.timestamp_ms(), payload)
            )
        except signing.BadPrivateKey as error:
            raise AuthenticationFailed(
                "bad-private-key",
                str(error),
                "The secret looks like a PEM private key but is not a readable RSA one: paste the whole "
                "unencrypted private key of this self-generated key, from -----BEGIN to -----END",
                reason=Reason.SECRET_WRONG,
            ) from None

    def target(self, path: str, params: Mapping[str, str] | None) -> str:
        """The query in the order given, commas kept as they are (``coin=USDT,BTC``), as ccxt sends it."""
        return path + ("?" + urlencode(params, safe=",", quote_via=quote) if params else "")

    def resyncs(self, error: ClockSkew) -> bool:
        return error.code == CLOCK

    def read(self, answer: Answer) -> Any:
        """Bybit's ``result`` from a successful envelope; anything else raised as a typed error.

        Bybit answers its refusals with HTTP 200 and a ``retCode`` (10003 sometimes with 401): those are read by
        their code. A 401 without Bybit's body is the key refused; a 403 without it is Bybit's IP ban or region
        block; a 429 or 5xx without it, or anything that is not Bybit's JSON, is the way there failing.
        """
        payload = answer.payload
        bybit = isinstance(payload, dict) and "retCode" in payload
        if bybit and str(payload["retCode"]) == "0":
            return payload.get("result") or {}
        if bybit:
            raise from_code(str(payload["retCode"]), str(payload.get("retMsg") or ""), http_status=answer.status)
        if answer.status == 401:
            raise from_code(HTTP_UNAUTHORIZED, answer.reason or "Unauthorized", http_status=401)
        if answer.status == 403:
            blocked = ExchangeUnavailable(
                "http-403",
                answer.reason or "Forbidden",
                "Bybit refused this computer's IP (HTTP 403): after more than 600 requests in 5 s it bans the IP for "
                "10 minutes, and it serves no IP in the US or mainland China. Wait 10 minutes, or connect from elsewhere",
                http_status=403,
            )
            blocked.retryable = False
            raise blocked
        raise self.http_error(answer)

    async def fetch_server_time(self) -> int:
        result = await self._get(SERVER_TIME, signed=False)
        nano = str(result.get("timeNano") or "") if isinstance(result, dict) else ""
        seconds = str(result.get("timeSecond") or "") if isinstance(result, dict) else ""
        if nano.isdigit():
            return int(nano) // 1_000_000
        if seconds.isdigit():
            return int(seconds) * 1000
        raise ExchangeUnavailable("malformed", "no time in Bybit's answer", "Bybit answered with something unreadable: try again")

    async def _get(self, path: str, params: Mapping[str, str] | None = None, *, signed: bool = True) -> Any:
        return await self.request("GET", path, params, signed=signed)

    # -- calls -----------------------------------------------------------

    async def key_info(self) -> dict[str, Any]:
        """The key's own facts: ``readOnly``, ``permissions``, ``ips``, ``expiredAt``/``deadlineDay``, ``uta``,
        ``userID``, ``isMaster``/``parentUid``."""
        result = await self._get(KEY_INFO)
        if not isinstance(result, dict) or not result:
            raise ExchangeUnavailable("malformed", "no key info in Bybit's answer", "Bybit answered with something unreadable: try again")
        return result

    async def unified_balances(self) -> list[Balance]:
        """The unified trading account's coins (Bybit lists only those it holds, but may list one at zero)."""
        return [b for b in unified_balances(await self._get(WALLET_BALANCE, {"accountType": "UNIFIED"})) if held(b)]

    async def funding_balances(self) -> list[Balance]:
        """The funding wallet's coins (Bybit pushes none of them: poll). Where Bybit wants the coins named,
        the common ones are asked for."""
        try:
            result = await self._get(FUNDING_BALANCES, {"accountType": "FUND"})
        except RequestRejected as error:
            if error.code != PARAMS:
                raise
            result = await self._get(FUNDING_BALANCES, {"accountType": "FUND", "coin": FUNDING_COINS})
        return [b for b in funding_balances(result) if held(b)]

    async def spot_tickers(self) -> dict[str, Decimal]:
        """Last spot prices by symbol (``BTCUSDT`` → price)."""
        result = await self._get(TICKERS, {"category": "spot"}, signed=False)
        rows = result.get("list") if isinstance(result, dict) else None
        return {
            str(t["symbol"]): exact_decimal(t.get("lastPrice"))
            for t in rows or []
            if isinstance(t, dict) and t.get("symbol")
        }

    # -- the key check ---------------------------------------------------

    async def _check_where_it_belongs(self) -> KeyReport:
        """The check where the key was added; on 10003, once on each other environment's own host."""
        try:
            return await self._check()
        except ExchangeError as error:
            if not is_key_invalid(error):
                raise
            refused = error
        added, added_url = self.environment, self.base_url
        tried = [added]
        for environment in ENVIRONMENTS:
            url = rest_url(environment, self.connection.urls)
            if environment is added or url == added_url:
                continue
            tried.append(environment)
            self._move_to(environment, url)
            try:
                report = await self._check()
            except ExchangeError:
                continue
            report.warnings.insert(
                0,
                f"This is a key of {ENVIRONMENT_NAMES[environment]}, not of {ENVIRONMENT_NAMES[added]}: "
                "its environment was corrected",
            )
            return report
        self._move_to(added, added_url)
        raise AuthenticationFailed(
            refused.code, refused.message, environment_hint(added, tried), http_status=refused.http_status
        ) from None

    async def _check(self) -> KeyReport:
        """The key's facts decide: their refusal is the key's. Every other read is optional: its failure (other
        than an authentication error) is a warning naming what could not be read."""
        info, unified, funding, prices = await asyncio.gather(
            outcome(self.key_info()),
            outcome(self.unified_balances()),
            outcome(self.funding_balances()),
            outcome(self.spot_tickers()),
        )
        if isinstance(info, ExchangeError):
            raise info
        warnings: list[str] = []
        unified_rows = optional(unified, "the unified trading account's balances", warnings, self.NAME)
        funding_rows = optional(funding, "the funding wallet's balances", warnings, self.NAME)
        price_of = optional(prices, "prices in USDT", warnings, self.NAME) or {}
        permissions = decode(info)
        report = self._report(
            uid=str(info.get("userID") or "") or None,
            account_mode=account_mode(info),
            permissions=permissions.words(),
            read_only=permissions.read_only,
            can_withdraw=permissions.can_withdraw,
            ips=bound_ips(info),
            expires_at=expires_at(info),
        )
        report.warnings = key_warnings(report, permissions, info) + warnings
        for account, rows in ((UNIFIED, unified_rows), (FUNDING, funding_rows)):
            if rows is not None:
                valued = value_in_usdt(rows, price_of)
                report.balances += valued
                report.overview.append(AccountTotal(account=account, usdt_value=total_usdt(valued)))
        report.balances = ordered(report.balances)
        report.total_usdt = total_usdt(report.balances)
        return report

    # -- balances --------------------------------------------------------

    async def balances(self) -> tuple[list[Balance], Decimal]:
        """The unified and funding balances with their USDT value, and their total; an account the key may not
        read is left out."""
        unified, funding, prices = await asyncio.gather(
            outcome(self.unified_balances()), outcome(self.funding_balances()), outcome(self.spot_tickers())
        )
        rows = unless_refused(unified, []) + unless_refused(funding, [])
        if isinstance(prices, ExchangeError):
            raise prices
        rows = ordered(value_in_usdt(rows, prices))
        return rows, total_usdt(rows)

    def live_balances(self, poll_interval: float) -> AsyncIterator[BalanceReading]:
        from exchange_tui.exchanges.bybit.live import live_balances

        return live_balances(self, poll_interval=poll_interval)


# -- the report's warnings ----------------------------------------------------


def key_warnings(report: KeyReport, permissions: KeyPermissions, info: Mapping[str, Any]) -> list[str]:
    """What a person should know of a key that works: withdrawals, no trading, no IP, whose it is (its expiry is
    the spec's rule, which the service words)."""
    warnings = []
    if permissions.can_withdraw:
        warnings.append("This key can withdraw funds: a trading bot never needs that. Create a key without Withdrawal")
    if permissions.read_only:
        warnings.append("This key is Read-Only: bots cannot trade with it. Edit the key on Bybit to Read-Write")
    elif not permissions.can_trade:
        warnings.append("This key has no trading permission: edit it on Bybit and tick Spot Trade or Unified Trading")
    if not report.ips:
        warnings.append("No IP is bound to this key: anyone who gets it can use it from anywhere. Bind this box's IP on Bybit")
    if report.account_mode is AccountMode.CLASSIC:
        warnings.append("This is a classic account: Bybit's balances here need the unified trading account; upgrade it on Bybit")
    if info.get("isMaster") is False:
        parent = str(info.get("parentUid") or "")
        main = f" of main account {parent}" if parent not in ("", "0") else ""
        warnings.append(f"This key belongs to a sub-account (uid {report.uid}{main}): it sees that sub-account's balances only")
    if str(info.get("type", "1")) == "2":
        warnings.append("This key is connected to a third-party application: create an API Transaction key for this app")
    return warnings


# -- reading Bybit's answers ---------------------------------------------------


def unified_balances(result: Any) -> list[Balance]:
    """The coins of ``wallet-balance``'s ``result.list`` (or of a ``wallet`` push's ``data``, the same shape)."""
    entries = result.get("list") if isinstance(result, dict) else result
    return [
        unified_balance(coin)
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict) and str(entry.get("accountType") or "UNIFIED") == "UNIFIED"
        for coin in entry.get("coin") or []
        if isinstance(coin, dict) and coin.get("coin")
    ]


def unified_balance(coin: Mapping[str, Any]) -> Balance:
    """One coin of the unified account: ``walletBalance`` less ``locked`` is available (``free`` and
    ``availableToWithdraw`` are deprecated), ``spotBorrow`` is owed."""
    wallet = exact_decimal(coin.get("walletBalance"))
    locked = exact_decimal(coin.get("locked"))
    return Balance(
        account=UNIFIED,
        coin=str(coin["coin"]).upper(),
        available=wallet - locked,
        locked=locked,
        debt=abs(exact_decimal(coin.get("spotBorrow"))),
    )


def funding_balances(result: Any) -> list[Balance]:
    """The coins of ``query-account-coins-balance``: ``transferBalance`` available, the rest of ``walletBalance`` frozen."""
    rows = result.get("balance") if isinstance(result, dict) else None
    balances = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not row.get("coin"):
            continue
        wallet = exact_decimal(row.get("walletBalance"))
        available = min(wallet, exact_decimal(row.get("transferBalance")))
        balances.append(Balance(account=FUNDING, coin=str(row["coin"]).upper(), available=available, frozen=wallet - available))
    return balances


def value_in_usdt(balances: list[Balance], prices: Mapping[str, Decimal]) -> list[Balance]:
    """Balances valued in USDT at the last ``{coin}USDT`` spot price (Bybit's own ``usdValue`` is USD, and 0 for
    coins that cannot be collateral)."""
    return toolkit.value_in_usdt(balances, lambda coin: prices.get(f"{coin}USDT"))


def ordered(balances: list[Balance]) -> list[Balance]:
    return toolkit.ordered(balances, ACCOUNTS)


total_usdt = toolkit.total_usdt


