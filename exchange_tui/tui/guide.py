"""The guide's steps for a Bitget API key, and what one key check says about each of them.

Plain Python (no Textual), so the checklist's logic is tested on its own. A step the app
cannot see (logging in, 2FA) is implied done once a key answers; a step it can verify is
ticked or failed from the exchange's answer, and a failed step says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from exchange_tui.exchanges.bitget.errors import ACCOUNT_STATE
from exchange_tui.models import AccountMode, KeyReport


class Mark(StrEnum):
    DONE = "done"
    FAILED = "failed"
    WARNING = "warning"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    detail: str


STEPS: tuple[Step, ...] = (
    Step(1, "Log in to Bitget", "Log in to your Bitget account, or create one."),
    Step(2, "Enable 2FA or SMS verification", "Account settings → Security: Bitget creates no API key without it."),
    Step(3, "Open API management", "From your profile, open the API Keys page."),
    Step(4, "Create a system-generated API key", "Create API key → System-generated API key."),
    Step(5, "Name it and set a passphrase", "Save the passphrase safely: Bitget cannot show it again."),
    Step(6, "Read-write permissions", "Read-write (the default); never Withdraw for a trading bot."),
    Step(7, "Orders and Futures-Holdings for futures", "Only if you trade futures: enable both."),
    Step(8, "Pass the security check", "Email code and 2FA code, then Verify."),
    Step(9, "Copy the API key and secret key", "The secret key is shown once: copy both in one piece."),
    Step(10, "Bind the key to this box's IP", "Recommended: a bound key is useless to anyone elsewhere."),
    Step(11, "Connect it here", "My Exchanges → Add new exchange → Bitget → Connect."),
)
"""The guide's steps in order, then the IP binding Bitget offers at step 6, then connecting."""

CONNECT_STEP = 11
IMPLIED_BY_A_WORKING_KEY = (1, 2, 3, 4, 8)

KEY_UNKNOWN = {"40006", "40041", "40001", "40037"}
PASSPHRASE_WRONG = {"40012", "40011", "40036"}
SECRET_WRONG = {"40009", "40002", "40003"}
IP_REFUSED = {"40018", "40038"}
TWO_FACTOR_MISSING = {"40016"}
ACCOUNT_REFUSED = set(ACCOUNT_STATE) - TWO_FACTOR_MISSING

FUTURES_WRITE = ("futures orders (read-write)", "futures holdings (read-write)")
UTA_TRADING = "UTA trading (read-write)"
UTA_MANAGEMENT = ("UTA management (read-write)", "UTA management (read-only)")


@dataclass(frozen=True)
class StepResult:
    step: Step
    mark: Mark
    note: str = ""


def _error_step(code: str) -> int:
    """The step to revisit for an exchange error code."""
    if code in KEY_UNKNOWN:
        return 9
    if code in PASSPHRASE_WRONG:
        return 5
    if code in SECRET_WRONG:
        return 9
    if code in IP_REFUSED:
        return 10
    if code in TWO_FACTOR_MISSING:
        return 2
    if code in ACCOUNT_REFUSED:
        return 1
    return CONNECT_STEP


def step_to_revisit(report: KeyReport) -> Step | None:
    """The first step a refused key points back to; ``None`` for a connected key."""
    if report.connected or report.error is None:
        return None
    return STEPS[_error_step(report.error.code) - 1]


def _futures(report: KeyReport) -> StepResult:
    step = STEPS[6]
    if report.account_mode is AccountMode.UNIFIED:
        if UTA_TRADING in report.permissions:
            return StepResult(step, Mark.DONE, "a unified account: UTA trading covers spot and futures")
        return StepResult(step, Mark.WARNING, "a unified account: to trade, edit the key on Bitget and enable UTA trading")
    if all(p in report.permissions for p in FUTURES_WRITE) and any(report.futures_access.values()):
        return StepResult(step, Mark.DONE, "futures orders and holdings are read-write")
    return StepResult(
        step, Mark.WARNING, "not both read-write: for futures, edit the key on Bitget and enable Orders and Futures-Holdings"
    )


def _permissions(report: KeyReport) -> StepResult:
    step = STEPS[5]
    if report.can_withdraw:
        return StepResult(step, Mark.WARNING, "the key can withdraw: create a key without Withdraw")
    if report.read_only:
        return StepResult(step, Mark.FAILED, "the key is read-only: edit it on Bitget and choose Read-write")
    if report.account_mode is AccountMode.UNIFIED and not any(p in report.permissions for p in UTA_MANAGEMENT):
        return StepResult(step, Mark.WARNING, "no UTA management (read): add it on Bitget to see the balances")
    return StepResult(step, Mark.DONE, "read-write, no withdrawals")


def _ip(report: KeyReport) -> StepResult:
    step = STEPS[9]
    if report.ips:
        return StepResult(step, Mark.DONE, "bound to " + ", ".join(report.ips))
    return StepResult(step, Mark.WARNING, "no IP bound: add this box's IP to the key on Bitget")


def evaluate(report: KeyReport | None) -> list[StepResult]:
    """Every step with what the report shows of it (all unknown before any check)."""
    if report is None:
        return [StepResult(step, Mark.UNKNOWN) for step in STEPS]
    if report.connected:
        return _connected(report)
    return _refused(report)


def _connected(report: KeyReport) -> list[StepResult]:
    verified = {
        5: StepResult(STEPS[4], Mark.DONE, "the passphrase matches the key"),
        6: _permissions(report),
        7: _futures(report),
        9: StepResult(STEPS[8], Mark.DONE, "the key exists and its secret signs correctly"),
        10: _ip(report),
        CONNECT_STEP: StepResult(STEPS[CONNECT_STEP - 1], Mark.DONE, "Connected"),
    }
    results = []
    for step in STEPS:
        if step.number in verified:
            results.append(verified[step.number])
        elif step.number in IMPLIED_BY_A_WORKING_KEY:
            results.append(StepResult(step, Mark.DONE, "implied: the key works"))
        else:
            results.append(StepResult(step, Mark.UNKNOWN))
    return results


def _refused(report: KeyReport) -> list[StepResult]:
    error = report.error
    assert error is not None
    failed = _error_step(error.code)
    key_answers = error.code in IP_REFUSED or error.kind == "permission_missing"
    results = []
    for step in STEPS:
        if step.number == failed:
            results.append(StepResult(step, Mark.FAILED, error.hint))
        elif step.number == CONNECT_STEP:
            results.append(StepResult(step, Mark.FAILED, f"not connected (Bitget {error.code})"))
        elif key_answers and step.number in (5, 9):
            results.append(StepResult(step, Mark.DONE, "the key, secret and passphrase were accepted"))
        else:
            results.append(StepResult(step, Mark.UNKNOWN))
    return results
