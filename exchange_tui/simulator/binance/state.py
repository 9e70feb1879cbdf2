"""Everything the simulated Binance knows: keys, each account's spot, USDⓈ-M futures and funding wallets, prices,
futures listenKeys, request weight used per IP, and the environments it serves.

One state serves two environments on their own ports (reference §6): ``environment`` (``live`` by
default) as ``url`` (spot + wallet SAPI) and ``futures_url`` (USDⓈ-M), and ``paper_environment``
(``demo`` by default; ``testnet``, or None for none) as ``demo_url`` and ``demo_futures_url`` (or
``testnet_url``…). A key works only on the ports of its own environment: elsewhere it gets -2015
(-2008 on SAPI), as a demo or testnet key does on live Binance.

Balances belong to an account (a ``uid``), not to a key. Every change happens under the core's lock;
listeners hear a :class:`Moved` (a :class:`~exchange_tui.simulator.core.events.BalanceChanged` with
the change and its reason) whose ``wallet`` is ``spot``, ``futures`` or ``funding``.
"""

from __future__ import annotations

import secrets
import string
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from pydantic import Field
from starlette.types import ASGIApp

from exchange_tui.simulator.binance.accounts import (
    Environment,
    FuturesHolding,
    Holding,
    SimAccount,
    Wallet,
    demo_accounts,
)
from exchange_tui.simulator.binance.errors import BANNED_MSG, REST_ERRORS, BinanceError
from exchange_tui.simulator.binance.market import DEFAULT_PRICES, usdt_price
from exchange_tui.simulator.binance.scenario import BinanceScenario
from exchange_tui.simulator.core.accounts import accounts_or_demo
from exchange_tui.simulator.core.clock import wall_clock_ms
from exchange_tui.simulator.core.events import BalanceChanged
from exchange_tui.simulator.core.faults import Faults as CoreFaults
from exchange_tui.simulator.core.limits import ServerLimits
from exchange_tui.simulator.core.state import KeyedState

if TYPE_CHECKING:
    from exchange_tui.simulator.core.scenario import Scenario

IP_REQUESTS_PER_MINUTE = 60_000
"""The core's overall bound per IP, above Binance's own weight limits (which answer first)."""
MAX_AMOUNT = Decimal(10) ** 11
WINDOW_MS = 60_000
Pool = Literal["spot", "sapi", "futures"]
WEIGHT_LIMITS: dict[Pool, int] = {"spot": 6000, "sapi": 12_000, "futures": 2400}
"""REQUEST_WEIGHT per minute per IP: spot 6000 (shared with the WebSocket API), SAPI 12000 per endpoint,
USDⓈ-M futures 2400 (reference §5)."""
_ALNUM = string.ascii_letters + string.digits


class Faults(CoreFaults):
    """The shared knobs in Binance's words, and the variants the reference leaves open.

    ``paper_sapi``: the spot testnet serves no SAPI (ccxt: "sandbox/testnet does not support sapi
    endpoints"), and apparently neither does demo mode (reference §3, §9): ``not_found`` answers
    HTTP 404 there, ``served`` serves them as live does. ``recv_window_code``: a ``recvWindow`` over
    60000 is refused with an unconfirmed code (§8 (d)). ``ban_s``: a ban after a 429 lasts "from 2 minutes
    to 3 days" (§5). ``listen_key_ttl_ms``: a futures listenKey lives 60 minutes from its last keepalive
    (§7.2). ``legacy_futures_ws``: ``/ws/<listenKey>`` was decommissioned on 2026-04-23 in favour of
    ``/private/ws/<listenKey>`` (§7.2; ccxt 4.5.90 stores ``/ws`` but rewrites it to ``/private/ws?listenKey=``):
    False refuses it.
    ``spot_balance_update``: whether a spot balance change pushes ``balanceUpdate`` before
    ``outboundAccountPosition`` (§7.1 lists it for deposits, withdrawals and transfers).
    """

    ANSWER_CODES: ClassVar[Mapping[str, str]] = {str(code): msg for code, (_, msg) in REST_ERRORS.items()}

    rate_limit_next: int = Field(default=0, ge=0, description="next N requests: Binance's -1003, HTTP 429")
    answer_code: str = Field(default="-1000", description="the code answer_code_next answers (errors.REST_ERRORS)")
    paper_sapi: Literal["not_found", "served"] = Field(default="not_found", description="SAPI on demo and testnet")
    recv_window_code: Literal[-1131, -1102] = Field(default=-1131, description="a recvWindow over 60000")
    ban_s: int = Field(default=120, gt=0, description="an IP that goes on after a 429 is banned (418) this long")
    listen_key_ttl_ms: int = Field(default=3_600_000, gt=0, description="a futures listenKey's life after a keepalive")
    legacy_futures_ws: bool = Field(default=True, description="serve /ws/<listenKey> beside /private/ws/<listenKey>")
    spot_balance_update: bool = Field(default=True, description="push balanceUpdate before outboundAccountPosition")
    ws_refuse_login: bool = Field(
        default=False, description="WebSocket: refuse every user-data subscription and futures stream"
    )


@dataclass(frozen=True)
class Moved(BalanceChanged):
    """A balance change with its amount (``delta``, None for a balance set outright) and the futures reason
    (``DEPOSIT``, ``ASSET_TRANSFER``…, reference §7.2)."""

    delta: Decimal | None = None
    reason: str = "DEPOSIT"


@dataclass
class Wallets:
    """One account's balances, by asset."""

    spot: dict[str, Holding] = field(default_factory=dict)
    futures: dict[str, FuturesHolding] = field(default_factory=dict)
    funding: dict[str, Holding] = field(default_factory=dict)


@dataclass
class ListenKey:
    key: str
    uid: int
    environment: Environment
    expires_ms: int


@dataclass
class _WeightWindow:
    spent: deque[tuple[int, int]] = field(default_factory=deque)
    warned: bool = False

    def used(self, now_ms: int) -> int:
        while self.spent and self.spent[0][0] <= now_ms - WINDOW_MS:
            self.spent.popleft()
        if not self.spent:
            self.warned = False
        return sum(weight for _, weight in self.spent)


class SimulatorState(KeyedState[SimAccount]):
    """The simulated Binance. ``accounts`` defaults to the built-in demo keys."""

    exchange = "binance"
    faults_model = Faults
    faults: Faults

    def __init__(
        self,
        accounts: Iterable[SimAccount] | None = None,
        *,
        clock: Callable[[], int] = wall_clock_ms,
        seed: int = 0,
        ip_requests_per_minute: int = IP_REQUESTS_PER_MINUTE,
        environment: Environment = "live",
        paper_environment: Environment | None = "demo",
    ) -> None:
        if paper_environment == environment:
            raise ValueError("the paper environment is another one than the main environment")
        initial = accounts_or_demo(SimAccount, accounts, demo_accounts)
        self.environment = environment
        self.paper_environment = paper_environment
        self._scenario = BinanceScenario(self)
        super().__init__(initial, clock=clock, seed=seed, ip_requests_per_minute=ip_requests_per_minute)

    def _reset_holdings(self) -> None:
        self._wallets: dict[int, Wallets] = {}
        for account in self._initial_accounts:
            if account.uid not in self._wallets:
                self._wallets[account.uid] = Wallets(
                    {h.asset: h for h in account.spot},
                    {h.asset: h for h in account.futures},
                    {h.asset: h for h in account.funding},
                )
        self.prices = dict(DEFAULT_PRICES)
        self.listen_keys: dict[str, ListenKey] = {}
        self._weights: dict[tuple[str, str], _WeightWindow] = {}
        self._bans: dict[str, int] = {}
        self._transfers = 0

    # -- serving -------------------------------------------------------------

    def served_environments(self) -> dict[str, Environment]:
        """Each served environment by its URL-setting prefix: ``""`` for the main one, ``"demo_"``…"""
        served: dict[str, Environment] = {"": self.environment}
        if self.paper_environment is not None:
            served[f"{self.paper_environment}_"] = self.paper_environment
        return served

    def create_app(self, limits: ServerLimits) -> ASGIApp:
        return self.create_apps(limits)["url"]

    def create_apps(self, limits: ServerLimits) -> Mapping[str, ASGIApp]:
        from exchange_tui.simulator.binance.app import futures_app, spot_app  # app.py imports this module

        apps: dict[str, ASGIApp] = {}
        for prefix, environment in self.served_environments().items():
            apps[f"{prefix}url"] = spot_app(self, environment, limits)
            apps[f"{prefix}futures_url"] = futures_app(self, environment, limits)
        return apps

    @property
    def ws_paths(self) -> Mapping[str, str]:
        from exchange_tui.simulator.binance.ws import FUTURES_PATH, WS_API_PATH  # ws.py imports this module

        paths = {}
        for prefix in self.served_environments():
            suffix = f"{prefix.removesuffix('_')}_" if prefix else ""
            paths[f"ws_{suffix}url"] = WS_API_PATH
            paths[f"futures_ws_{suffix}url"] = FUTURES_PATH
        return paths

    @property
    def ws_hosts(self) -> Mapping[str, str]:
        hosts = {}
        for prefix in self.served_environments():
            suffix = f"{prefix.removesuffix('_')}_" if prefix else ""
            hosts[f"ws_{suffix}url"] = f"{prefix}url"
            hosts[f"futures_ws_{suffix}url"] = f"{prefix}futures_url"
        return hosts

    def credentials_line(self) -> list[dict[str, str]]:
        """Label, key, secret (an Ed25519 or RSA key's private PEM), key type and environment of each key."""
        return [
            {"label": a.label, "api_key": a.api_key, "secret_key": a.secret_key, "key_type": a.key_type,
             "environment": a.environment}
            for a in self.accounts
        ]

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    # -- keys ----------------------------------------------------------------

    def add_key(self, label: str, like: str) -> SimAccount:
        """A new key ``label`` on key ``like``'s account, of the same type, flags, IPs and environment, with a
        fresh key and secret (or key pair). The older keys keep working until :meth:`delete_key`."""
        with self._lock:
            if any(a.label == label for a in self._by_key.values()):
                raise ValueError(f"a key is already labelled {label!r}")
            model = self.account(like)
            secret, public = new_secret(model.key_type)
            key = model.model_copy(
                update={"label": label, "api_key": new_key(), "secret_key": secret, "public_key": public}
            )
            self._by_key[key.api_key] = key
            return key

    # -- request weight ------------------------------------------------------

    def spend_weight(self, ip: str, pool: Pool, pool_key: str, weight: int, now_ms: int) -> int:
        """Count ``weight`` against ``ip``'s minute in ``pool`` (SAPI: per endpoint ``pool_key``); the weight used.

        Over the limit: -1003 with HTTP 429 and Retry-After; a request refused again before the window
        clears: 418 and a ban of ``faults.ban_s`` (reference §4, §5)."""
        limit = WEIGHT_LIMITS[pool]
        with self._lock:
            banned_until = self._bans.get(ip, 0)
            if now_ms < banned_until:
                raise _banned(banned_until, now_ms)
            window = self._weights.setdefault((ip, pool_key), _WeightWindow())
            used = window.used(now_ms)
            if used + weight > limit:
                if window.warned:
                    until = now_ms + self.faults.ban_s * 1000
                    self._bans[ip] = until
                    raise _banned(until, now_ms)
                window.warned = True
                retry_ms = window.spent[0][0] + WINDOW_MS - now_ms if window.spent else WINDOW_MS
                raise BinanceError(-1003, limit, retry_after_s=max(1, -(-retry_ms // 1000)))
            window.spent.append((now_ms, weight))
            return used + weight

    # -- listenKeys (USDⓈ-M user data stream, §7.2) --------------------------

    def open_listen_key(self, account: SimAccount, environment: Environment) -> ListenKey:
        """The account's active listenKey, extended, or a new one."""
        with self._lock:
            listen_key = self._active_listen_key(account, environment)
            if listen_key is not None:
                listen_key.expires_ms = self.now_ms() + self.faults.listen_key_ttl_ms
                return listen_key
            listen_key = ListenKey(new_key(), account.uid, environment, self.now_ms() + self.faults.listen_key_ttl_ms)
            self.listen_keys[listen_key.key] = listen_key
            return listen_key

    def live_listen_key(self, account: SimAccount, environment: Environment) -> ListenKey:
        """The account's unexpired listenKey; -1125 if it has none."""
        with self._lock:
            listen_key = self._active_listen_key(account, environment)
        if listen_key is None:
            raise BinanceError(-1125)
        return listen_key

    def _active_listen_key(self, account: SimAccount, environment: Environment) -> ListenKey | None:
        now_ms = self.now_ms()
        for listen_key in self.listen_keys.values():
            if listen_key.uid == account.uid and listen_key.environment == environment and now_ms < listen_key.expires_ms:
                return listen_key
        return None

    def keep_alive(self, account: SimAccount, environment: Environment) -> ListenKey:
        with self._lock:
            listen_key = self.live_listen_key(account, environment)
            listen_key.expires_ms = self.now_ms() + self.faults.listen_key_ttl_ms
            return listen_key

    def close_listen_key(self, account: SimAccount, environment: Environment) -> None:
        with self._lock:
            del self.listen_keys[self.live_listen_key(account, environment).key]

    def listen_key(self, key: str) -> ListenKey | None:
        """An unexpired listenKey by its value."""
        with self._lock:
            found = self.listen_keys.get(key)
            return found if found is not None and self.now_ms() < found.expires_ms else None

    # -- balances ------------------------------------------------------------

    def wallets(self, uid: int) -> Wallets:
        """A copy of account ``uid``'s balances as they are now."""
        with self._lock:
            held = self._wallets[uid]
            return Wallets(dict(held.spot), dict(held.futures), dict(held.funding))

    def usdt_price(self, asset: str) -> Decimal:
        return usdt_price(self.prices, asset)

    def set_price(self, symbol: str, price: Decimal | str | int) -> None:
        with self._lock:
            if symbol not in self.prices:
                raise KeyError(symbol)
            self.prices[symbol] = _amount(price)

    def set_balance(self, label: str, asset: str, amount: Decimal | str | int, *, wallet: Wallet = "spot") -> None:
        """Give ``asset`` in key ``label``'s account a new free amount (spot, funding) or wallet balance (futures)."""
        asset = asset.upper()
        new_amount = _amount(amount)
        with self._lock:
            account = self.account(label)
            self._put(account.uid, wallet, asset, new_amount)
        self._announce(account, wallet, asset, None, "DEPOSIT")

    def change_balance(self, label: str, asset: str, delta: Decimal, *, wallet: Wallet = "spot") -> None:
        """Add ``delta`` to ``asset`` in key ``label``'s account, a deposit (``ValueError`` below zero)."""
        asset = asset.upper()
        with self._lock:
            account = self.account(label)
            self._put(account.uid, wallet, asset, _amount(self._held(account.uid, wallet, asset) + delta))
        self._announce(account, wallet, asset, delta, "DEPOSIT")

    def transfer(self, account: SimAccount, asset: str, amount: Decimal, source: Wallet, target: Wallet) -> int:
        """Move ``amount`` of ``asset`` between two of ``account``'s wallets; the transfer id. Only what is free
        (spot, funding) or the wallet balance (futures) may move: -5002 otherwise."""
        with self._lock:
            available = self._held(account.uid, source, asset)
            if available < amount:
                raise BinanceError(-5002)
            self._put(account.uid, source, asset, available - amount)
            self._put(account.uid, target, asset, self._held(account.uid, target, asset) + amount)
            self._transfers += 1
            transfer_id = 13_526_853_623 + self._transfers
        self._announce(account, source, asset, -amount, "ASSET_TRANSFER")
        self._announce(account, target, asset, amount, "ASSET_TRANSFER")
        return transfer_id

    def _held(self, uid: int, wallet: Wallet, asset: str) -> Decimal:
        held = self._wallets[uid]
        if wallet == "futures":
            futures = held.futures.get(asset)
            return futures.balance if futures is not None else Decimal(0)
        entry = (held.spot if wallet == "spot" else held.funding).get(asset)
        return entry.free if entry is not None else Decimal(0)

    def _put(self, uid: int, wallet: Wallet, asset: str, amount: Decimal) -> None:
        held = self._wallets[uid]
        if wallet == "futures":
            held.futures[asset] = FuturesHolding(asset=asset, balance=amount)
        elif wallet in ("spot", "funding"):
            holdings = held.spot if wallet == "spot" else held.funding
            old = holdings.get(asset, Holding(asset=asset, free=Decimal(0)))
            holdings[asset] = old.model_copy(update={"free": amount})
        else:
            raise ValueError(f"unknown wallet {wallet!r}: spot, futures or funding")

    def _announce(self, account: SimAccount, wallet: Wallet, asset: str, delta: Decimal | None, reason: str) -> None:
        self.announce(Moved(account.label, str(account.uid), wallet, asset, self.now_ms(), delta, reason))


def new_key() -> str:
    """A fresh key (or HMAC secret): 64 alphanumerics."""
    return "".join(secrets.choice(_ALNUM) for _ in range(64))


def new_secret(key_type: str) -> tuple[str, str | None]:
    """A fresh secret for a key of ``key_type``: an HMAC secret, or a private key PEM and its public key PEM."""
    if key_type == "hmac":
        return new_key(), None
    private = ed25519.Ed25519PrivateKey.generate() if key_type == "ed25519" else rsa.generate_private_key(65537, 2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private_pem, public_pem


def _banned(until_ms: int, now_ms: int) -> BinanceError:
    return BinanceError(-1003, until_ms, msg=BANNED_MSG, status=418, retry_after_s=max(1, -(-(until_ms - now_ms) // 1000)))


def _amount(value: Decimal | str | int) -> Decimal:
    amount = Decimal(str(value))
    if not amount.is_finite() or not 0 <= amount < MAX_AMOUNT:
        raise ValueError(f"an amount must be a finite number from 0 to below {MAX_AMOUNT:,}, not {value!r}")
    return amount
