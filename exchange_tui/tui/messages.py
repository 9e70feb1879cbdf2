"""What workers report, in the past tense: handlers on the screens change the widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from exchange_tui.models import KeyReport
    from exchange_tui.service import AccountService, BalanceSnapshot, Connected
    from exchange_tui.store import AccountRecord


class ServiceOpened(Message):
    def __init__(self, service: AccountService) -> None:
        super().__init__()
        self.service = service


class ServiceFailed(Message):
    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class AccountsLoaded(Message):
    def __init__(self, records: list[AccountRecord]) -> None:
        super().__init__()
        self.records = records


class AccountChecked(Message):
    def __init__(self, connected: Connected) -> None:
        super().__init__()
        self.connected = connected


class AccountRemoved(Message):
    def __init__(self, record: AccountRecord) -> None:
        super().__init__()
        self.record = record


class ActionFailed(Message):
    """A flow failed for a reason that is not the key's (the store, a lock, a vanished account)."""

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class KeyConnected(Message):
    def __init__(self, connected: Connected) -> None:
        super().__init__()
        self.connected = connected


class KeyRejected(Message):
    def __init__(self, report: KeyReport) -> None:
        super().__init__()
        self.report = report


class InputRejected(Message):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__()
        self.field = field
        self.problem = problem


class MasterPasswordChanged(Message):
    def __init__(self, entries: int) -> None:
        super().__init__()
        self.entries = entries


class BalancesUpdated(Message):
    """A good reading for the balances screen; a newer one replaces it while it waits."""

    def __init__(self, snapshot: BalanceSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BalancesUpdated)


class BalancesFailed(Message):
    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class AccountBalancesUpdated(Message):
    """A reading (good, or failed with ``snapshot.error``) of one account watched from My Exchanges.

    A newer reading of the same account replaces it while it waits, so bursts cost one repaint.
    """

    def __init__(self, key: str, snapshot: BalanceSnapshot) -> None:
        super().__init__()
        self.key = key
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AccountBalancesUpdated) and message.key == self.key
