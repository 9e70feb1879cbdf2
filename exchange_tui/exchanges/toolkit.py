"""What every exchange adapter shares: one TLS context, per-endpoint throttles, retries with backoff,
the clock offset to the exchange, a signed REST client to build on, USDT valuation, and live
balances that fall back to polling.

An adapter brings what is its exchange's own (how to sign, how to read an answer, its limits,
which refusals a clock sync fixes); the mechanics are here, once.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import random
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Generator, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import httpx

from exchange_tui.exchanges.errors import (
    AuthenticationFailed,
    ClockSkew,
    ExchangeError,
    ExchangeUnavailable,
    PermissionMissing,
    RateLimited,
)
from exchange_tui.models import Balance, BalanceReading, BalanceSource, Credentials, KeyReport, Reason

T = TypeVar("T")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every connection: each new one loads the CA bundle again, about 1 MB apiece."""
    return httpx.create_ssl_context()


@functools.cache
def trusting_nothing() -> ssl.SSLContext:
    """The TLS context of a client whose base URL is plain HTTP (a simulator, the demo, a relay on this
    machine), which never needs one: loading the CA bundle costs such a client about 15 ms for
    nothing, as a stream on ``ws://`` takes no context at all. With no certificate to trust, a TLS
    connection made on it anyway fails its certificate check: it never goes unchecked."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def exact_decimal(value: Any) -> Decimal:
    """Exchanges send numbers as strings, sometimes empty: exact decimals, empty (or unreadable) as zero."""
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


async def outcome(call: Awaitable[T]) -> T | ExchangeError:
    """The call's result, or the exchange error it raised (other exceptions propagate)."""
    try:
        return await call
    except ExchangeError as error:
        return error


async def fresh_or(call: Awaitable[T], last: T) -> T:
    """What ``call`` answers, or ``last`` if the exchange cannot give it now."""
    fresh = await outcome(call)
    return last if isinstance(fresh, ExchangeError) else fresh


def optional(result: T | ExchangeError, what: str, warnings: list[str], exchange: str, *quiet: type[ExchangeError]) -> T | None:
    """An optional read's result, or ``None`` when it failed: an authentication error is raised (the key
    stopped working), one of the ``quiet`` kinds is the caller's to word, any other is a warning naming
    ``what`` could not be read."""
    if not isinstance(result, ExchangeError):
        return result
    if isinstance(result, AuthenticationFailed):
        raise result
    if not isinstance(result, quiet):
        warnings.append(f"Could not read {what}: {result.hint} ({exchange} {result.code})")
    return None


def unless_refused(result: T | ExchangeError, refused: T, *, also: Collection[str] = ()) -> T:
    """A read's result, or ``refused`` for one the key may not make (a missing permission, or an error
    whose code is in ``also``: one an exchange gives for that among other things); any other error is raised."""
    if isinstance(result, PermissionMissing) or (isinstance(result, ExchangeError) and result.code in also):
        return refused
    if isinstance(result, ExchangeError):
        raise result
    return result


def held(balance: Balance) -> bool:
    """Whether a coin is held at all (exchanges may list coins at zero)."""
    return bool(balance.available or balance.frozen or balance.locked or balance.debt)


# -- throttles -------------------------------------------------------------------


class Throttle:
    """Keeps our own bursts under one endpoint's limit: at most ``count`` requests in a sliding window."""

    def __init__(self, count: int, window_s: float = 1.0) -> None:
        self._count = count
        self._window = window_s * 1.05  # a little over the exchange's window, so jitter cannot make us look faster
        self._sent: deque[float] = deque()

    async def acquire(self) -> None:
        while True:
            now = time.monotonic()
            while self._sent and self._sent[0] <= now - self._window:
                self._sent.popleft()
            if len(self._sent) < self._count:
                self._sent.append(now)
                return
            await asyncio.sleep(self._sent[0] + self._window - now)


_THROTTLES: dict[tuple[str, str, str], Throttle] = {}


def caller_id(credentials: Credentials | None) -> str:
    """Who a limit counts against: a digest of the API key, or ``public`` (the IP) without one."""
    if credentials is None:
        return "public"
    return hashlib.sha256(credentials.api_key.get_secret_value().encode()).hexdigest()


def throttle(base_url: str, caller: str, path: str, limit: tuple[int, float]) -> Throttle:
    """The throttle every client in the process shares for one endpoint, host and caller
    (exchanges count per key or account, and per IP for public calls)."""
    key = (base_url, caller, path)
    if key not in _THROTTLES:
        _THROTTLES[key] = Throttle(*limit)
    return _THROTTLES[key]


def backoff(attempt: int, base_s: float, *, rate_limited: bool = False, window_s: float = 1.0) -> float:
    """Exponential backoff with jitter, capped, so retrying clients do not march in step.

    After a rate limit the wait is at least the exchange's window (and at least four times the
    base), spread over half as much again: a retry sooner would land in the same full window.
    """
    delay = min(4.0, base_s * 2 ** (attempt - 1))
    if rate_limited:
        return max(delay, window_s, 4 * base_s) * random.uniform(1.0, 1.5)
    return delay * random.uniform(0.5, 1.0)


# -- the clock ---------------------------------------------------------------------


class ClockOffset:
    """The exchange's clock minus ours, measured at the midpoint of a round trip, one measurement at
    a time: calls that need it meanwhile share it (and its failure).

    The first signed calls do not wait for it: they go out on our own clock while the first
    measurement runs beside them (:meth:`start`), which saves a headless command a round trip
    whenever the clocks agree, as they nearly always do. A call the exchange refuses for its
    timestamp waits for that measurement and goes again (:meth:`refresh`).
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.offset_ms: float | None = None
        self._sync: asyncio.Future[float] | None = None

    def now_ms(self) -> int:
        """Our clock moved onto the exchange's (ours alone until measured), in Unix milliseconds."""
        return int(self.clock() * 1000 + (self.offset_ms or 0))

    async def measure(self, server_time_ms: Callable[[], Awaitable[int]]) -> float:
        sent = self.clock()
        server = await server_time_ms()
        received = self.clock()
        self.offset_ms = server - (sent + received) / 2 * 1000
        return self.offset_ms

    def start(self, server_time_ms: Callable[[], Awaitable[int]]) -> None:
        """Begin the first measurement, if none was made or is under way, without waiting for it."""
        if self.offset_ms is None and self._sync is None:
            self._begin(server_time_ms)

    async def ensure(self, server_time_ms: Callable[[], Awaitable[int]]) -> None:
        """Wait until the offset is measured (a failed measurement is tried again)."""
        if self.offset_ms is not None:
            return
        if self._sync is None or self._sync.done():
            self._begin(server_time_ms)
        await asyncio.shield(self._sync)

    async def refresh(self, server_time_ms: Callable[[], Awaitable[int]], used: float | None) -> None:
        """After the exchange refused a call signed with offset ``used``: wait for the measurement under
        way, or measure again unless another one landed since."""
        if self._sync is None or self._sync.done():
            if self.offset_ms != used:
                return
            self._begin(server_time_ms)
        await asyncio.shield(self._sync)

    def cancel(self) -> None:
        """Stop a measurement under way (its client is closing)."""
        if self._sync is not None:
            self._sync.cancel()

    def forget(self) -> None:
        """Another host from now on: its clock is measured afresh, beside the next signed calls."""
        self.cancel()
        self._sync = None
        self.offset_ms = None

    def _begin(self, server_time_ms: Callable[[], Awaitable[int]]) -> None:
        self._sync = asyncio.ensure_future(self.measure(server_time_ms))
        # A measurement nobody waits for may fail unseen: the next one that is waited for reports it.
        self._sync.add_done_callback(lambda sync: sync.cancelled() or sync.exception())


# -- a signed REST client ------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, for an adapter to read: its status, reason and JSON (``None`` if it has none)."""

    status: int
    reason: str
    payload: Any


class _Signer(httpx.Auth):
    def __init__(self, sign: Callable[[httpx.Request], None]) -> None:
        self._sign = sign

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._sign(request)
        yield request


class RestClient:
    """A keep-alive httpx client for one key on one exchange: throttled, clock-synced, retried.

    Subclasses say what is their exchange's own: :meth:`sign` (headers over the request exactly as it
    goes on the wire), :meth:`read` (the answer's data, or a typed error), :meth:`fetch_server_time`,
    :attr:`RATE_LIMITS` and which clock refusals a sync fixes (:meth:`resyncs`).
    """

    NAME = "the exchange"
    EXCHANGE = ""
    """The exchange's id, in its key reports."""
    testnet = False
    """Whether the key is of the exchange's testnet (where it has one, a client says)."""
    RATE_LIMITS: Mapping[str, tuple[int, float]] = {}
    """Path to (requests, window in seconds), from the exchange's documentation."""
    DEFAULT_RATE_LIMIT: tuple[int, float] = (5, 1.0)
    RATE_WINDOW_S = 1.0
    """The exchange's rate-limit window: a retry after a rate limit waits at least this long."""

    def __init__(
        self,
        credentials: Credentials | None,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff_base: float = 0.25,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.clock = ClockOffset(clock)
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers=dict(headers or {}),
            verify=tls_context() if self.base_url.startswith("https:") else trusting_nothing(),
        )

    async def __aenter__(self: T) -> T:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self.clock.cancel()
        await self._http.aclose()

    # -- what the exchange decides -------------------------------------------------

    def sign(self, request: httpx.Request) -> None:
        raise NotImplementedError

    def read(self, answer: Answer) -> Any:
        raise NotImplementedError

    async def fetch_server_time(self) -> int:
        """The exchange's clock in Unix milliseconds (an unsigned call)."""
        raise NotImplementedError

    async def _check_where_it_belongs(self) -> KeyReport:
        """The report of a key the exchange accepted, checked (where the exchange says a key belongs to
        another of its environments) there too; raises the exchange's refusal."""
        raise NotImplementedError

    def _where(self) -> dict[str, Any]:
        """What a report says of where the key was checked: demo trading and testnet (and the site,
        where the exchange has several)."""
        return {"demo_trading": self.demo_trading, "testnet": self.testnet}

    # -- the key check ----------------------------------------------------------------

    async def check_key(self) -> KeyReport:
        """Verify the key and gather one report: connected or not, permissions, warnings, balances.

        Never raises for what the exchange says: a refusal becomes a report with ``connected=False``
        and the error's code, message and hint.
        """
        try:
            return await self._check_where_it_belongs()
        except ExchangeError as error:
            return self._report(connected=False, error=error.info())

    def _report(self, *, connected: bool = True, **fields: Any) -> KeyReport:
        return KeyReport(exchange=self.EXCHANGE, connected=connected, checked_at=datetime.now(UTC), **self._where(), **fields)

    def resyncs(self, error: ClockSkew) -> bool:
        """Whether syncing the clock again can cure this refusal (the default: every clock refusal)."""
        return True

    def target(self, path: str, params: Mapping[str, str] | None) -> str:
        """The request target as it goes on the wire, and so as it is signed: the query in the order given."""
        return path + ("?" + urlencode(params, quote_via=quote) if params else "")

    # -- the clock -------------------------------------------------------------------

    @property
    def clock_offset_ms(self) -> float | None:
        """The exchange's clock minus ours, once measured."""
        return self.clock.offset_ms

    def timestamp_ms(self) -> int:
        return self.clock.now_ms()

    async def sync_clock(self) -> float:
        return await self.clock.measure(self.fetch_server_time)

    def point_at(self, base_url: str) -> None:
        """Talk to another host from now on (another environment's): its clock is measured afresh."""
        self.base_url = base_url.rstrip("/")
        self._http.base_url = self.base_url
        self.clock.forget()

    def start_clock(self) -> None:
        """Measure the offset beside the first signed calls (:class:`ClockOffset`)."""
        self.clock.start(self.fetch_server_time)

    async def ensure_clock(self) -> None:
        """Wait for the offset: for what is signed once and must be right, such as a stream's login."""
        await self.clock.ensure(self.fetch_server_time)

    # -- requests --------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        body: str | None = None,
        signed: bool = True,
    ) -> Any:
        """The data of one call: throttled, signed on the exchange's clock as far as it is known (the
        first measurement runs beside the first calls), sent again once when the exchange refuses
        the timestamp and a sync cures it, retried with backoff while the error says it may pass."""
        if signed:
            if self.credentials is None:
                raise AuthenticationFailed(
                    "no-key", "no API key", "This call needs an API key: add one first", reason=Reason.CREDENTIAL_MISSING
                )
            self.start_clock()
        resynced = False
        retries = 0
        while True:
            await throttle(self.base_url, caller_id(self.credentials if signed else None), path, self._limit(path)).acquire()
            used = self.clock.offset_ms
            try:
                return await self._send(method, self.target(path, params), body, signed)
            except ClockSkew as error:
                if not signed or resynced or not self.resyncs(error):
                    raise
                resynced = True
                await self.clock.refresh(self.fetch_server_time, used)
            except ExchangeError as error:
                if not error.retryable or retries >= self._max_retries:
                    raise
                retries += 1
                await asyncio.sleep(
                    backoff(
                        retries,
                        self._backoff_base,
                        rate_limited=isinstance(error, RateLimited),
                        window_s=self.RATE_WINDOW_S,
                    )
                )

    def _limit(self, path: str) -> tuple[int, float]:
        return self.RATE_LIMITS.get(path, self.DEFAULT_RATE_LIMIT)

    async def _send(self, method: str, target: str, body: str | None, signed: bool) -> Any:
        try:
            response = await self._http.request(
                method,
                target,
                content=body.encode() if body is not None else None,
                auth=_Signer(self.sign) if signed else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException:
            raise ExchangeUnavailable(
                "timeout", "no answer in time", f"{self.NAME} did not answer in time: check this box's network to {self.base_url}"
            ) from None
        except httpx.ConnectError as error:
            raise ExchangeUnavailable(
                "connect",
                f"cannot connect: {error}",
                f"Cannot reach {self.NAME} at {self.base_url}: check the network, DNS, firewall or proxy",
            ) from None
        except httpx.TransportError:
            raise ExchangeUnavailable(
                "dropped", "the connection was dropped", f"The connection to {self.NAME} dropped: try again in a moment"
            ) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        return self.read(Answer(response.status_code, response.reason_phrase, payload))

    def http_error(self, answer: Answer) -> ExchangeError:
        """An answer that is not the exchange's own refusal: a rate limit, a server error, a block on the
        way, or something unreadable."""
        if answer.status == 429:
            return RateLimited(
                "429", answer.reason or "Too Many Requests", f"{self.NAME} says too many requests: wait a moment and try again",
                http_status=429,
            )
        if answer.status >= 500:
            return ExchangeUnavailable(
                f"http-{answer.status}", answer.reason, f"{self.NAME} is having trouble: try again in a moment",
                http_status=answer.status,
            )
        if answer.status == 403:
            blocked = ExchangeUnavailable(
                f"http-{answer.status}",
                f"refused before reaching {self.NAME} (no answer of its own)",
                f"The network path to {self.NAME} is blocked (a firewall, proxy or region block), not the key",
                http_status=answer.status,
            )
            blocked.retryable = False
            return blocked
        return ExchangeUnavailable(
            "malformed",
            f"HTTP {answer.status} with a reply that is not {self.NAME}'s JSON",
            f"{self.NAME} answered with something unreadable: try again in a moment",
            http_status=answer.status,
        )


# -- valuation ----------------------------------------------------------------------


def value_in_usdt(balances: Iterable[Balance], price: Callable[[str], Decimal | None]) -> list[Balance]:
    """Balances not yet valued, valued in USDT at ``price(coin)`` (USDT itself at 1), debt taken off;
    a coin with no USDT price gets no value."""
    valued = []
    for b in balances:
        if b.usdt_value is not None:
            valued.append(b)
            continue
        amount = b.available + b.frozen + b.locked - b.debt
        rate = Decimal(1) if b.coin == "USDT" else price(b.coin)
        valued.append(b.model_copy(update={"usdt_value": None if rate is None else amount * rate}))
    return valued


def total_usdt(balances: Iterable[Balance]) -> Decimal:
    return sum((b.usdt_value for b in balances if b.usdt_value is not None), Decimal(0))


def ordered(balances: Iterable[Balance], accounts: tuple[str, ...]) -> list[Balance]:
    """One order wherever balances come from (REST or pushes): by account as ``accounts`` lists them,
    USDT first, then by coin."""
    rank = {account: i for i, account in enumerate(accounts)}
    return sorted(balances, key=lambda b: (rank.get(b.account, len(rank)), b.coin != "USDT", b.coin))


def split_ips(raw: Any) -> list[str]:
    """Bound IPs as a list, from a list or a comma (or semicolon) separated string."""
    if isinstance(raw, list):
        return [str(ip).strip() for ip in raw if str(ip).strip()]
    return [ip.strip() for ip in str(raw or "").replace(";", ",").split(",") if ip.strip()]


# -- live balances with a polling fallback --------------------------------------------


@dataclass(frozen=True)
class StreamUpdate:
    """What a private stream says: whether it is live, and the balances it knows of (all accounts it streams)."""

    live: bool
    balances: tuple[Balance, ...]
    at: datetime


async def polled(balances: Callable[[], Awaitable[tuple[list[Balance], Decimal]]]) -> BalanceReading:
    """One REST reading, its failure as a reading with the error."""
    at = datetime.now(UTC)
    try:
        rows, total = await balances()
    except ExchangeError as error:
        return BalanceReading(source=BalanceSource.POLLING, at=at, error=error.info())
    return BalanceReading(source=BalanceSource.POLLING, at=at, balances=rows, total_usdt=total)


def ws_url_beside(base_url: str, demo_trading: bool, path: str) -> str:
    """The WebSocket a REST base other than the exchange's own (a proxy, the simulator) serves on itself:
    ``http://127.0.0.1:PORT`` -> ``ws://127.0.0.1:PORT`` + ``path``, demo keys under ``/demo``."""
    scheme, netloc, base_path, _, _ = urlsplit(base_url)
    ws_scheme = "wss" if scheme == "https" else "ws"
    return urlunsplit((ws_scheme, netloc, base_path.rstrip("/") + ("/demo" if demo_trading else "") + path, "", ""))


async def live_with_fallback(
    updates: AsyncIterator[StreamUpdate],
    poll: Callable[[], Awaitable[BalanceReading]],
    value: Callable[[tuple[Balance, ...]], Awaitable[list[Balance]]],
    poll_interval: float,
) -> AsyncIterator[BalanceReading]:
    """Pushes passed on as they come, valued by ``value``; while the stream is not live (connecting,
    reconnecting, refused for good, ended) ``poll`` is read at once and then every ``poll_interval``
    seconds instead, so the figures keep moving and the reader knows which source they came from."""
    pending: asyncio.Future = asyncio.ensure_future(anext(updates))
    live = False
    wait = poll_interval
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=None if live else wait)
            if pending not in done:
                wait = poll_interval
                yield await poll()
                continue
            try:
                update = pending.result()
            except StopAsyncIteration:
                live, wait = False, 0
                pending = asyncio.get_running_loop().create_future()
                continue
            pending = asyncio.ensure_future(anext(updates))
            live = update.live
            if not live:
                wait = 0
                continue
            valued = await value(update.balances)
            yield BalanceReading(source=BalanceSource.LIVE, at=update.at, balances=valued, total_usdt=total_usdt(valued))
    finally:
        pending.cancel()
