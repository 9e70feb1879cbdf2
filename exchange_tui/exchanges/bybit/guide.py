"""The guide's steps for a Bybit API key (reference/bybit-v5.md §1: Bybit's docs and its help centre's wording),
and Bybit's judgement of a key's permissions and of its account mode."""

from __future__ import annotations

from exchange_tui.guide import Guide, Mark, Role, Step
from exchange_tui.models import AccountMode, KeyReport

STEPS: tuple[Step, ...] = (
    Step(
        1,
        "Log in to Bybit",
        "On www.bybit.com (testnet keys: testnet.bybit.com). Bybit Europe cannot create API keys.",
        Role.ACCOUNT,
    ),
    Step(2, "Turn on 2FA", "Bybit confirms a new key with your 2FA code (Google Authenticator).", Role.TWO_FACTOR),
    Step(
        3,
        "Pick the environment",
        "For demo trading switch to Demo Trading first: its keys are its own, as are testnet's and mainnet's.",
        Role.ENVIRONMENT,
    ),
    Step(4, "Open API Management", "Profile → API (Account & Security → API Management) → Create New Key.", Role.IMPLIED),
    Step(
        5,
        "Key type",
        "System-generated (Bybit gives key and secret), or self-generated: upload your RSA public key, keep the private key.",
    ),
    Step(6, "Usage: API Transaction", "Choose API Transaction, not Connect to Third-Party Applications; any name."),
    Step(7, "Read-Write, no Withdrawal", "Read-Write with Spot Trade and Unified Trading; never Withdrawal for a bot.", Role.PERMISSIONS),
    Step(
        8,
        "Bind this box's IP",
        "Only IPs with permissions granted: type this box's IP. A key with no IP bound expires after 90 days.",
        Role.IP,
    ),
    Step(9, "Confirm with 2FA", "Submit and enter your 2FA code.", Role.IMPLIED),
    Step(10, "Copy the API key and secret", "The secret is shown once: copy both whole (an RSA key: its private key PEM).", Role.COPY),
    Step(11, "Unified trading account", "Balances are read from the unified trading account (UTA) and the funding wallet.", Role.FUTURES),
    Step(12, "Connect it here", "My Exchanges → Add new exchange → Bybit → Connect (--demo-trading or --testnet for those).", Role.CONNECT),
)


def _permissions(report: KeyReport) -> tuple[Mark, str]:
    if report.can_withdraw:
        return Mark.WARNING, "the key can withdraw: create a key without Withdrawal"
    if report.read_only or "trade" not in report.permissions:
        return Mark.FAILED, "the key cannot trade (Read-Only): edit it on Bybit to Read-Write with Spot and Unified Trading"
    return Mark.DONE, "Read-Write, no withdrawals"


def _futures(report: KeyReport) -> tuple[Mark, str]:
    mode = report.account_mode
    if mode is AccountMode.CLASSIC:
        return Mark.WARNING, "a classic account: Bybit's v5 balances need the unified trading account; upgrade it on Bybit"
    if mode is None:
        return Mark.UNKNOWN, "Bybit did not say whether the account is unified"
    return Mark.DONE, "a unified trading account"


GUIDE = Guide("Bybit", STEPS, _permissions, _futures)
