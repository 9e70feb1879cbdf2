"""The core's :class:`~exchange_tui.simulator.core.scenario.Scenario` for the simulated Bitget, on its demo accounts.

Roles and the demo account each one is:

========================  ===========================  ==============================================
role                      label                        why
========================  ===========================  ==============================================
connects                  ``demo``                     trades (``stow``, ``coow``…), no ``wwow``, no IP
read_only                 ``demo-readonly``            read codes only
withdraw                  ``demo-withdraw``            ``wwow``, bound to 127.0.0.1 and ::1
ip_bound                  ``demo-ip-bound``            bound to 203.0.113.7: 40018
demo_trading              ``demo-trading``             a Demo-trading key (``paptrading: 1``)
no_balance_permission     ``demo-unified-trade-only``  see below
========================  ===========================  ==============================================

``no_balance_permission``: a unified account's key with UTA trade but not UTA management
(``uta_mgt``). Its key check (``/api/v3/account/info``, which needs no permission) answers; its balance
read (``/api/v3/account/assets``) is refused with 40014 "Incorrect permissions". A classic key without
spot read cannot be that: Bitget's classic key check (``/api/v2/spot/account/info``) needs spot read itself.

The trading balance :meth:`change_balance` changes is the spot wallet of a classic account and the
unified wallet of a unified one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from exchange_tui.simulator.bitget.accounts import SimAccount
from exchange_tui.simulator.core.scenario import DEMO_ROLE_LABELS, SharedScenario, SimKey

if TYPE_CHECKING:
    from exchange_tui.simulator.bitget.state import SimulatorState

ROLE_LABELS = {
    **DEMO_ROLE_LABELS,
    "no_balance_permission": "demo-unified-trade-only",
}


def _sim_key(label: str, account: SimAccount) -> SimKey:
    return SimKey(label, account.api_key, account.secret_key, account.passphrase, account.demo, None)


class BitgetScenario(SharedScenario):
    """Bitget's scenario. Keys added here get their own label; on Bitget they belong to the account's label."""

    exchange = "bitget"
    state: SimulatorState

    def __init__(self, state: SimulatorState) -> None:
        super().__init__(state)
        self._account_labels: dict[str, str] = {}

    def key(self, role: str) -> SimKey:
        label = ROLE_LABELS[role]
        return _sim_key(label, self.state.initial_account(label))

    def change_balance(self, label: str, coin: str, delta: Decimal) -> None:
        self.state.change_trading_balance(self._account_labels.get(label, label), coin, delta)

    def add_key(self, label: str, like_role: str) -> SimKey:
        account_label = ROLE_LABELS[like_role]
        self._account_labels[label] = account_label
        return _sim_key(label, self.state.add_key(account_label))
