"""The core's :class:`~exchange_tui.simulator.core.scenario.Scenario` for the simulated Binance, on its demo keys.

========================  ===============================  ===========================================
role                      label                            why
========================  ===============================  ===========================================
connects                  ``demo``                         reading, spot & margin trading, futures; no IP
                                                           restriction, no withdrawals; HMAC
read_only                 ``demo-readonly``                reading only (so futures reads get -2015)
withdraw                  ``demo-withdraw``                withdrawals, trusted IPs 127.0.0.1 and ::1
                                                           (withdrawals need an IP restriction, §1)
ip_bound                  ``demo-ip-restricted-elsewhere`` trusts 203.0.113.7 and 198.51.100.0/24: -2015
                                                           (Binance never shows the list, §3)
demo_trading              ``demo-trading``                 a demo-mode key (demo.binance.com): served on
                                                           ``demo_url``/``demo_futures_url``; -2015 on live
no_balance_permission     ``demo-no-futures``              see below
testnet                   ``demo-testnet``                 a spot/futures testnet key: no environment
                                                           served by default knows it (-2015 / -2008)
ed25519                   ``demo-ed25519``                 a self-generated Ed25519 key on ``demo``'s account
rsa                       ``demo-rsa``                     a self-generated RSA 2048 key on ``demo``'s account
========================  ===============================  ===========================================

``no_balance_permission``: Binance's "Enable Reading" covers the key check and every spot and
funding read, and no key lacks it in the sources (§1). The closest documented equivalent is a key
without "Enable Futures": the key check (``apiRestrictions``) and the spot and funding balances
answer, the USDⓈ-M balance (and listenKey) get -2015 "Invalid API-key, IP, or permissions for
action, request ip: …" (§3, §8 (g)).

The trading balance :meth:`BinanceScenario.change_balance` changes is the spot wallet's ``free``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from exchange_tui.simulator.binance.accounts import SimAccount
from exchange_tui.simulator.core.scenario import SharedScenario, SimKey

if TYPE_CHECKING:
    from exchange_tui.simulator.binance.state import SimulatorState

ROLE_LABELS = {
    "connects": "demo",
    "read_only": "demo-readonly",
    "withdraw": "demo-withdraw",
    "ip_bound": "demo-ip-restricted-elsewhere",
    "demo_trading": "demo-trading",
    "no_balance_permission": "demo-no-futures",
    "testnet": "demo-testnet",
    "ed25519": "demo-ed25519",
    "rsa": "demo-rsa",
}


def sim_key(account: SimAccount) -> SimKey:
    return SimKey(
        account.label, account.api_key, account.secret_key, None, account.environment == "demo", None,
        testnet=account.environment == "testnet",
    )


class BinanceScenario(SharedScenario):
    exchange = "binance"
    state: SimulatorState

    def key(self, role: str) -> SimKey:
        return sim_key(self.state.initial_account(ROLE_LABELS[role]))

    def change_balance(self, label: str, coin: str, delta: Decimal) -> None:
        self.state.change_balance(label, coin, delta)

    def add_key(self, label: str, like_role: str) -> SimKey:
        return sim_key(self.state.add_key(label, ROLE_LABELS[like_role]))
