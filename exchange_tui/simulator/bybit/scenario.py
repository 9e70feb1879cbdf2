"""The core's :class:`~exchange_tui.simulator.core.scenario.Scenario` for the simulated Bybit, on its demo keys.

========================  ==========================  ================================================
role                      label                       why
========================  ==========================  ================================================
connects                  ``demo``                    read-write, Contract/Spot/AccountTransfer, no IP
                                                      bound (so it expires in 90 days, reference §1)
read_only                 ``demo-readonly``           ``readOnly`` 1
withdraw                  ``demo-withdraw``           Wallet ``Withdraw``, bound to 127.0.0.1 and ::1
ip_bound                  ``demo-ip-bound``           bound to 203.0.113.7 and 198.51.100.0/24: 10010
demo_trading              ``demo-trading``            a key of the demo environment (see below)
no_balance_permission     ``demo-no-balance-read``    see below
expired                   ``demo-expired``            its 90 days are over: 33004 (§1, §8 (e))
rsa                       ``demo-rsa``                self-generated: RSA-SHA256, base64 (§2.1)
========================  ==========================  ================================================

``demo_trading``: Bybit's demo trading is its own host with its own key space (§6): a demo key gets
10003 on mainnet. The state serves each environment on a port of its own (``SimulatorState``'s
``also_serve``: by default the mainnet on ``url``, demo on ``demo_url``, testnet on ``testnet_url``),
so the demo key is refused 10003 on ``url`` and accepted on ``demo_url``, as on Bybit; a client
given the server's ``urls`` finds it there. A state of one environment (``also_serve=()``) refuses
every other environment's key.

``no_balance_permission``: ``/v5/user/query-api`` answers "any permission" (DOCS-KEY, §3), and the
reference names no permission for a balance read, so no documented key passes the check but is
refused a balance. The closest documented equivalent is 10005 "Permission denied, please check
your API key permissions." (§4): this key (only ``Exchange: ExchangeHistory``, a convert-history
key) answers the check and gets 10005 on the UNIFIED and FUND balances and the asset overview (its
``refused_reads``), and on the ``wallet`` topic.

The trading balance :meth:`BybitScenario.change_balance` changes is the Unified Trading Account's
``walletBalance``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from exchange_tui.simulator.core.scenario import DEMO_ROLE_LABELS, SharedScenario, SimKey
from exchange_tui.simulator.bybit.accounts import SimAccount

if TYPE_CHECKING:
    from exchange_tui.simulator.bybit.state import SimulatorState

ROLE_LABELS = {
    **DEMO_ROLE_LABELS,
    "no_balance_permission": "demo-no-balance-read",
    "expired": "demo-expired",
    "rsa": "demo-rsa",
}


def sim_key(account: SimAccount) -> SimKey:
    return SimKey(
        account.label, account.api_key, account.secret_key, None, account.environment == "demo", None,
        testnet=account.environment == "testnet",
    )


class BybitScenario(SharedScenario):
    exchange = "bybit"
    state: SimulatorState

    def key(self, role: str) -> SimKey:
        return sim_key(self.state.initial_account(ROLE_LABELS[role]))

    def change_balance(self, label: str, coin: str, delta: Decimal) -> None:
        self.state.change_balance(label, coin, delta)

    def add_key(self, label: str, like_role: str) -> SimKey:
        return sim_key(self.state.add_key(label, ROLE_LABELS[like_role]))
