"""The guide's steps for an OKX API key (OKX's own help centre and API docs, reference/okx-v5.md §1), and
OKX's judgement of a key's permissions and of its account mode for futures."""

from __future__ import annotations

from exchange_tui.guide import Guide, Mark, Role, Step
from exchange_tui.models import AccountMode, KeyReport

STEPS: tuple[Step, ...] = (
    Step(
        1,
        "Log in to OKX",
        "On your account's own site: www.okx.com, my.okx.com (EEA) or app.okx.com (US); a key works only there.",
        Role.ACCOUNT,
    ),
    Step(2, "Turn on 2FA", "OKX confirms a new key with your 2FA code (an authenticator app).", Role.TWO_FACTOR),
    Step(3, "Open the API page", "Profile → API (in the app: Menu → API).", Role.IMPLIED),
    Step(
        4,
        "Create an API key",
        "Create API key. For demo trading: Trade → Demo Trading → Personal Center → Demo Trading API.",
        Role.ENVIRONMENT,
    ),
    Step(5, "Name it; Purpose: API trading", "Any name; for Purpose choose API trading, not a third-party app."),
    Step(
        6,
        "Allow this box's IP",
        "Add this box's IP to the allowlist: without one, a key with Trade or Withdraw expires after 14 days unused.",
        Role.IP,
    ),
    Step(7, "Permissions: Read and Trade", "Read and Trade; never Withdraw for a trading bot.", Role.PERMISSIONS),
    Step(8, "Set a passphrase", "Save it safely: OKX keeps only a hash of it and cannot show it again.", Role.PASSPHRASE),
    Step(9, "Confirm with 2FA", "Enter your 2FA code to create the key.", Role.IMPLIED),
    Step(10, "Copy the API key and secret key", "The secret key is shown once: copy both in one piece.", Role.COPY),
    Step(
        11,
        "Futures mode for futures",
        "Only if you trade futures: set the account mode on OKX to Futures mode or above (not Spot mode).",
        Role.FUTURES,
    ),
    Step(12, "Connect it here", "My Exchanges → Add new exchange → OKX → Connect (--site eea or us for those).", Role.CONNECT),
)


def _permissions(report: KeyReport) -> tuple[Mark, str]:
    if report.can_withdraw:
        return Mark.WARNING, "the key can withdraw: create a key without Withdraw"
    if "trade" not in report.permissions:
        return Mark.FAILED, "the key cannot trade (Read only): edit it on OKX and add Trade"
    return Mark.DONE, "Read and Trade, no withdrawals"


def _futures(report: KeyReport) -> tuple[Mark, str]:
    mode = report.account_mode
    if mode is AccountMode.SPOT:
        return Mark.WARNING, (
            "Spot mode cannot hold futures positions: to trade futures, switch the account mode on OKX's web "
            "or app to Futures mode (or a margin mode)"
        )
    if mode is None:
        return Mark.UNKNOWN, "OKX did not say the account mode"
    return Mark.DONE, f"{mode.value} mode: futures can be traded"


GUIDE = Guide("OKX", STEPS, _permissions, _futures)
