"""The TUI's state, in one object: the app makes it and hands it to every screen it opens.

It holds the account service once the store is open, the accounts (records by key), the last
key report of each, the highlighted account, and one live watch per account that every screen
showing the account shares. It imports no Textual: screens listen to a watch and turn what it
reads into their own messages.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import TYPE_CHECKING, Protocol

from exchange_tui.tui.wording import Clock, wall_clock

if TYPE_CHECKING:
    from decimal import Decimal

    from exchange_tui.models import KeyReport
    from exchange_tui.service import AccountService, BalanceSnapshot, Connected
    from exchange_tui.store import AccountRecord
    from exchange_tui.tui.demo import DemoKeys


class WatchListener(Protocol):
    """A screen that shows an account's balances."""

    def balances_read(self, key: str, snapshot: BalanceSnapshot) -> None:
        """A reading, good or failed (``snapshot.error``)."""

    def watch_stopped(self, key: str, problem: str) -> None:
        """The watch ended on an error: it reads nothing more."""


class AccountWatch:
    """One task iterating ``service.watch(label)``: its latest reading, and who listens."""

    def __init__(self, service: AccountService, record: AccountRecord, poll_seconds: float) -> None:
        self.service = service
        self.key = record.key
        self.label = record.label
        self.key_prefix = record.key_prefix
        self.poll_seconds = poll_seconds
        self.latest: BalanceSnapshot | None = None
        """The latest reading (good or failed)."""
        self.total_usdt: Decimal | None = None
        """The latest good total."""
        self.listeners: list[WatchListener] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._follow(), name=f"watch {self.label}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def listen(self, listener: WatchListener) -> None:
        """Add a listener; it hears the latest reading at once, if there is one."""
        if listener not in self.listeners:
            self.listeners.append(listener)
        if self.latest is not None:
            listener.balances_read(self.key, self.latest)

    async def _follow(self) -> None:
        try:
            async with aclosing(self.service.watch(self.label, poll_interval=self.poll_seconds)) as snapshots:
                async for snapshot in snapshots:
                    self.latest = snapshot
                    if snapshot.total_usdt is not None:
                        self.total_usdt = snapshot.total_usdt
                    for listener in list(self.listeners):
                        listener.balances_read(self.key, snapshot)
        except Exception as problem:
            for listener in list(self.listeners):
                listener.watch_stopped(self.key, str(problem))


class TuiState:
    """What every screen reads; changed only through its methods."""

    def __init__(
        self,
        *,
        service: AccountService | None = None,
        clock: Clock = wall_clock,
        poll_seconds: float = 3.0,
        demo_keys: DemoKeys | None = None,
        demo: bool = False,
    ) -> None:
        self.service = service
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.demo_keys = demo_keys
        self.demo = demo
        """A demo session: its demo keys come once the service is open."""
        self.records: dict[str, AccountRecord] = {}
        self.reports: dict[str, KeyReport] = {}
        self.selected: str | None = None
        self.watches: dict[str, AccountWatch] = {}

    def selected_record(self) -> AccountRecord | None:
        return self.records.get(self.selected or "")

    # -- what happened -----------------------------------------------------------------

    async def accounts_loaded(self, records: list[AccountRecord]) -> None:
        """The store's accounts; the watches of accounts gone, or given another key, stop."""
        self.records = {record.key: record for record in records}
        for key, watch in list(self.watches.items()):
            record = self.records.get(key)
            if record is None or record.key_prefix != watch.key_prefix:
                await self._drop(key)

    def checked(self, connected: Connected) -> None:
        record = connected.record
        self.records[record.key] = record
        self.reports[record.key] = connected.report

    def key_connected(self, connected: Connected) -> None:
        """An account added, or its key replaced: it is the highlighted one now."""
        self.checked(connected)
        self.selected = connected.record.key

    async def removed(self, record: AccountRecord) -> None:
        self.records.pop(record.key, None)
        self.reports.pop(record.key, None)
        await self._drop(record.key)

    # -- live balances -----------------------------------------------------------------

    def watch(self, record: AccountRecord, listener: WatchListener) -> AccountWatch:
        """The account's one live watch, started if it is not running yet, with ``listener`` on it."""
        watch = self.watches.get(record.key)
        if watch is None:
            watch = self.watches[record.key] = AccountWatch(self.service, record, self.poll_seconds)
            watch.start()
        watch.listen(listener)
        return watch

    async def unwatch(self, key: str, listener: WatchListener) -> None:
        """``listener`` stops listening; the watch stops with its last listener."""
        watch = self.watches.get(key)
        if watch is None:
            return
        if listener in watch.listeners:
            watch.listeners.remove(listener)
        if not watch.listeners:
            await self._drop(key)

    async def restart_watch(self, key: str) -> None:
        """Connect the account's watch again; its listeners stay on it."""
        watch = self.watches.get(key)
        if watch is not None:
            await watch.stop()
            watch.start()

    def last_total(self, record: AccountRecord) -> Decimal | None:
        """The account's latest known total: its watch's, else its last check's."""
        watch = self.watches.get(record.key)
        if watch is not None and watch.total_usdt is not None:
            return watch.total_usdt
        return record.last_check.total_usdt if record.last_check else None

    def total(self) -> Decimal | None:
        """The latest known totals of every account added up; ``None`` when none is known."""
        known = [total for total in map(self.last_total, self.records.values()) if total is not None]
        return sum(known[1:], known[0]) if known else None

    async def _drop(self, key: str) -> None:
        watch = self.watches.pop(key, None)
        if watch is not None:
            await watch.stop()

    async def aclose(self) -> None:
        """Stop every watch, then close the service."""
        for key in list(self.watches):
            await self._drop(key)
        if self.service is not None:
            await self.service.aclose()
