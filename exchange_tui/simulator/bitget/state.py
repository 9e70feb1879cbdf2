"""Everything a running simulator knows: accounts, prices, its clock, rate-limit windows and fault knobs.

Tests change it in-process (``server.state.faults.drop_next = 1``); an out-of-process user changes
it over the ``/_sim/`` control endpoints. Listeners see every balance change (so the WebSocket side
pushes account updates without the REST side knowing about it), every arriving API request and
every order to drop the WebSocket connections.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field
from starlette.types import ASGIApp

from exchange_tui.simulator.bitget.accounts import (
    PRODUCT_TYPES,
    FuturesAccount,
    SimAccount,
    SpotBalance,
    UnifiedAsset,
    demo_accounts,
)
from exchange_tui.simulator.bitget.errors import MESSAGES, BitgetError
from exchange_tui.simulator.bitget.market import default_tickers, usdt_price
from exchange_tui.simulator.bitget.scenario import BitgetScenario
from exchange_tui.simulator.core.accounts import accounts_or_demo
from exchange_tui.simulator.core.clock import wall_clock_ms
from exchange_tui.simulator.core.events import BalanceChanged
from exchange_tui.simulator.core.faults import Faults as CoreFaults
from exchange_tui.simulator.core.limits import ServerLimits
from exchange_tui.simulator.core.state import KeyedState

SPOT = "spot"
UNIFIED = "unified"
IP_REQUESTS_PER_MINUTE = 6000


class Faults(CoreFaults):
    """The shared knobs in Bitget's words, and the shape of a v3 socket's pushes."""

    ANSWER_CODES: ClassVar[Mapping[str, str]] = MESSAGES

    rate_limit_next: int = Field(default=0, ge=0, description="next N requests: Bitget's 429")
    answer_code_next: int = Field(default=0, ge=0, description="next N requests: Bitget's error answer_code")
    answer_code: str = Field(
        default="40015", description="the code answer_code_next answers (a code errors.MESSAGES knows), HTTP 400"
    )
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


class SimulatorState(KeyedState[SimAccount]):
    """The simulated Bitget. ``accounts`` (unique labels and keys) defaults to the built-in demo accounts.

    ``clock`` returns wall-clock milliseconds; the server clock is that plus ``faults.clock_offset_ms``.
    Listeners are called synchronously, in the thread that made the change.
    """

    exchange = "bitget"
    faults_model = Faults
    faults: Faults

    def __init__(
        self,
        accounts: Iterable[SimAccount] | None = None,
        *,
        clock: Callable[[], int] = wall_clock_ms,
        seed: int = 0,
        ip_requests_per_minute: int = IP_REQUESTS_PER_MINUTE,
    ) -> None:
        self._scenario = BitgetScenario(self)
        initial = accounts_or_demo(SimAccount, accounts, demo_accounts)
        super().__init__(initial, clock=clock, seed=seed, ip_requests_per_minute=ip_requests_per_minute)

    def _reset_holdings(self) -> None:
        self._key_by_label = {a.label: a.api_key for a in self._initial_accounts}
        self.tickers = default_tickers()
        self._transfers = 0

    def create_app(self, limits: ServerLimits) -> ASGIApp:
        from exchange_tui.simulator.bitget.app import create_app

        return create_app(self, limits)

    @property
    def ws_paths(self) -> Mapping[str, str]:
        from exchange_tui.simulator.bitget.ws import DEMO_PREFIX, PRIVATE_PATH, UTA_PRIVATE_PATH

        return {
            "ws_url": PRIVATE_PATH,
            "ws_demo_url": DEMO_PREFIX + PRIVATE_PATH,
            "ws_uta_url": UTA_PRIVATE_PATH,
            "ws_uta_demo_url": DEMO_PREFIX + UTA_PRIVATE_PATH,
        }

    @property
    def scenario(self) -> BitgetScenario:
        return self._scenario

    def account(self, label: str) -> SimAccount:
        return self._by_key[self._key_by_label[label]]

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

    def change_trading_balance(self, label: str, coin: str, delta: Decimal) -> None:
        """Add ``delta`` to what ``coin`` has available in account ``label``'s trading wallet: spot for a classic
        account, unified for a unified one (``ValueError`` below zero)."""
        coin = coin.upper()
        with self._lock:
            account = self.account(label)
            if account.mode == "unified":
                self.set_balance(label, coin, _unified_entry(account, coin).available + delta, wallet=UNIFIED)
            else:
                self.set_balance(label, coin, _spot_entry(account, coin).available + delta)

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

    def _store(self, account: SimAccount) -> None:
        """Keep ``account``'s balances under every key of that account."""
        for api_key, held in list(self._by_key.items()):
            if held.label == account.label:
                credentials = {"api_key": api_key, "secret_key": held.secret_key, "passphrase": held.passphrase}
                self._by_key[api_key] = account.model_copy(update=credentials)

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
