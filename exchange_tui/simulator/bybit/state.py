"""Everything the simulated Bybit knows: its keys of every environment, each account's Unified Trading Account and
Funding wallet, prices, and which environments (hosts) it serves.

Balances belong to an account (a ``uid``), not to a key, so a key added for rotation
(:meth:`SimulatorState.add_key`) sees and changes the same balances. Every change happens under the
core's lock; listeners hear a :class:`~exchange_tui.simulator.core.events.BalanceChanged` whose
``wallet`` is ``"UNIFIED"`` or ``"FUND"`` (Bybit's account types, reference §3).

Environments (reference §6): mainnet, demo and testnet are different hosts with separate key spaces,
and a key of another environment gets 10003 on every endpoint and on the WebSocket. One state serves
``environment`` on the server's ``url`` and each of ``also_serve`` on a port of its own
(:meth:`create_apps`: ``demo_url``, ``testnet_url``), each port exactly one environment, so a client
that tries the hosts in turn finds a demo key where Bybit would.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field
from starlette.types import ASGIApp

from exchange_tui.simulator.core.accounts import accounts_or_demo
from exchange_tui.simulator.core.clock import wall_clock_ms
from exchange_tui.simulator.core.events import BalanceChanged
from exchange_tui.simulator.core.faults import Faults as CoreFaults
from exchange_tui.simulator.core.limits import ServerLimits
from exchange_tui.simulator.core.state import KeyedState
from exchange_tui.simulator.bybit.accounts import (
    AccountType,
    Environment,
    FundCoin,
    SimAccount,
    UnifiedCoin,
    demo_accounts,
)
from exchange_tui.simulator.bybit.errors import REST_ERRORS, BybitError
from exchange_tui.simulator.bybit.market import DEFAULT_PRICES, usdt_price
from exchange_tui.simulator.bybit.scenario import BybitScenario

if TYPE_CHECKING:
    from exchange_tui.simulator.core.scenario import Scenario

IP_REQUESTS_PER_MINUTE = 7200
""""600 requests within a 5-second window per IP" (reference §5), counted by the core per minute."""
MAX_AMOUNT = Decimal(10) ** 11
URL_NAMES: dict[Environment, str] = {"mainnet": "url", "demo": "demo_url", "testnet": "testnet_url"}
"""The settings name of each environment's REST base (the server's ``urls``)."""
_KEY_ALPHABET = string.ascii_letters + string.digits


class Faults(CoreFaults):
    """The shared knobs in Bybit's words, and the variants the reference leaves open.

    ``rate_limit_answer``: what ``rate_limit_next`` (and the per-IP bound) answers: retCode 10006 with HTTP 200
    (the per-UID limit, §5; PYBIT reads it from the envelope), HTTP 403 "access too frequent" (the IP
    ban, §5) or HTTP 429 "System level frequency protection" (§4). ``unknown_key_status``: 10003 is HTTP
    200 in the DOCS table and 401 as observed (sieblyio/bybit-api#337). ``bad_sign_message``: the DOCS
    text or the live ``error sign! origin_string[...]`` (sieblyio#448). ``fund_coin_required``: DOCS-ALLBAL
    lets a FUND balance query omit ``coin``, the FAQ says it must be given since 2025-01-09 (§3).
    ``demo_account_info``: DOCS-DEMO lists ``/v5/account/info`` in demo, ccxt says it is not available
    there (§3). ``ws_auth_shape``: ``{"success":true,...}`` or ``{"retCode":0,"retMsg":"OK",...}`` (§7).
    ``ws_expired_message``: "Params Error" or the older "error:request expired" (§4).
    """

    ANSWER_CODES: ClassVar[Mapping[str, str]] = {str(code): msg for code, msg in REST_ERRORS.items()}

    rate_limit_next: int = Field(default=0, ge=0, description="next N requests: Bybit's rate_limit_answer")
    rate_limit_answer: Literal["10006", "403", "429"] = Field(
        default="10006", description="the rate-limit answer: retCode 10006 (HTTP 200), HTTP 403 or HTTP 429"
    )
    answer_code: str = Field(default="10016", description="the retCode answer_code_next answers (errors.REST_ERRORS)")
    unknown_key_status: Literal[200, 401] = Field(default=401, description="HTTP status of a 10003 answer")
    bad_sign_message: Literal["docs", "origin"] = Field(
        default="docs", description="10004's retMsg: the DOCS text, or the live one naming the origin string"
    )
    fund_coin_required: bool = Field(default=False, description="a FUND balance query without coin is 10001")
    demo_account_info: bool = Field(default=True, description="demo: /v5/account/info answers (False: 404)")
    ws_idle_timeout_ms: int = Field(
        default=600_000, gt=0, description="WebSocket: close a connection that sent nothing for this long (§7)"
    )
    ws_auth_shape: Literal["success", "retCode"] = Field(
        default="success", description="WebSocket: the auth answer's shape"
    )
    ws_expired_message: Literal["Params Error", "error:request expired"] = Field(
        default="Params Error", description="WebSocket: ret_msg of an auth whose expires has passed"
    )


@dataclass
class Wallets:
    """One account's balances, by coin."""

    unified: dict[str, UnifiedCoin] = field(default_factory=dict)
    fund: dict[str, FundCoin] = field(default_factory=dict)


class SimulatorState(KeyedState[SimAccount]):
    """The simulated Bybit. ``accounts`` defaults to the built-in demo keys; ``environment`` is the one served on
    the server's ``url`` (mainnet by default); ``also_serve`` the environments served on ports of their own
    (by default the other two; ``()`` for a server of one environment only)."""

    exchange = "bybit"
    faults_model = Faults
    faults: Faults

    def __init__(
        self,
        accounts: Iterable[SimAccount] | None = None,
        *,
        clock: Callable[[], int] = wall_clock_ms,
        seed: int = 0,
        ip_requests_per_minute: int = IP_REQUESTS_PER_MINUTE,
        environment: Environment = "mainnet",
        also_serve: Iterable[Environment] | None = None,
    ) -> None:
        self.environment = environment
        others = [e for e in URL_NAMES if e != environment] if also_serve is None else list(also_serve)
        self.environments: tuple[Environment, ...] = tuple(dict.fromkeys([environment, *others]))
        self._scenario = BybitScenario(self)
        initial = accounts_or_demo(SimAccount, accounts, demo_accounts)
        super().__init__(initial, clock=clock, seed=seed, ip_requests_per_minute=ip_requests_per_minute)

    def _reset_holdings(self) -> None:
        self._wallets: dict[str, Wallets] = {}
        for account in self._initial_accounts:
            if account.uid not in self._wallets:
                unified = {b.coin: b for b in account.unified}
                self._wallets[account.uid] = Wallets(unified, {b.coin: b for b in account.fund})
        self.prices = dict(DEFAULT_PRICES)

    def create_app(self, limits: ServerLimits) -> ASGIApp:
        """The app of the primary ``environment``."""
        return self.environment_app(self.environment, limits)

    def environment_app(self, environment: Environment, limits: ServerLimits) -> ASGIApp:
        from exchange_tui.simulator.bybit.app import create_app  # app.py imports this module

        return create_app(self, limits, environment)

    def create_apps(self, limits: ServerLimits) -> Mapping[str, ASGIApp]:
        """One app per environment served; the primary's is ``url`` whichever it is."""
        names = {e: "url" if e == self.environment else URL_NAMES[e] for e in self.environments}
        return {names[e]: self.environment_app(e, limits) for e in self.environments}

    @property
    def ws_paths(self) -> Mapping[str, str]:
        """``/v5/private`` on each host; ``ws_demo_url`` is the demo host's (the primary's if demo is not served)."""
        from exchange_tui.simulator.bybit.ws import PRIVATE_PATH  # ws.py imports this module

        return {"ws_url": PRIVATE_PATH, "ws_demo_url": PRIVATE_PATH, "ws_testnet_url": PRIVATE_PATH}

    @property
    def ws_hosts(self) -> Mapping[str, str]:
        served = {e: "url" if e == self.environment else URL_NAMES[e] for e in self.environments}
        return {"ws_url": served.get("mainnet", "url"), "ws_demo_url": served.get("demo", "url"),
                "ws_testnet_url": served.get("testnet", "url")}

    def credentials_line(self) -> list[dict[str, str]]:
        """Label, key, secret (an RSA key's PEM private key) and environment of each key: Bybit has no passphrase."""
        return [
            {"label": a.label, "api_key": a.api_key, "secret_key": a.secret_key, "environment": a.environment}
            for a in self.accounts
        ]

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    def wallets(self, uid: str) -> Wallets:
        """A copy of account ``uid``'s balances as they are now."""
        with self._lock:
            held = self._wallets[uid]
            return Wallets(dict(held.unified), dict(held.fund))

    def add_key(self, label: str, like: str) -> SimAccount:
        """A new key ``label`` on key ``like``'s account: a fresh key (and, for an HMAC key, secret), the same uid,
        environment, permissions and IPs. A self-generated key keeps its uploaded public key. The older keys
        keep working until :meth:`delete_key`."""
        with self._lock:
            if any(a.label == label for a in self._by_key.values()):
                raise ValueError(f"a key is already labelled {label!r}")
            like_account = self.account(like)
            update: dict[str, object] = {"label": label, "api_key": _random(18)}
            if like_account.rsa_public_key is None:
                update["secret_key"] = _random(36)
            key = like_account.model_copy(update=update)
            self._by_key[key.api_key] = key
            return key

    def usdt_price(self, coin: str) -> Decimal:
        return usdt_price(self.prices, coin)

    def set_price(self, symbol: str, last: Decimal | str | int) -> None:
        with self._lock:
            if symbol not in self.prices:
                raise KeyError(symbol)
            self.prices[symbol] = _amount(last)

    def set_balance(
        self, label: str, coin: str, amount: Decimal | str | int, *, locked: Decimal | str | int | None = None,
        wallet: AccountType = "UNIFIED",
    ) -> None:
        """Give ``coin`` in key ``label``'s account a new ``walletBalance`` (and, in UNIFIED, ``locked``, left
        as it is unless given). A coin not held yet is added. A UNIFIED change is pushed on ``wallet``."""
        coin = coin.upper()
        new_amount = _amount(amount)
        with self._lock:
            account = self.account(label)
            held = self._wallets[account.uid]
            if wallet == "UNIFIED":
                old = held.unified.get(coin, UnifiedCoin(coin=coin, wallet_balance=Decimal(0)))
                new_locked = old.locked if locked is None else _amount(locked)
                held.unified[coin] = old.model_copy(update={"wallet_balance": new_amount, "locked": new_locked})
            elif wallet == "FUND":
                held.fund[coin] = FundCoin(coin=coin, wallet_balance=new_amount)
            else:
                raise ValueError(f"unknown account type {wallet!r}: UNIFIED or FUND")
        self._announce(account, wallet, coin)

    def change_balance(self, label: str, coin: str, delta: Decimal, *, wallet: AccountType = "UNIFIED") -> None:
        """Add ``delta`` to ``coin`` in key ``label``'s account (``ValueError`` below zero)."""
        coin = coin.upper()
        with self._lock:
            held = self._wallets[self.account(label).uid]
            entry = (held.unified if wallet == "UNIFIED" else held.fund).get(coin)
            current = entry.wallet_balance if entry is not None else Decimal(0)
            self.set_balance(label, coin, current + delta, wallet=wallet)

    def transfer(self, account: SimAccount, coin: str, amount: Decimal, source: AccountType, target: AccountType) -> None:
        """Move ``amount`` of ``coin`` between the UNIFIED and FUND accounts of ``account``'s uid. Only what is
        free (UNIFIED: ``walletBalance`` less ``locked``) may move: 10001 otherwise (Bybit's own code for
        an insufficient balance is not in the reference)."""
        with self._lock:
            held = self._wallets[account.uid]
            unified = held.unified.get(coin, UnifiedCoin(coin=coin, wallet_balance=Decimal(0)))
            fund = held.fund.get(coin, FundCoin(coin=coin, wallet_balance=Decimal(0)))
            free = unified.wallet_balance - unified.locked if source == "UNIFIED" else fund.wallet_balance
            if free < amount:
                raise BybitError(10001, msg="Insufficient balance")
            sign = -1 if source == "UNIFIED" else 1
            held.unified[coin] = unified.model_copy(update={"wallet_balance": unified.wallet_balance + sign * amount})
            held.fund[coin] = fund.model_copy(update={"wallet_balance": fund.wallet_balance - sign * amount})
        self._announce(account, source, coin)
        self._announce(account, target, coin)

    def _announce(self, account: SimAccount, wallet: str, coin: str) -> None:
        self.announce(BalanceChanged(account.label, account.uid, wallet, coin, self.now_ms()))


def _random(length: int) -> str:
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(length))


def _amount(value: Decimal | str | int) -> Decimal:
    amount = Decimal(str(value))
    if not amount.is_finite() or not 0 <= amount < MAX_AMOUNT:
        raise ValueError(f"an amount must be a finite number from 0 to below {MAX_AMOUNT:,}, not {value!r}")
    return amount
