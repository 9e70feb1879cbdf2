"""The async OKX REST v5 client: signed requests, clock sync, throttling, retries, key checks.

One client serves one key over one keep-alive ``httpx.AsyncClient`` (the shared mechanics are
:class:`exchange_tui.exchanges.toolkit.RestClient`'s). A key check is the account configuration
(permissions, IPs, uid, account mode), the trading and funding balances and the spot prices, all
at once: one round trip once the clock is synced.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from decimal import Decimal
from typing import Any

import httpx

from exchange_tui.exchanges import toolkit
from exchange_tui.exchanges.base import Connection, Site
from exchange_tui.exchanges.errors import (
    AuthenticationFailed,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    WrongEnvironment,
)
from exchange_tui.exchanges.okx.errors import RESYNC_CODES, from_code
from exchange_tui.exchanges.okx.permissions import KeyPermissions, account_mode, decode_perm
from exchange_tui.exchanges.okx.signing import prehash, sign, timestamp
from exchange_tui.exchanges.okx.spec import ID, SITES, SPEC
from exchange_tui.exchanges.toolkit import Answer, exact_decimal, held, optional, outcome, split_ips, unless_refused
from exchange_tui.models import AccountTotal, Balance, BalanceReading, Credentials, KeyReport, Reason

SERVER_TIME = "/api/v5/public/time"
TICKERS = "/api/v5/market/tickers"
ACCOUNT_CONFIG = "/api/v5/account/config"
TRADING_BALANCE = "/api/v5/account/balance"
FUNDING_BALANCES = "/api/v5/asset/balances"

# OKX's per-endpoint limits (reference §5): most count per 2 s, public ones per IP, signed ones per
# User ID. Anything unlisted gets the strictest of these.
RATE_LIMITS: dict[str, tuple[int, float]] = {
    SERVER_TIME: (10, 2.0),
    TICKERS: (20, 2.0),
    ACCOUNT_CONFIG: (5, 2.0),
    TRADING_BALANCE: (10, 2.0),
    FUNDING_BALANCES: (6, 1.0),
}
SUCCESS = "0"
DEMO_HEADER = "x-simulated-trading"

TRADING = "trading"
FUNDING = "funding"
ACCOUNTS = (TRADING, FUNDING)

def site_of(url: str | None, site_id: str | None) -> Site:
    """The site a key connects to: the one whose REST host ``url`` is, else the one it was added with."""
    for site in SITES:
        if url is not None and url.rstrip("/") == site.rest_url:
            return site
    return SPEC.site(site_id)


class OkxClient(toolkit.RestClient):
    """OKX's REST API for one key (or none, for public calls).

    ``connection`` gives the environment, the site and the URLs set for the key: its ``url`` if set,
    else the site's REST host (``base_url`` and ``demo_trading`` override it, for tests and benchmarks).

    Every request says its environment in ``x-simulated-trading``: ``1`` for a demo-trading key, ``0``
    for a live one, as OKX's own python SDK sends it (OKX's docs ask only for the ``1``; the ``0``
    keeps each request explicit, and public prices come from the same environment as the balances).
    :meth:`check_key` switches it when OKX says the key is of the other kind (50101).
    """

    NAME = "OKX"
    EXCHANGE = ID
    RATE_LIMITS = RATE_LIMITS
    DEFAULT_RATE_LIMIT = (5, 2.0)
    RATE_WINDOW_S = 2.0

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
        url = base_url or self.connection.urls.get("url")
        self.site = site_of(url, self.connection.site)
        super().__init__(
            credentials,
            url or self.site.rest_url,
            headers={"Content-Type": "application/json"},
            timeout=timeout,
            max_retries=max_retries,
            backoff_base=backoff_base,
            **({"clock": clock} if clock else {}),
        )
        self.demo_trading = self.connection.demo_trading if demo_trading is None else demo_trading

    @property
    def demo_trading(self) -> bool:
        return self._http.headers[DEMO_HEADER] == "1"

    @demo_trading.setter
    def demo_trading(self, demo: bool) -> None:
        self._http.headers[DEMO_HEADER] = "1" if demo else "0"

    # -- what is OKX's own -----------------------------------------------

    def sign(self, request: httpx.Request) -> None:
        """Signs over the path and query exactly as they go on the wire, and the body as sent."""
        credentials = self.credentials
        assert credentials is not None, "request() refuses a signed call without a key"
        if credentials.passphrase is None:
            raise AuthenticationFailed(
                "no-passphrase",
                "no passphrase",
                "OKX keys have a passphrase: enter the one you set for this key",
                reason=Reason.CREDENTIAL_MISSING,
                credential="passphrase",
            )
        stamp = timestamp(self.timestamp_ms())
        message = prehash(stamp, request.method, request.url.raw_path.decode("ascii"), request.content.decode())
        request.headers["OK-ACCESS-KEY"] = credentials.api_key.get_secret_value()
        request.headers["OK-ACCESS-SIGN"] = sign(credentials.secret_key, message)
        request.headers["OK-ACCESS-TIMESTAMP"] = stamp
        request.headers["OK-ACCESS-PASSPHRASE"] = credentials.passphrase.get_secret_value()

    def resyncs(self, error: ClockSkew) -> bool:
        return error.code in RESYNC_CODES

    def read(self, answer: Answer) -> Any:
        """OKX's ``data`` (always an array) from a successful envelope; anything else raised as a typed error.

        OKX refuses keys with HTTP 401 and its own body: that is OKX's answer, read by its code. A 429 or
        5xx without OKX's body, or anything that is not OKX's JSON, is the way there failing.
        """
        payload = answer.payload
        okx = isinstance(payload, dict) and "code" in payload
        if okx and str(payload["code"]) == SUCCESS:
            return payload.get("data") or []
        if not okx or answer.status >= 500:
            raise self.http_error(answer)
        raise from_code(str(payload["code"]), str(payload.get("msg") or ""), http_status=answer.status)

    async def fetch_server_time(self) -> int:
        return int(_first(await self._get(SERVER_TIME, signed=False), "OKX's clock")["ts"])

    async def _get(self, path: str, params: Mapping[str, str] | None = None, *, signed: bool = True) -> Any:
        return await self.request("GET", path, params, signed=signed)

    # -- calls -----------------------------------------------------------

    async def account_config(self) -> dict[str, Any]:
        """The key's own facts: ``perm``, ``ip``, ``label``, ``uid``/``mainUid`` and the account mode ``acctLv``."""
        return _first(await self._get(ACCOUNT_CONFIG), "the account configuration")

    async def trading_balances(self) -> list[Balance]:
        """The trading account's coins (only those OKX holds a balance of)."""
        return [b for b in trading_balances(await self._get(TRADING_BALANCE)) if held(b)]

    async def funding_balances(self) -> list[Balance]:
        """The funding account's coins (OKX pushes none of them: poll)."""
        return [b for b in funding_balances(await self._get(FUNDING_BALANCES)) if held(b)]

    async def spot_tickers(self) -> dict[str, Decimal]:
        """Last prices by instrument (``BTC-USDT`` → price)."""
        rows = await self._get(TICKERS, {"instType": "SPOT"}, signed=False)
        return {str(t["instId"]): exact_decimal(t.get("last")) for t in rows if isinstance(t, dict) and t.get("instId")}

    # -- the key check ---------------------------------------------------

    def _where(self) -> dict[str, Any]:
        return {"demo_trading": self.demo_trading, "site": self.site.id}

    async def _check_where_it_belongs(self) -> KeyReport:
        try:
            return await self._check()
        except WrongEnvironment as error:
            if error.code != "50101":
                raise
            self.demo_trading = not self.demo_trading
            try:
                report = await self._check()
            except ExchangeError:
                self.demo_trading = not self.demo_trading
                raise error from None
        kind = "a demo-trading key" if self.demo_trading else "a live key, not a demo-trading one"
        report.warnings.insert(0, f"This is {kind}: its demo-trading setting was corrected")
        return report

    async def _check(self) -> KeyReport:
        """The account configuration decides: its refusal is the key's. Every other read is optional: its
        failure (other than an authentication error) is a warning naming what could not be read."""
        config, trading, funding, prices = await asyncio.gather(
            outcome(self.account_config()),
            outcome(self.trading_balances()),
            outcome(self.funding_balances()),
            outcome(self.spot_tickers()),
        )
        if isinstance(config, ExchangeError):
            raise config
        warnings: list[str] = []
        trading_rows = optional(trading, "the trading account's balances", warnings, self.NAME)
        funding_rows = optional(funding, "the funding account's balances", warnings, self.NAME)
        price_of = optional(prices, "prices in USDT", warnings, self.NAME) or {}
        permissions = decode_perm(config.get("perm"))
        mode = account_mode(config.get("acctLv"))
        report = self._report(
            uid=str(config.get("uid") or "") or None,
            account_mode=mode,
            permissions=permissions.words(),
            read_only=permissions.read_only,
            can_withdraw=permissions.can_withdraw,
            ips=split_ips(config.get("ip")),
        )
        report.warnings = self._key_warnings(report, permissions, config) + warnings
        if mode is None and config.get("acctLv") not in (None, ""):
            report.warnings.append(f"OKX reports an account mode this app does not know (acctLv {config['acctLv']})")
        for account, rows in ((TRADING, trading_rows), (FUNDING, funding_rows)):
            if rows is not None:
                valued = value_in_usdt(rows, price_of)
                report.balances += valued
                report.overview.append(AccountTotal(account=account, usdt_value=total_usdt(valued)))
        report.balances = ordered(report.balances)
        report.total_usdt = total_usdt(report.balances)
        return report

    def _key_warnings(self, report: KeyReport, permissions: KeyPermissions, config: dict[str, Any]) -> list[str]:
        warnings = []
        if permissions.can_withdraw:
            warnings.append("This key can withdraw funds: a trading bot never needs that. Create a key without Withdraw")
        if not permissions.can_trade:
            warnings.append("This key cannot trade (Read only): bots cannot trade with it. Edit the key on OKX and add Trade")
        if not report.ips:
            warnings.append(
                "No IP is bound to this key: anyone who gets it can use it from anywhere. Bind this box's IP on OKX"
            )
        uid, main_uid = str(config.get("uid") or ""), str(config.get("mainUid") or "")
        if uid and main_uid and uid != main_uid:
            warnings.append(
                f"This key belongs to a sub-account (uid {uid} of main account {main_uid}): "
                "it sees that sub-account's balances only"
            )
        return warnings

    # -- balances --------------------------------------------------------

    async def balances(self) -> tuple[list[Balance], Decimal]:
        """The trading and funding balances with their USDT value, and their total; an account the key
        may not read is left out."""
        trading, funding, prices = await asyncio.gather(
            outcome(self.trading_balances()), outcome(self.funding_balances()), outcome(self.spot_tickers())
        )
        rows = unless_refused(trading, []) + unless_refused(funding, [])
        if isinstance(prices, ExchangeError):
            raise prices
        rows = ordered(value_in_usdt(rows, prices))
        return rows, total_usdt(rows)

    def live_balances(self, poll_interval: float) -> AsyncIterator[BalanceReading]:
        from exchange_tui.exchanges.okx.live import live_balances

        return live_balances(self, poll_interval=poll_interval)


# -- reading OKX's answers ---------------------------------------------------


def _first(data: Any, what: str) -> dict[str, Any]:
    """The one object of a ``data`` array that holds one."""
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    raise ExchangeUnavailable("malformed", f"no {what} in OKX's answer", "OKX answered with something unreadable: try again")


def trading_balances(data: Any) -> list[Balance]:
    """The coins of ``/api/v5/account/balance``'s ``data``, or of an ``account`` push's (the same shape):
    each entry's ``details``."""
    entries = data if isinstance(data, list) else []
    return [
        trading_balance(detail)
        for entry in entries
        if isinstance(entry, dict)
        for detail in entry.get("details") or []
        if isinstance(detail, dict) and detail.get("ccy")
    ]


def trading_balance(detail: Mapping[str, Any]) -> Balance:
    """One coin of the trading account: ``availBal`` (``availEq`` where the mode leaves it empty), ``frozenBal``
    and what it owes (``liab``, in the margin modes)."""
    available = detail.get("availBal")
    return Balance(
        account=TRADING,
        coin=str(detail["ccy"]).upper(),
        available=exact_decimal(detail.get("availEq") if available in (None, "") else available),
        frozen=exact_decimal(detail.get("frozenBal")),
        debt=abs(exact_decimal(detail.get("liab"))),
    )


def funding_balances(data: Any) -> list[Balance]:
    """The coins of ``/api/v5/asset/balances``: ``availBal`` and ``frozenBal`` (OKX gives them no value)."""
    rows = data if isinstance(data, list) else []
    return [
        Balance(
            account=FUNDING,
            coin=str(row["ccy"]).upper(),
            available=exact_decimal(row.get("availBal")),
            frozen=exact_decimal(row.get("frozenBal")),
        )
        for row in rows
        if isinstance(row, dict) and row.get("ccy")
    ]


def value_in_usdt(balances: list[Balance], prices: Mapping[str, Decimal]) -> list[Balance]:
    """Balances valued in USDT at the last ``{coin}-USDT`` price (OKX's own ``eqUsd`` is USD, not USDT)."""
    return toolkit.value_in_usdt(balances, lambda coin: prices.get(f"{coin}-USDT"))


def ordered(balances: list[Balance]) -> list[Balance]:
    return toolkit.ordered(balances, ACCOUNTS)


total_usdt = toolkit.total_usdt


