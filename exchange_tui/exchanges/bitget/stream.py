"""Live balances over Bitget's private WebSocket (reference §5): login, ``account`` channels, keepalive, reconnects.

::

    async with BalanceStream(credentials, clock_offset_ms=lambda: rest.clock_offset_ms) as stream:
        async for update in stream:
            show(update.status, update.balances, update.changed)

One stream is one key on one connection. It logs in with a seconds timestamp (plus the REST
client's measured clock offset, when given one), waits for the login answer (subscribing
earlier gets 30004), then subscribes the spot ``account`` channel and the futures ones asked
for in one message, and keeps a map of balances with one account per channel, named as the
REST client names them: "spot", "usdt-futures", "usdc-futures", "coin-futures". A unified
account's stream (``unified=True``) speaks to Bitget's v3 socket instead (the v2 URL with
``/v3/`` for ``/v2/``: Bitget serves both on one host, reference §9): one topic,
``{"instType":"UTA","topic":"account"}``, whose pushes carry ``data[0].coin[]`` for the account
"unified". Each of its pushes is merged in, coin by coin, since Bitget does not say whether a
later push lists every coin or only the ones that changed.

Each item the iteration yields is a :class:`BalanceUpdate`: the status, every balance held now
and the ones that changed. One comes when the stream goes live (all channels answered), one
per push while live, one per lost connection (``reconnecting``, with the error), and a last
one when it fails for good (``failed``, with a typed error and its hint); then the iteration
ends, as it does after :meth:`BalanceStream.aclose`.

What fails for good, never retried: a refused login (30005, 30011-30015, 40018: the same
typed errors and advice as REST), an account of the other mode (40085, 40084) and a key that
may read none of the channels (a channel it may not read is left out and noted in
``refused``). A clock refusal (30013, 30014) is retried while the clock offset is not known yet
or has changed since that login: a box whose clock is off logs in again once the REST client
has measured the offset. Everything else is a lost connection: a drop, the daily forced
close, no ``pong`` within ``pong_timeout`` of a ``ping`` (sent every ``ping_interval``, 20 s:
Bitget may close a socket quiet for 30 s), no answer to the login or no snapshot within
``answer_timeout``. It is reconnected after an
exponential backoff with jitter (reset once live again), logged in and subscribed again; the
first push of each channel after a (re)subscribe replaces what that account held, later ones
are merged in. At most 10 messages a second are sent, Bitget's limit per connection.

Secrets stay ``SecretStr`` until the expression that sends the login; no local of ours holds
them as text, and websockets' frame-level debug log (which would print the login frame) is off.
The connection, its keepalive and reconnects are :class:`~exchange_tui.exchanges.streaming.PrivateStream`'s.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from websockets.asyncio.client import ClientConnection

from exchange_tui.exchanges.bitget.client import FUTURES_PRODUCT_TYPES, unified_balance
from exchange_tui.exchanges.bitget.errors import from_code
from exchange_tui.exchanges.bitget.signing import ws_login_signature
from exchange_tui.exchanges.errors import AccountModeMismatch, ExchangeError
from exchange_tui.exchanges.streaming import PrivateStream, Refused, StreamStatus, StreamTiming, login_op
from exchange_tui.exchanges.toolkit import exact_decimal
from exchange_tui.models import Balance, Credentials

DEFAULT_WS_URL = "wss://ws.bitget.com/v2/ws/private"
DEFAULT_DEMO_WS_URL = "wss://wspap.bitget.com/v2/ws/private"
MESSAGES_PER_SECOND = 10
SPOT = "SPOT"
UTA = "UTA"
UNIFIED_ACCOUNT = "unified"
WS_CLOCK_CODES = frozenset({"30013", "30014"})


def uta_url(v2_url: str) -> str:
    """The v3 (unified) private socket beside a v2 one: ``wss://ws.bitget.com/v2/ws/private`` ->
    ``.../v3/ws/private``; a URL of another shape (a proxy's) is used as it is."""
    head, v2, tail = v2_url.rpartition("/v2/ws/")
    return head + "/v3/ws/" + tail if v2 else v2_url


def account_name(inst_type: str) -> str:
    """The account a channel feeds, as the REST client names it: "SPOT" -> "spot", "USDT-FUTURES" ->
    "usdt-futures", "UTA" -> "unified"."""
    return UNIFIED_ACCOUNT if inst_type == UTA else inst_type.lower()


@dataclass(frozen=True)
class BalanceUpdate:
    """One step of the stream: its status, every balance held now, and what changed since the last step.

    A coin that went to zero (or out of a snapshot) is in ``changed`` with zero amounts and no
    longer in ``balances``. ``at`` is when we received it; ``exchange_time`` the push's own time.
    """

    status: StreamStatus
    balances: tuple[Balance, ...]
    changed: tuple[Balance, ...]
    at: datetime
    exchange_time: datetime | None = None
    error: ExchangeError | None = None


def _held(balance: Balance) -> bool:
    return bool(balance.available or balance.frozen or balance.locked)


def _rows(inst_type: str, message: dict[str, Any]) -> list[Balance]:
    """The balances of one ``account`` push: ``data[]`` rows, or on UTA each ``data[].coin[]`` row."""
    data = [row for row in message.get("data") or [] if isinstance(row, dict)]
    if inst_type != UTA:
        return [_balance(inst_type, row) for row in data]
    coins = [coin for row in data for coin in row.get("coin") or [] if isinstance(coin, dict) and coin.get("coin")]
    return [unified_balance(coin) for coin in coins]


def _balance(inst_type: str, row: dict[str, Any]) -> Balance:
    """One ``data`` row of an ``account`` push; a futures row's ``frozen`` is the REST ``locked``."""
    if inst_type == SPOT:
        return Balance(
            account=account_name(inst_type),
            coin=str(row.get("coin", "")).upper(),
            available=exact_decimal(row.get("available")),
            frozen=exact_decimal(row.get("frozen")),
            locked=exact_decimal(row.get("locked")),
        )
    usdt_equity = row.get("usdtEquity")
    return Balance(
        account=account_name(inst_type),
        coin=str(row.get("marginCoin", "")).upper(),
        available=exact_decimal(row.get("available")),
        locked=exact_decimal(row.get("frozen")),
        usdt_value=None if usdt_equity in (None, "") else exact_decimal(usdt_equity),
    )


def _time(ts_ms: object) -> datetime | None:
    return datetime.fromtimestamp(ts_ms / 1000, UTC) if isinstance(ts_ms, int) else None



class BalanceStream(PrivateStream[BalanceUpdate]):
    """One key's balances, live from Bitget's private WebSocket; see the module's documentation.

    ``clock_offset_ms`` is Bitget's clock minus ours, or a callable read at each login (the
    REST client's ``clock_offset_ms``, ``None`` until measured). ``product_types`` are the
    futures channels to subscribe besides spot (``spot=False`` leaves spot out); ``unified``
    subscribes a unified account's one topic on the v3 socket instead.
    """

    exchange: ClassVar[str] = "Bitget"
    errors = staticmethod(from_code)
    messages_per_second: ClassVar[int | None] = MESSAGES_PER_SECOND

    def __init__(
        self,
        credentials: Credentials,
        *,
        ws_url: str | None = None,
        demo_trading: bool = False,
        product_types: Iterable[str] = FUTURES_PRODUCT_TYPES,
        spot: bool = True,
        unified: bool = False,
        clock: Callable[[], float] = time.time,
        clock_offset_ms: float | Callable[[], float | None] = 0.0,
        timing: StreamTiming = StreamTiming(),
    ) -> None:
        ws_url = ws_url or (DEFAULT_DEMO_WS_URL if demo_trading else DEFAULT_WS_URL)
        inst_types = ((SPOT,) if spot else ()) + tuple(p.upper() for p in product_types)
        if unified:
            ws_url, inst_types = uta_url(ws_url), (UTA,)
        if not inst_types:
            raise ValueError("nothing to subscribe: ask for spot or a futures product type")
        super().__init__(credentials, ws_url=ws_url, clock=clock, clock_offset_ms=clock_offset_ms, timing=timing)
        self.demo_trading = demo_trading
        self.inst_types = inst_types
        self._accounts: dict[str, dict[str, Balance]] = {}
        self._first_push: set[str] = set()
        self.refused: dict[str, ExchangeError] = {}

    @property
    def balances(self) -> tuple[Balance, ...]:
        """Every balance held now, by account (in subscription order), then coin."""
        return self._ordered(b for account in self._accounts.values() for b in account.values())

    def _ordered(self, balances: Iterable[Balance]) -> tuple[Balance, ...]:
        order = {account_name(inst_type): i for i, inst_type in enumerate(self.inst_types)}
        return tuple(sorted(balances, key=lambda b: (order[b.account], b.coin)))

    # -- the exchange's own ----------------------------------------------

    def _clock_refusal(self, error: ExchangeError) -> bool:
        return error.code in WS_CLOCK_CODES

    def _login_frame(self, timestamp_s: str) -> str:
        return login_op(self._credentials, timestamp_s, ws_login_signature)

    async def _subscribe(self, ws: ClientConnection) -> None:
        """Subscribe every channel and wait until each has pushed its snapshot or been refused, then go live."""
        args = [
            {"instType": UTA, "topic": "account"}
            if inst_type == UTA
            else {"instType": inst_type, "channel": "account", "coin": "default"}
            for inst_type in self.inst_types
        ]
        await self._send(ws, json.dumps({"op": "subscribe", "args": args}))
        deadline = asyncio.get_running_loop().time() + self._timing.answer_timeout
        self._first_push = set(self.inst_types)
        self.refused = {}
        waiting = set(self.inst_types)
        changed: dict[tuple[str, str], Balance] = {}
        exchange_time = None
        while waiting:
            message = await self._receive(ws, deadline, "the subscriptions")
            inst_type = str((message.get("arg") or {}).get("instType", "")).upper()
            if "action" in message:
                changed.update({(b.account, b.coin): b for b in self._apply(message)})
                exchange_time = _time(message.get("ts")) or exchange_time
                waiting.discard(inst_type)
            elif message.get("event") == "error":
                error = self._refusal(message)
                if inst_type not in waiting or isinstance(error, AccountModeMismatch):
                    raise error if error.retryable else Refused(error)
                self.refused[inst_type] = error
                changed.update({(b.account, b.coin): b for b in self._merge(inst_type, [], replace=True)})
                waiting.discard(inst_type)
        if len(self.refused) == len(self.inst_types):
            raise Refused(next(iter(self.refused.values())))
        self._publish(StreamStatus.LIVE, changed.values(), exchange_time)

    def _on_message(self, message: dict[str, Any]) -> None:
        if "action" in message:
            self._publish(StreamStatus.LIVE, self._apply(message), _time(message.get("ts")))
        elif message.get("event") == "error":
            raise self._refusal(message)

    def _down(self, status: StreamStatus, error: ExchangeError) -> None:
        self._publish(status, error=error)

    # -- the balance map -------------------------------------------------

    def _apply(self, message: dict[str, Any]) -> list[Balance]:
        """Apply one ``account`` push; the balances it changed."""
        inst_type = str((message.get("arg") or {}).get("instType", "")).upper()
        if inst_type not in self.inst_types:
            return []
        rows = _rows(inst_type, message)
        replace = inst_type in self._first_push
        self._first_push.discard(inst_type)
        return self._merge(inst_type, rows, replace=replace)

    def _merge(self, inst_type: str, rows: list[Balance], *, replace: bool) -> list[Balance]:
        name = account_name(inst_type)
        before = self._accounts.get(name, {})
        after = {} if replace else dict(before)
        after.update((row.coin, row) for row in rows)
        gone = [
            Balance(account=name, coin=coin, available=0, usdt_value=None if b.usdt_value is None else 0)
            for coin, b in before.items()
            if coin not in after
        ]
        self._accounts[name] = {coin: row for coin, row in after.items() if _held(row)}
        return [row for coin, row in after.items() if before.get(coin) != row] + gone

    def _publish(
        self,
        status: StreamStatus,
        changed: Iterable[Balance] = (),
        exchange_time: datetime | None = None,
        *,
        error: ExchangeError | None = None,
    ) -> None:
        self.status, self.error = status, error
        at = datetime.fromtimestamp(self._clock(), UTC)
        self._emit(BalanceUpdate(status, self.balances, self._ordered(changed), at, exchange_time, error))
