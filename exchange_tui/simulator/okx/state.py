"""Everything the simulated OKX knows: its keys, each account's trading and funding balances, prices, its site.

Balances belong to an account (a ``uid``), not to a key, so a key added for rotation
(:meth:`SimulatorState.add_key`) sees and changes the same balances. Every change happens under the
core's lock; listeners hear a :class:`~exchange_tui.simulator.core.events.BalanceChanged` whose
``wallet`` is ``"trading"`` or ``"funding"``.
"""

from __future__ import annotations

import secrets
import uuid
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
from exchange_tui.simulator.okx.accounts import FundingBalance, SimAccount, Site, TradingBalance, Wallet, demo_accounts
from exchange_tui.simulator.okx.errors import REST_ERRORS, OkxError
from exchange_tui.simulator.okx.market import DEFAULT_PRICES, usdt_price
from exchange_tui.simulator.okx.scenario import OkxScenario

if TYPE_CHECKING:
    from exchange_tui.simulator.core.scenario import Scenario

IP_REQUESTS_PER_MINUTE = 6000
"""OKX documents no overall per-IP limit (reference §5 lists per-endpoint ones); this bound is the core's."""
MAX_AMOUNT = Decimal(10) ** 11


class Faults(CoreFaults):
    """The shared knobs in OKX's words, and the variants the reference leaves open.

    ``unknown_key_status``: 50119 is HTTP 200 in OKX's table and 401 as observed (freqtrade#9422).
    ``rest_window_ms``: OKX states a 30 s window only for the WebSocket login (reference §2.3); the
    REST window is assumed the same. ``ws_bad_sign_code``: the error table has 60007 "Invalid sign", the
    login failure example 60009 "Login failed." (§7). ``ws_update_details``: whether an ``event_update``
    push lists every currency held or only the one that changed is not documented (§7).
    """

    ANSWER_CODES: ClassVar[Mapping[str, str]] = {code: msg for code, (_, msg) in REST_ERRORS.items()}

    rate_limit_next: int = Field(default=0, ge=0, description="next N requests: OKX's 50011, HTTP 429")
    answer_code: str = Field(default="50013", description="the code answer_code_next answers (errors.REST_ERRORS)")
    unknown_key_status: Literal[200, 401] = Field(default=401, description="HTTP status of a 50119 answer")
    rest_window_ms: int = Field(default=30_000, gt=0, description="REST: a timestamp this far off is 50102")
    ws_refuse_login: bool = Field(default=False, description="WebSocket: refuse every login with 60009")
    ws_idle_timeout_ms: int = Field(
        default=30_000, gt=0, description="WebSocket: close (4004) a connection that sent nothing for this long"
    )
    ws_bad_sign_code: Literal["60007", "60009"] = Field(default="60007", description="WebSocket: a wrong sign's code")
    ws_update_details: Literal["all", "changed"] = Field(
        default="all", description="WebSocket: an event_update lists every currency held, or only the changed one"
    )


@dataclass
class Wallets:
    """One account's balances, by currency."""

    trading: dict[str, TradingBalance] = field(default_factory=dict)
    funding: dict[str, FundingBalance] = field(default_factory=dict)


class SimulatorState(KeyedState[SimAccount]):
    """The simulated OKX. ``accounts`` defaults to the built-in demo keys; ``site`` is the one this server is
    (``global``: www.okx.com; ``eea``; ``us``): another site's key gets 50119 here (reference §1, §6)."""

    exchange = "okx"
    faults_model = Faults
    faults: Faults

    def __init__(
        self,
        accounts: Iterable[SimAccount] | None = None,
        *,
        clock: Callable[[], int] = wall_clock_ms,
        seed: int = 0,
        ip_requests_per_minute: int = IP_REQUESTS_PER_MINUTE,
        site: Site = "global",
    ) -> None:
        self.site = site
        self._scenario = OkxScenario(self)
        initial = accounts_or_demo(SimAccount, accounts, demo_accounts)
        super().__init__(initial, clock=clock, seed=seed, ip_requests_per_minute=ip_requests_per_minute)

    def _reset_holdings(self) -> None:
        self._wallets: dict[str, Wallets] = {}
        for account in self._initial_accounts:
            if account.uid not in self._wallets:
                trading = {b.ccy: b for b in account.trading}
                self._wallets[account.uid] = Wallets(trading, {b.ccy: b for b in account.funding})
        self.prices = dict(DEFAULT_PRICES)
        self._transfers = 0

    def create_app(self, limits: ServerLimits) -> ASGIApp:
        from exchange_tui.simulator.okx.app import create_app  # app.py imports this module

        return create_app(self, limits)

    @property
    def ws_paths(self) -> Mapping[str, str]:
        from exchange_tui.simulator.okx.ws import DEMO_PRIVATE_PATH, PRIVATE_PATH  # ws.py imports this module

        return {"ws_url": PRIVATE_PATH, "ws_demo_url": DEMO_PRIVATE_PATH}

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    def wallets(self, uid: str) -> Wallets:
        """A copy of account ``uid``'s balances as they are now."""
        with self._lock:
            held = self._wallets[uid]
            return Wallets(dict(held.trading), dict(held.funding))

    def add_key(self, label: str, like: str) -> SimAccount:
        """A new key ``label`` on key ``like``'s account: fresh key, secret and passphrase, the same uid,
        permissions, whitelist and site. The older keys keep working until :meth:`delete_key`."""
        with self._lock:
            if any(a.label == label for a in self._by_key.values()):
                raise ValueError(f"a key is already labelled {label!r}")
            key = self.account(like).model_copy(
                update={
                    "label": label,
                    "api_key": str(uuid.uuid4()),
                    "secret_key": secrets.token_hex(16).upper(),
                    "passphrase": f"Pass{secrets.token_hex(8)}!",
                }
            )
            self._by_key[key.api_key] = key
            return key

    def usdt_price(self, ccy: str) -> Decimal:
        return usdt_price(self.prices, ccy)

    def set_price(self, inst_id: str, last: Decimal | str | int) -> None:
        with self._lock:
            if inst_id not in self.prices:
                raise KeyError(inst_id)
            self.prices[inst_id] = _amount(last)

    def set_balance(
        self, label: str, ccy: str, amount: Decimal | str | int, *, frozen: Decimal | str | int | None = None,
        wallet: Wallet = "trading",
    ) -> None:
        """Give ``ccy`` in key ``label``'s account new amounts: the trading ``cashBal`` or the funding ``bal``
        (and ``frozenBal``, left as it is unless given). A currency not held yet is added."""
        ccy = ccy.upper()
        new_amount = _amount(amount)
        new_frozen = None if frozen is None else _amount(frozen)
        with self._lock:
            account = self.account(label)
            held = self._wallets[account.uid]
            if wallet == "trading":
                old = held.trading.get(ccy, TradingBalance(ccy=ccy, cash_bal=Decimal(0)))
                frozen_bal = old.frozen_bal if new_frozen is None else new_frozen
                held.trading[ccy] = old.model_copy(
                    update={"cash_bal": new_amount, "frozen_bal": frozen_bal, "u_time": self.now_ms()}
                )
            elif wallet == "funding":
                old_funding = held.funding.get(ccy, FundingBalance(ccy=ccy, bal=Decimal(0)))
                frozen_bal = old_funding.frozen_bal if new_frozen is None else new_frozen
                held.funding[ccy] = old_funding.model_copy(update={"bal": new_amount, "frozen_bal": frozen_bal})
            else:
                raise ValueError(f"unknown wallet {wallet!r}: trading or funding")
        self._announce(account, wallet, ccy)

    def change_balance(self, label: str, ccy: str, delta: Decimal, *, wallet: Wallet = "trading") -> None:
        """Add ``delta`` to ``ccy`` in key ``label``'s account (``ValueError`` below zero)."""
        ccy = ccy.upper()
        with self._lock:
            held = self._wallets[self.account(label).uid]
            if wallet == "trading":
                trading = held.trading.get(ccy)
                current = trading.cash_bal if trading is not None else Decimal(0)
            else:
                funding = held.funding.get(ccy)
                current = funding.bal if funding is not None else Decimal(0)
            self.set_balance(label, ccy, current + delta, wallet=wallet)

    def transfer(self, account: SimAccount, ccy: str, amount: Decimal, from_wallet: Wallet, to_wallet: Wallet) -> str:
        """Move ``amount`` of ``ccy`` between the funding and trading accounts of ``account``; the transfer id.
        Only what is available (balance less frozen) may move: 58350 otherwise."""
        now_ms = self.now_ms()
        with self._lock:
            held = self._wallets[account.uid]
            if from_wallet == "funding":
                source = held.funding.get(ccy)
                if source is None or source.bal - source.frozen_bal < amount:
                    raise OkxError("58350")
                held.funding[ccy] = source.model_copy(update={"bal": source.bal - amount})
                target = held.trading.get(ccy, TradingBalance(ccy=ccy, cash_bal=Decimal(0)))
                held.trading[ccy] = target.model_copy(update={"cash_bal": target.cash_bal + amount, "u_time": now_ms})
            else:
                taken = held.trading.get(ccy)
                if taken is None or taken.cash_bal - taken.frozen_bal < amount:
                    raise OkxError("58350")
                held.trading[ccy] = taken.model_copy(update={"cash_bal": taken.cash_bal - amount, "u_time": now_ms})
                given = held.funding.get(ccy, FundingBalance(ccy=ccy, bal=Decimal(0)))
                held.funding[ccy] = given.model_copy(update={"bal": given.bal + amount})
            self._transfers += 1
            transfer_id = str(754_147_000 + self._transfers)
        self._announce(account, from_wallet, ccy)
        self._announce(account, to_wallet, ccy)
        return transfer_id

    def _announce(self, account: SimAccount, wallet: str, ccy: str) -> None:
        self.announce(BalanceChanged(account.label, account.uid, wallet, ccy, self.now_ms()))


def _amount(value: Decimal | str | int) -> Decimal:
    amount = Decimal(str(value))
    if not amount.is_finite() or not 0 <= amount < MAX_AMOUNT:
        raise ValueError(f"an amount must be a finite number from 0 to below {MAX_AMOUNT:,}, not {value!r}")
    return amount
