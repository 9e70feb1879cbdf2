"""Everything a running simulator knows: accounts, prices, its clock, rate-limit windows and fault knobs.

Tests change it in-process (``server.state.faults.drop_next = 1``); an out-of-process user changes
it over the ``/_sim/`` control endpoints. Listeners see every balance change (so the WebSocket side
pushes account updates without the REST side knowing about it), every arriving API request and
every order to drop the WebSocket connections.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from exchange_tui.simulator.accounts import (
    PRODUCT_TYPES,
    AccountsFile,
    FuturesAccount,
    SimAccount,
    SpotBalance,
    UnifiedAsset,
    demo_accounts,
)
from exchange_tui.simulator.errors import MESSAGES, BitgetError
from exchange_tui.simulator.market import default_tickers, usdt_price
from exchange_tui.simulator.ratelimit import SlidingWindowLimiter

SPOT = "spot"
UNIFIED = "unified"
IP_REQUESTS_PER_MINUTE = 6000


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class ManualClock:
    """A clock that moves only when told to: ``SimulatorState(clock=ManualClock(...))``."""

    def __init__(self, now_ms: int | None = None) -> None:
        self.now_ms = wall_clock_ms() if now_ms is None else now_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, ms: int) -> None:
        self.now_ms += ms


class Faults(BaseModel):
    """Misbehaviour on demand. Counters (``*_next``) count down one per API request they spoil."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    latency_ms: int = Field(default=0, ge=0, description="added before every API request is answered")
    error_5xx_next: int = Field(default=0, ge=0, description="next N requests: 502 with an HTML body")
    error_5xx_rate: float = Field(default=0.0, ge=0.0, le=1.0, description="chance of a 502 per request")
    rate_limit_next: int = Field(default=0, ge=0, description="next N requests: Bitget's 429")
    drop_next: int = Field(default=0, ge=0, description="next N requests: connection closed mid-response")
    malformed_next: int = Field(default=0, ge=0, description="next N requests: 200 with a body that is not JSON")
    answer_code_next: int = Field(default=0, ge=0, description="next N requests: Bitget's error answer_code")
    answer_code: str = Field(
        default="40015", description="the code answer_code_next answers (a code errors.MESSAGES knows), HTTP 400"
    )
    fault_path: str | None = Field(
        default=None, description="the faults spoil only requests to this path; None: any path"
    )

    @field_validator("answer_code")
    @classmethod
    def _known_code(cls, code: str) -> str:
        if code not in MESSAGES:
            raise ValueError(f"no message is known for code {code!r}: one of {', '.join(MESSAGES)}")
        return code
    clock_offset_ms: int = Field(default=0, description="the server clock runs this far ahead (or behind)")
    ws_ignore_pings: bool = Field(default=False, description="WebSocket: answer no text ping with pong")
    ws_refuse_login: bool = Field(default=False, description="WebSocket: refuse every login with 30005")
    ws_close_on_login_error: bool = Field(
        default=True, description="WebSocket: close after a refused login (False: stay open, as seen live)"
    )
    ws_uta_push: Literal["full", "changed"] = Field(
        default="full", description="v3 socket: a change pushes every coin held, or only the coin that changed"
    )
    ws_idle_timeout_ms: int = Field(
        default=120_000, gt=0, description="WebSocket: close a connection that sent no ping for this long"
    )


class Fault(StrEnum):
    DROP = "drop"
    ERROR_5XX = "error_5xx"
    RATE_LIMIT = "rate_limit"
    MALFORMED = "malformed"
    ANSWER_CODE = "answer_code"


_COUNTED_FAULTS = (
    ("drop_next", Fault.DROP),
    ("error_5xx_next", Fault.ERROR_5XX),
    ("rate_limit_next", Fault.RATE_LIMIT),
    ("malformed_next", Fault.MALFORMED),
    ("answer_code_next", Fault.ANSWER_CODE),
)


@dataclass(frozen=True)
class BalanceChanged:
    """One coin of one wallet changed. ``wallet`` is "spot", a futures productType or "unified"."""

    label: str
    uid: str
    wallet: str
    coin: str
    at_ms: int


@dataclass(frozen=True)
class RequestArrived:
    """An API request arrived, body and all (before any fault, limit or check); control calls are not told."""

    method: str
    path: str
    query: str
    client_ip: str
    at_ms: int


@dataclass(frozen=True)
class WebSocketsDropped:
    """Every open WebSocket connection is to be cut now, without a close frame (a network drop)."""

    at_ms: int


SimEvent = BalanceChanged | RequestArrived | WebSocketsDropped
Listener = Callable[[SimEvent], None]


class SimulatorState:
    """The simulator's world. ``accounts`` (unique labels and keys) defaults to the built-in demo accounts.

    ``clock`` returns wall-clock milliseconds; the server clock is that plus ``faults.clock_offset_ms``.
    Listeners are called synchronously, in the thread that made the change.
    """

    def __init__(
        self,
        accounts: Iterable[SimAccount] | None = None,
        *,
        clock: Callable[[], int] = wall_clock_ms,
        seed: int = 0,
        ip_requests_per_minute: int = IP_REQUESTS_PER_MINUTE,
    ) -> None:
        if accounts is None:
            self._initial_accounts = demo_accounts()
        else:
            self._initial_accounts = AccountsFile(accounts=tuple(accounts)).accounts
        self._seed = seed
        self._lock = threading.RLock()
        self.clock = clock
        self.ip_requests_per_minute = ip_requests_per_minute
        self.listeners: list[Listener] = []
        self.reset()

    def reset(self) -> None:
        """Back to the start: accounts, prices, faults, rate-limit windows and the random generator."""
        with self._lock:
            self._by_key = {a.api_key: a for a in self._initial_accounts}
            self._key_by_label = {a.label: a.api_key for a in self._initial_accounts}
            self.tickers = default_tickers()
            self.faults = Faults()
            self.limiter = SlidingWindowLimiter()
            self.rng = random.Random(self._seed)
            self.started_ms = self.now_ms()
            self._transfers = 0

    def now_ms(self) -> int:
        return self.clock() + self.faults.clock_offset_ms

    @property
    def accounts(self) -> tuple[SimAccount, ...]:
        return tuple(self._by_key.values())

    def account(self, label: str) -> SimAccount:
        return self._by_key[self._key_by_label[label]]

    def account_by_key(self, api_key: str) -> SimAccount | None:
        return self._by_key.get(api_key)

    def add_key(self, label: str) -> SimAccount:
        """A new API key for account ``label`` (fresh key, secret and passphrase; the same uid,
        permissions and balances). ``account(label)`` returns it from now on; the older keys keep
        working until :meth:`delete_key`, as on Bitget."""
        with self._lock:
            key = self.account(label).model_copy(
                update={
                    "api_key": f"bg_{secrets.token_hex(16)}",
                    "secret_key": secrets.token_hex(32),
                    "passphrase": f"Pass{secrets.token_hex(8)}",
                }
            )
            self._by_key[key.api_key] = key
            self._key_by_label[label] = key.api_key
            return key

    def delete_key(self, api_key: str) -> None:
        """Delete one API key: requests signed with it get 40037. ``KeyError`` if there is no such key."""
        with self._lock:
            label = self._by_key.pop(api_key).label
            if self._key_by_label[label] == api_key:
                left = [key for key, account in self._by_key.items() if account.label == label]
                if left:
                    self._key_by_label[label] = left[-1]
                else:
                    del self._key_by_label[label]

    def usdt_price(self, coin: str) -> Decimal:
        return usdt_price(self.tickers, coin)

    def set_price(self, symbol: str, last: Decimal | str | int) -> None:
        with self._lock:
            self.tickers[symbol] = self.tickers[symbol].with_last(_amount(last))

    def update_faults(self, **changes: object) -> Faults:
        """Set several knobs at once, all or none (a bad value raises pydantic's ``ValidationError``)."""
        with self._lock:
            self.faults = Faults.model_validate({**self.faults.model_dump(), **changes})
            return self.faults

    def take_fault(self, path: str | None = None) -> Fault | None:
        """The fault the next API request (to ``path``) suffers, counting down its knob."""
        with self._lock:
            if self.faults.fault_path not in (None, path):
                return None
            for knob, fault in _COUNTED_FAULTS:
                left = getattr(self.faults, knob)
                if left:
                    setattr(self.faults, knob, left - 1)
                    return fault
            rate = self.faults.error_5xx_rate
            if rate and self.rng.random() < rate:
                return Fault.ERROR_5XX
            return None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event (balance changes, arriving requests, drops); returns its unsubscribe."""
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def set_balance(
        self,
        label: str,
        coin: str,
        available: Decimal | str | int,
        *,
        frozen: Decimal | str | int | None = None,
        locked: Decimal | str | int | None = None,
        wallet: str = SPOT,
    ) -> None:
        """Give ``coin`` in one wallet of account ``label`` new amounts (left-out ones stay).

        ``wallet`` is "spot", a futures productType such as "USDT-FUTURES" (``coin`` is the
        marginCoin; equity and maxima are derived again) or "unified" for a unified account.
        A coin the wallet does not hold yet is added. Raises ``KeyError`` for an unknown label
        and ``ValueError`` for a wallet the account does not have or a negative amount.
        """
        coin = coin.upper()
        new_available = _amount(available)
        new_frozen = None if frozen is None else _amount(frozen)
        new_locked = None if locked is None else _amount(locked)
        with self._lock:
            account = self.account(label)
            wallet = _wallet_name(account, wallet)
            if wallet == SPOT:
                old = _spot_entry(account, coin)
                entry = old.model_copy(
                    update={
                        "available": new_available,
                        "frozen": old.frozen if new_frozen is None else new_frozen,
                        "locked": old.locked if new_locked is None else new_locked,
                        "u_time": self.now_ms(),
                    }
                )
                account = _with_spot(account, entry)
            elif new_frozen is not None:
                raise ValueError(f"{wallet} balances have no frozen amount")
            elif wallet == UNIFIED:
                old_asset = _unified_entry(account, coin)
                asset_locked = old_asset.locked if new_locked is None else new_locked
                balance = new_available + asset_locked
                amounts = {"available": new_available, "locked": asset_locked, "balance": balance}
                account = _with_unified(account, old_asset.model_copy(update=amounts))
            else:
                old_futures = _futures_entry(account, wallet, coin)
                futures_locked = old_futures.locked if new_locked is None else new_locked
                account = _with_futures(account, wallet, old_futures.with_balance(new_available, futures_locked))
            self._store(account)
        self._announce(account, wallet, coin)

    def transfer(self, account: SimAccount, from_wallet: str, to_wallet: str, coin: str, amount: Decimal) -> str:
        """Move ``amount`` of ``coin`` between the spot wallet and a futures productType; the transfer id."""
        with self._lock:
            account = self._by_key[account.api_key]
            now_ms = self.now_ms()
            taken = _move(account, from_wallet, coin, -amount, now_ms)
            moved = _move(taken, to_wallet, coin, amount, now_ms)
            self._store(moved)
            self._transfers += 1
            transfer_id = str(1_180_000_000_000_000_000 + self._transfers)
        self._announce(moved, from_wallet, coin)
        self._announce(moved, to_wallet, coin)
        return transfer_id

    def drop_websockets(self) -> None:
        """Cut every open WebSocket connection, as a network drop or Bitget's daily forced close would."""
        self.announce(WebSocketsDropped(self.now_ms()))

    def _store(self, account: SimAccount) -> None:
        """Keep ``account``'s balances under every key of that account."""
        for api_key, held in list(self._by_key.items()):
            if held.label == account.label:
                credentials = {"api_key": api_key, "secret_key": held.secret_key, "passphrase": held.passphrase}
                self._by_key[api_key] = account.model_copy(update=credentials)

    def announce(self, event: SimEvent) -> None:
        for listener in list(self.listeners):
            listener(event)

    def _announce(self, account: SimAccount, wallet: str, coin: str) -> None:
        self.announce(BalanceChanged(account.label, account.uid, wallet, coin, self.now_ms()))


MAX_AMOUNT = Decimal(10) ** 11
"""The largest balance or price a control sets: a product of two (a ticker's quote volume) keeps
within the 28 digits of decimal's default context, where quantize would otherwise fail."""


def _amount(value: Decimal | str | int) -> Decimal:
    amount = Decimal(str(value))
    if not amount.is_finite() or not 0 <= amount < MAX_AMOUNT:
        raise ValueError(f"an amount must be a finite number from 0 to below {MAX_AMOUNT:,}, not {value!r}")
    return amount


def _wallet_name(account: SimAccount, wallet: str) -> str:
    wallet = wallet.upper() if wallet.upper() in PRODUCT_TYPES else wallet.lower()
    if (wallet == UNIFIED) != (account.mode == "unified"):
        raise ValueError(f"account {account.label!r} ({account.mode}) has no {wallet} wallet")
    if wallet not in (SPOT, UNIFIED, *PRODUCT_TYPES):
        raise ValueError(f"unknown wallet {wallet!r}: spot, unified or one of {', '.join(PRODUCT_TYPES)}")
    return wallet


def _spot_entry(account: SimAccount, coin: str) -> SpotBalance:
    found = [b for b in account.spot if b.coin == coin]
    return found[0] if found else SpotBalance(coin=coin, available=Decimal(0))


def _futures_entry(account: SimAccount, product_type: str, coin: str) -> FuturesAccount:
    found = [f for f in account.futures.get(product_type, ()) if f.margin_coin == coin]
    return found[0] if found else FuturesAccount(margin_coin=coin, available=Decimal(0))


def _unified_entry(account: SimAccount, coin: str) -> UnifiedAsset:
    assert account.unified is not None
    found = [a for a in account.unified.assets if a.coin == coin]
    return found[0] if found else UnifiedAsset(coin=coin, balance=Decimal(0), available=Decimal(0))


def _replaced(entries: tuple, entry: object, same: Callable[[object], bool]) -> tuple:
    if any(same(e) for e in entries):
        return tuple(entry if same(e) else e for e in entries)
    return (*entries, entry)


def _with_spot(account: SimAccount, entry: SpotBalance) -> SimAccount:
    spot = _replaced(account.spot, entry, lambda b: b.coin == entry.coin)
    return account.model_copy(update={"spot": spot})


def _with_futures(account: SimAccount, product_type: str, entry: FuturesAccount) -> SimAccount:
    entries = _replaced(account.futures.get(product_type, ()), entry, lambda f: f.margin_coin == entry.margin_coin)
    return account.model_copy(update={"futures": {**account.futures, product_type: entries}})


def _with_unified(account: SimAccount, entry: UnifiedAsset) -> SimAccount:
    assert account.unified is not None
    assets = _replaced(account.unified.assets, entry, lambda a: a.coin == entry.coin)
    return account.model_copy(update={"unified": account.unified.model_copy(update={"assets": assets})})


def _move(account: SimAccount, wallet: str, coin: str, change: Decimal, now_ms: int) -> SimAccount:
    """``account`` with ``change`` added to what ``coin`` has available in ``wallet`` (43012 below zero)."""
    if wallet == SPOT:
        spot = _spot_entry(account, coin)
        if spot.available + change < 0:
            raise BitgetError("43012")
        return _with_spot(account, spot.model_copy(update={"available": spot.available + change, "u_time": now_ms}))
    futures = _futures_entry(account, wallet, coin)
    if futures.available + change < 0:
        raise BitgetError("43012")
    return _with_futures(account, wallet, futures.with_balance(futures.available + change, futures.locked))
