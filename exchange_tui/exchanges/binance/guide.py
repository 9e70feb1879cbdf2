"""The guide's steps for a Binance API key (Binance's own API Management steps and its FAQ on Ed25519
keys, reference/binance.md §1), and Binance's judgement of a key's permissions and of futures."""

from __future__ import annotations

from exchange_tui.exchanges.binance.permissions import FUTURES, SPOT_TRADING
from exchange_tui.guide import Guide, Mark, Role, Step
from exchange_tui.models import KeyReport

STEPS: tuple[Step, ...] = (
    Step(1, "Log in to Binance", "On binance.com (Binance.US and Binance TR are other exchanges).", Role.ACCOUNT),
    Step(2, "Turn on 2FA", "Binance confirms a new key with 2FA.", Role.TWO_FACTOR),
    Step(
        3,
        "Open API Management",
        "Profile → API Management. Demo Mode: demo.binance.com → API Management; testnet: testnet.binance.vision "
        "(log in with GitHub).",
        Role.ENVIRONMENT,
    ),
    Step(
        4,
        "Create API → Self-generated (Ed25519)",
        "Binance recommends Ed25519 and calls HMAC (System generated) deprecated: make a key pair with Binance's "
        "Asymmetric Keys Generator and paste the public key.",
        Role.IMPLIED,
    ),
    Step(5, "Label it, confirm with 2FA", "Enter a label → Next → complete 2FA.", Role.IMPLIED),
    Step(
        6,
        "Permissions: Enable Reading, Spot & Margin Trading",
        "Enable Reading, and Enable Spot & Margin Trading for a bot; never Enable Withdrawals for a trading bot.",
        Role.PERMISSIONS,
    ),
    Step(
        7,
        "Enable Futures for futures",
        "Only if you trade USDⓈ-M futures: tick Enable Futures (a key made before the futures account was opened "
        "cannot: create a new one).",
        Role.FUTURES,
    ),
    Step(
        8,
        "Restrict access to trusted IPs",
        "Edit restrictions → Restrict access to trusted IPs only, and add this box's IP: without it Binance turns "
        "Spot & Margin Trading off 30 days after the key was made.",
        Role.IP,
    ),
    Step(
        9,
        "Copy the API key and the secret",
        "The API key, and your private key PEM (self-generated) or the secret key, which Binance shows only once.",
        Role.COPY,
    ),
    Step(10, "Connect it here", "My Exchanges → Add new exchange → Binance → Connect.", Role.CONNECT),
)


def _permissions(report: KeyReport) -> tuple[Mark, str]:
    if report.can_withdraw:
        return Mark.WARNING, "the key can withdraw: edit it on Binance and untick Enable Withdrawals"
    if SPOT_TRADING not in report.permissions:
        return Mark.FAILED, "the key cannot trade: edit it on Binance and tick Enable Spot & Margin Trading"
    return Mark.DONE, "reading and spot trading, no withdrawals"


def _futures(report: KeyReport) -> tuple[Mark, str]:
    if FUTURES in report.permissions:
        return Mark.DONE, "Enable Futures is on: USDⓈ-M futures can be traded"
    if report.testnet or report.demo_trading:
        return Mark.UNKNOWN, "Binance's demo and testnet do not say whether futures are enabled"
    return Mark.WARNING, "Enable Futures is off: to trade futures, edit the key on Binance and tick it"


GUIDE = Guide("Binance", STEPS, _permissions, _futures)
