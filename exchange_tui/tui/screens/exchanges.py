"""My Exchanges: every account with its status, balance, key prefix and ages; the home screen.

Once an account's key is known to connect (the startup check, or the index's last check), a
worker per account follows its balances (:meth:`AccountService.watch`): the total and the
status move with every push or poll, and a failed reading marks the row stale.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Static

from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.tui.messages import (
    AccountBalancesUpdated,
    AccountChecked,
    AccountRemoved,
    AccountsLoaded,
    ActionFailed,
)
from exchange_tui.tui.wording import (
    CHECKING,
    CONNECTED,
    age,
    key_age,
    money,
    record_status,
    report_status,
    watch_status,
)

if TYPE_CHECKING:
    from decimal import Decimal

    from exchange_tui.service import BalanceSnapshot
    from exchange_tui.store import AccountRecord
    from exchange_tui.tui.app import ExchangeApp

COLUMNS = (
    ("Exch.", "exchange", 6),
    ("Label", "label", 10),
    ("Status", "status", 16),
    ("USDT", "total", 9),
    ("Key", "key", 8),
    ("Checked", "checked", 8),
    ("Key age", "rotated", 7),
)


class HomeScreen(Screen):
    """The list of connected accounts ("My Exchanges")."""

    app: ExchangeApp

    SUB_TITLE = "My Exchanges"
    BINDINGS = [
        Binding("a,f2", "add_exchange", "Add", id="add-exchange", tooltip="Add new exchange"),
        Binding("enter,f9", "open_balances", "Balances", id="open-balances", tooltip="Live balances"),
        Binding("c,f5", "check_now", "Check", id="check-now", tooltip="Check the key now"),
        Binding("r,f3", "rotate_key", "Replace", id="rotate-key", tooltip="Replace the API key"),
        Binding("x,delete,f8", "remove_account", "Remove", id="remove-account", tooltip="Remove the account"),
        Binding("k,f4", "open_checklist", "Checklist", id="checklist", tooltip="The guide's steps"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.watched: dict[str, str] = {}
        """The accounts whose balances are followed, by key: the key prefix each watch started with."""
        self.readings: dict[str, BalanceSnapshot] = {}
        """The latest reading of each watched account (good or failed)."""
        self.totals: dict[str, Decimal] = {}
        """The latest good total of each watched account."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static("My Exchanges", classes="title")
            table: DataTable[str] = DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
            for title, key, width in COLUMNS:
                table.add_column(title, key=key, width=width)
            yield table
            with Vertical(id="empty"):
                yield Static("No exchange connected yet.", classes="title")
                yield Static("Connect your first API key: press a (or F2), or the button.")
                yield Button("Add new exchange", id="add-first", variant="primary", compact=True)
            yield Static("Opening the account store…", id="account-detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#accounts").display = False
        self.query_one("#empty").display = False

    # -- loading and checking ----------------------------------------------------------

    def service_ready(self, *, check: bool) -> None:
        self._check_after_load = check
        self.load_accounts()

    def show_problem(self, problem: str) -> None:
        self.query_one("#account-detail", Static).update(problem)

    @work(exclusive=True, group="accounts")
    async def load_accounts(self) -> None:
        self.post_message(AccountsLoaded(await self.app.service.accounts()))

    @on(AccountsLoaded)
    def accounts_loaded(self, message: AccountsLoaded) -> None:
        self.app.records = {record.key: record for record in message.records}
        table = self.query_one("#accounts", DataTable)
        table.clear()
        check = getattr(self, "_check_after_load", False)
        for record in message.records:
            table.add_row(*self._cells(record, CHECKING if check else self._checked_status(record)), key=record.key)
        table.display = bool(message.records)
        self.query_one("#empty").display = not message.records
        if message.records:
            table.focus()
            self._describe(self._selected_record())
        else:
            self.app.selected = None
            self.query_one("#add-first").focus()
            self.show_problem("")
        self._follow(message.records, start=not check)
        if check:
            self._check_after_load = False
            self.check_accounts([record.label for record in message.records])

    def _checked_status(self, record: AccountRecord) -> str:
        """What the latest check of the account said: this session's, else the index's."""
        report = self.app.reports.get(record.key)
        return report_status(report) if report is not None else record_status(record)

    def _cells(self, record: AccountRecord, status: str) -> tuple[str, ...]:
        now = self.app.clock()
        exchange = self.app.service.exchanges[record.exchange].name if self.app.service else record.exchange
        reading = self.readings.get(record.key)
        if reading is not None and status == CONNECTED:
            status = watch_status(reading)
        total = self.totals.get(record.key, record.last_check.total_usdt if record.last_check else None)
        checked = record.last_check.checked_at if record.last_check else None
        return (exchange, record.label, status, money(total), record.key_prefix, age(checked, now), key_age(record, now))

    # -- following balances ------------------------------------------------------------

    def _follow(self, records: list[AccountRecord], *, start: bool) -> None:
        """Stop the watches of accounts gone or given another key; with ``start``, watch every
        connected account not watched yet (else each starts once its check connects)."""
        current = {record.key: record for record in records}
        for key, prefix in list(self.watched.items()):
            if key not in current or current[key].key_prefix != prefix:
                self._unwatch(key)
        if start:
            for record in records:
                if self._checked_status(record) == CONNECTED:
                    self._watch(record)

    def _watch(self, record: AccountRecord) -> None:
        if record.key in self.watched:
            return
        self.watched[record.key] = record.key_prefix
        self.run_worker(
            self.follow_balances(record.label, record.key),
            name=f"watch {record.label}",
            group=f"watch:{record.key}",
            exclusive=True,
        )

    def _unwatch(self, key: str) -> None:
        self.workers.cancel_group(self, f"watch:{key}")
        del self.watched[key]
        self.readings.pop(key, None)
        self.totals.pop(key, None)

    async def follow_balances(self, label: str, key: str) -> None:
        """Post every reading of the account's balances, for as long as the account is watched."""
        try:
            async with aclosing(self.app.service.watch(label, poll_interval=self.app.poll_seconds)) as snapshots:
                async for snapshot in snapshots:
                    self.post_message(AccountBalancesUpdated(key, snapshot))
        except Exception as problem:
            self.post_message(ActionFailed(f"{label}: live balances stopped: {problem}"))

    @on(AccountBalancesUpdated)
    def account_balances_updated(self, message: AccountBalancesUpdated) -> None:
        record = self.app.records.get(message.key)
        table = self.query_one("#accounts", DataTable)
        if message.key not in self.watched or record is None or message.key not in table.rows:
            return
        self.readings[message.key] = message.snapshot
        if message.snapshot.total_usdt is not None:
            self.totals[message.key] = message.snapshot.total_usdt
        status, total = self._cells(record, self._checked_status(record))[2:4]
        table.update_cell(message.key, "status", status)
        table.update_cell(message.key, "total", total)
        if self.app.selected == message.key:
            self._describe(record)

    @work(exclusive=True, group="checks")
    async def check_accounts(self, labels: list[str]) -> None:
        async def check(label: str) -> None:
            try:
                self.post_message(AccountChecked(await self.app.service.check(label)))
            except Exception as problem:
                self.post_message(ActionFailed(f"{label}: {problem}"))

        await asyncio.gather(*(check(label) for label in labels))

    @on(AccountChecked)
    def account_checked(self, message: AccountChecked) -> None:
        record, report = message.connected.record, message.connected.report
        self.app.records[record.key] = record
        self.app.reports[record.key] = report
        table = self.query_one("#accounts", DataTable)
        if record.key not in table.rows:
            return
        for (_, column, _), cell in zip(COLUMNS, self._cells(record, report_status(report)), strict=True):
            table.update_cell(record.key, column, cell)
        if self.app.selected == record.key:
            self._describe(record)
        if report.connected:
            self._watch(record)

    @on(ActionFailed)
    def action_failed(self, message: ActionFailed) -> None:
        self.notify(message.problem, severity="error", timeout=8)

    # -- the highlighted account -------------------------------------------------------

    def _selected_record(self) -> AccountRecord | None:
        table = self.query_one("#accounts", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.app.records.get(key)

    @on(DataTable.RowHighlighted)
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(self.app.records.get(event.row_key.value))

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open_balances()

    def _describe(self, record: AccountRecord | None) -> None:
        """The line under the table: what is wrong with the highlighted account and what to do."""
        self.app.selected = record.key if record else None
        if record is None:
            return
        report = self.app.reports.get(record.key)
        reading = self.readings.get(record.key)
        if report is not None and report.error is not None:
            text = f"{record.label}: {report.error.hint} — press k for the checklist."
        elif reading is not None and reading.error is not None:
            text = f"{record.label}: balances are stale: {reading.error.hint}"
        elif report is not None and report.warnings:
            text = f"{record.label}: {report.warnings[0]}"
        elif record.demo_trading:
            text = f"{record.label}: {EXCHANGES[record.exchange].name} demo trading. Enter opens the balances."
        else:
            text = f"{record.label}: Enter opens the balances; r replaces the key."
        self.show_problem(text)

    def _require_account(self) -> AccountRecord | None:
        record = self.app.records.get(self.app.selected or "")
        if record is None:
            self.notify("Add an account first: press a.", severity="warning")
        return record

    # -- actions -----------------------------------------------------------------------

    @on(Button.Pressed, "#add-first")
    def action_add_exchange(self) -> None:
        from exchange_tui.tui.screens.dialogs import PickExchangeScreen

        self.app.push_screen(PickExchangeScreen(), self._exchange_picked)

    def _exchange_picked(self, exchange: str | None) -> None:
        from exchange_tui.tui.screens.key_form import KeyFormScreen

        if exchange is not None:
            self.app.push_screen(KeyFormScreen(exchange))

    def action_check_now(self) -> None:
        record = self._require_account()
        if record is not None:
            self.query_one("#accounts", DataTable).update_cell(record.key, "status", CHECKING)
            self.check_accounts([record.label])

    def action_rotate_key(self) -> None:
        from exchange_tui.tui.screens.key_form import KeyFormScreen

        record = self._require_account()
        if record is not None:
            self.app.push_screen(KeyFormScreen(record.exchange, replacing=record))

    def action_remove_account(self) -> None:
        from exchange_tui.tui.screens.dialogs import ConfirmScreen

        record = self._require_account()
        if record is None:
            return
        question = f"Remove {record.label} ({record.key_prefix})? Its key is deleted from this computer; the key itself stays valid on the exchange."
        self.app.push_screen(ConfirmScreen(question, "Remove"), lambda yes: yes and self.remove_account(record.label))

    @work(exclusive=True, group="remove")
    async def remove_account(self, label: str) -> None:
        try:
            self.post_message(AccountRemoved(await self.app.service.remove(label)))
        except Exception as problem:
            self.post_message(ActionFailed(f"{label} was not removed: {problem}"))

    @on(AccountRemoved)
    def account_removed(self, message: AccountRemoved) -> None:
        self.app.reports.pop(message.record.key, None)
        if message.record.key in self.watched:
            self._unwatch(message.record.key)
        self.notify(f"Removed {message.record.label}.")
        self.load_accounts()

    def action_open_balances(self) -> None:
        from exchange_tui.tui.screens.balances import BalancesScreen

        record = self._require_account()
        if record is not None:
            self.app.push_screen(BalancesScreen(record))

    def action_open_checklist(self) -> None:
        from exchange_tui.tui.screens.checklist import ChecklistScreen

        record = self._require_account()
        if record is not None:
            self.app.push_screen(ChecklistScreen(record.exchange, self.app.reports.get(record.key), record.label))

    def on_screen_resume(self) -> None:
        if self.app.service is not None:
            self.load_accounts()
