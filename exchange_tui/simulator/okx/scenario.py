"""The core's :class:`~exchange_tui.simulator.core.scenario.Scenario` for the simulated OKX, on its demo keys.

========================  ==========================  ================================================
role                      label                       why
========================  ==========================  ================================================
connects                  ``demo``                    ``read_only,trade``, no IP bound
read_only                 ``demo-readonly``           ``read_only``
withdraw                  ``demo-withdraw``           ``read_only,trade,withdraw``, bound to 127.0.0.1, ::1
ip_bound                  ``demo-ip-bound``           bound to 203.0.113.7 and 198.51.100.0/24: 50110
demo_trading              ``demo-trading``            a Demo-trading key (``x-simulated-trading: 1``)
no_balance_permission     ``demo-no-balance-read``    see below
other_site                ``demo-eea``                a key of the EEA site: 50119 on this global one
========================  ==========================  ================================================

``no_balance_permission``: OKX's Read permission covers the key check (``/api/v5/account/config``)
and both balances alike (reference §1, §3), and the key check itself needs Read, so no documented
key answers the check but is refused a balance. The closest documented equivalent is 50120 "This
API key doesn't have permission to use this function" (§4): this key answers the config and gets
50120 on ``/account/balance``, ``/asset/balances`` and ``/asset/asset-valuation`` (its
``refused_reads``), and on the ``account`` channel.

The trading balance :meth:`OkxScenario.change_balance` changes is the trading account's ``cashBal``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from exchange_tui.simulator.core.scenario import DEMO_ROLE_LABELS, SharedScenario, SimKey
from exchange_tui.simulator.okx.accounts import SimAccount

if TYPE_CHECKING:
    from exchange_tui.simulator.okx.state import SimulatorState

ROLE_LABELS = {
    **DEMO_ROLE_LABELS,
    "no_balance_permission": "demo-no-balance-read",
    "other_site": "demo-eea",
}


def sim_key(account: SimAccount) -> SimKey:
    return SimKey(account.label, account.api_key, account.secret_key, account.passphrase, account.demo, account.site)


class OkxScenario(SharedScenario):
    exchange = "okx"
    state: SimulatorState

    def key(self, role: str) -> SimKey:
        return sim_key(self.state.initial_account(ROLE_LABELS[role]))

    def change_balance(self, label: str, coin: str, delta: Decimal) -> None:
        self.state.change_balance(label, coin, delta)

    def add_key(self, label: str, like_role: str) -> SimKey:
        return sim_key(self.state.add_key(label, ROLE_LABELS[like_role]))
