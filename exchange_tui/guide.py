"""A guide to one exchange's API key, step by step, and what one key check says about each step.

Each exchange writes its own steps (its ``guide.py``), giving each a :class:`Role`: what a key
check can tell about it. The judging here is shared: a step the app cannot see (logging in,
2FA) is implied done once a key answers; a step it can verify is ticked or failed from the
report, and a failed step says what to do. What only the exchange can judge (are these
permissions right for a bot, can this account trade futures) is its guide's ``permissions``
and ``futures`` functions.

Plain Python (no Textual), so the checklist's logic is tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from exchange_tui.models import KeyReport, Reason


class Mark(StrEnum):
    DONE = "done"
    FAILED = "failed"
    WARNING = "warning"
    UNKNOWN = "unknown"


class Role(StrEnum):
    """What a key check can tell about a step."""

    ACCOUNT = "account"
    """Having an account the exchange serves: implied by a working key, failed when it is restricted."""
    TWO_FACTOR = "two_factor"
    IMPLIED = "implied"
    """Anything else a working key could not exist without (opening the API page, a security check)."""
    ENVIRONMENT = "environment"
    """Creating the key in the right place (live or demo trading, the right site)."""
    PASSPHRASE = "passphrase"
    PERMISSIONS = "permissions"
    FUTURES = "futures"
    COPY = "copy"
    """Copying the key and its secret whole."""
    IP = "ip"
    CONNECT = "connect"
    UNSEEN = "unseen"
    """A step no check can see."""


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    detail: str
    role: Role = Role.UNSEEN


@dataclass(frozen=True)
class StepResult:
    step: Step
    mark: Mark
    note: str = ""


Judge = Callable[[KeyReport], tuple[Mark, str]]


@dataclass(frozen=True)
class Guide:
    """One exchange's steps, and its judgement of the steps only it can judge."""

    exchange: str
    """The exchange's name, as the notes say it ("no IP bound: add this box's IP to the key on …")."""
    steps: tuple[Step, ...]
    permissions: Judge
    futures: Judge

    def step(self, role: Role) -> Step | None:
        return next((step for step in self.steps if step.role is role), None)


FAILED_STEP = {
    Reason.KEY_UNKNOWN: Role.COPY,
    Reason.SECRET_WRONG: Role.COPY,
    Reason.CREDENTIAL_MISSING: Role.COPY,
    Reason.PASSPHRASE_WRONG: Role.PASSPHRASE,
    Reason.IP_REFUSED: Role.IP,
    Reason.TWO_FACTOR_MISSING: Role.TWO_FACTOR,
    Reason.ACCOUNT_RESTRICTED: Role.ACCOUNT,
    Reason.PERMISSION_MISSING: Role.PERMISSIONS,
    Reason.ACCOUNT_MODE: Role.FUTURES,
    Reason.WRONG_ENVIRONMENT: Role.ENVIRONMENT,
    Reason.WRONG_SITE: Role.ENVIRONMENT,
}
"""The step a refusal points back to; any other refusal fails the connecting step."""

KEY_ANSWERED = {Reason.IP_REFUSED, Reason.PERMISSION_MISSING}
"""Refusals that come only once the key, secret and passphrase were accepted."""

IMPLIED_BY_A_WORKING_KEY = {Role.ACCOUNT, Role.TWO_FACTOR, Role.IMPLIED, Role.ENVIRONMENT}


def step_to_revisit(guide: Guide, report: KeyReport) -> Step | None:
    """The first step a refused key points back to; ``None`` for a connected key."""
    if report.connected or report.error is None:
        return None
    role = FAILED_STEP.get(report.error.reason, Role.CONNECT) if report.error.reason else Role.CONNECT
    return guide.step(role) or guide.step(Role.CONNECT)


def evaluate(guide: Guide, report: KeyReport | None) -> list[StepResult]:
    """Every step with what the report shows of it (all unknown before any check)."""
    if report is None:
        return [StepResult(step, Mark.UNKNOWN) for step in guide.steps]
    if report.connected:
        return [_connected(guide, step, report) for step in guide.steps]
    return _refused(guide, report)


def _connected(guide: Guide, step: Step, report: KeyReport) -> StepResult:
    if step.role is Role.PERMISSIONS:
        return StepResult(step, *guide.permissions(report))
    if step.role is Role.FUTURES:
        return StepResult(step, *guide.futures(report))
    if step.role is Role.PASSPHRASE:
        return StepResult(step, Mark.DONE, "the passphrase matches the key")
    if step.role is Role.COPY:
        return StepResult(step, Mark.DONE, "the key exists and its secret signs correctly")
    if step.role is Role.IP:
        if report.ips:
            return StepResult(step, Mark.DONE, "bound to " + ", ".join(report.ips))
        if report.ip_restricted:
            return StepResult(step, Mark.DONE, f"bound to trusted IPs ({guide.exchange} does not show which)")
        return StepResult(step, Mark.WARNING, f"no IP bound: add this box's IP to the key on {guide.exchange}")
    if step.role is Role.CONNECT:
        return StepResult(step, Mark.DONE, "Connected")
    if step.role in IMPLIED_BY_A_WORKING_KEY:
        return StepResult(step, Mark.DONE, "implied: the key works")
    return StepResult(step, Mark.UNKNOWN)


def _refused(guide: Guide, report: KeyReport) -> list[StepResult]:
    error = report.error
    assert error is not None
    failed = step_to_revisit(guide, report)
    key_answers = error.reason in KEY_ANSWERED
    accepted = (
        "the key, secret and passphrase were accepted" if guide.step(Role.PASSPHRASE) else "the key and its secret were accepted"
    )
    results = []
    for step in guide.steps:
        if step == failed:
            results.append(StepResult(step, Mark.FAILED, error.hint))
        elif step.role is Role.CONNECT:
            results.append(StepResult(step, Mark.FAILED, f"not connected ({guide.exchange} {error.code})"))
        elif key_answers and step.role in (Role.PASSPHRASE, Role.COPY):
            results.append(StepResult(step, Mark.DONE, accepted))
        else:
            results.append(StepResult(step, Mark.UNKNOWN))
    return results
