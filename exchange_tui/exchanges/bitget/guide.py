"""The guide's steps for a Bitget API key (the help article's own), and Bitget's judgement of its permissions."""

from __future__ import annotations

from exchange_tui.guide import Guide, Mark, Role, Step
from exchange_tui.models import AccountMode, KeyReport

STEPS: tuple[Step, ...] = (
    Step(1, "Log in to Bitget", "Log in to your Bitget account, or create one.", Role.ACCOUNT),
    Step(2, "Enable 2FA or SMS verification", "Account settings → Security: Bitget creates no API key without it.", Role.TWO_FACTOR),
    Step(3, "Open API management", "From your profile, open the API Keys page.", Role.IMPLIED),
    Step(4, "Create a system-generated API key", "Create API key → System-generated API key.", Role.ENVIRONMENT),
    Step(5, "Name it and set a passphrase", "Save the passphrase safely: Bitget cannot show it again.", Role.PASSPHRASE),
    Step(6, "Read-write permissions", "Read-write (the default); never Withdraw for a trading bot.", Role.PERMISSIONS),
    Step(7, "Orders and Futures-Holdings for futures", "Only if you trade futures: enable both.", Role.FUTURES),
    Step(8, "Pass the security check", "Email code and 2FA code, then Verify.", Role.IMPLIED),
    Step(9, "Copy the API key and secret key", "The secret key is shown once: copy both in one piece.", Role.COPY),
    Step(10, "Bind the key to this box's IP", "Recommended: a bound key is useless to anyone elsewhere.", Role.IP),
    Step(11, "Connect it here", "My Exchanges → Add new exchange → Bitget → Connect.", Role.CONNECT),
)
"""The guide's steps in order, then the IP binding Bitget offers at step 6, then connecting."""

FUTURES_WRITE = ("futures orders (read-write)", "futures holdings (read-write)")
UTA_TRADING = "UTA trading (read-write)"
UTA_MANAGEMENT = ("UTA management (read-write)", "UTA management (read-only)")


def _permissions(report: KeyReport) -> tuple[Mark, str]:
    if report.can_withdraw:
        return Mark.WARNING, "the key can withdraw: create a key without Withdraw"
    if report.read_only:
        return Mark.FAILED, "the key is read-only: edit it on Bitget and choose Read-write"
    if report.account_mode is AccountMode.UNIFIED and not any(p in report.permissions for p in UTA_MANAGEMENT):
        return Mark.WARNING, "no UTA management (read): add it on Bitget to see the balances"
    return Mark.DONE, "read-write, no withdrawals"


def _futures(report: KeyReport) -> tuple[Mark, str]:
    if report.account_mode is AccountMode.UNIFIED:
        if UTA_TRADING in report.permissions:
            return Mark.DONE, "a unified account: UTA trading covers spot and futures"
        return Mark.WARNING, "a unified account: to trade, edit the key on Bitget and enable UTA trading"
    if all(p in report.permissions for p in FUTURES_WRITE) and any(report.futures_access.values()):
        return Mark.DONE, "futures orders and holdings are read-write"
    return Mark.WARNING, "not both read-write: for futures, edit the key on Bitget and enable Orders and Futures-Holdings"


GUIDE = Guide("Bitget", STEPS, _permissions, _futures)
