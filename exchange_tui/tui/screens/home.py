"""My Exchanges: every account with its exchange, status, balance, key prefix and ages, and the
total over them all; the home screen.

Once an account's key is known to connect (the startup check, or the index's last check), the
screen listens to the account's live watch (kept by the state, shared with the balances screen):
the total and the status move with every push or poll, and a failed reading marks the row stale.
"""

from __future__ import annotations

import asyncio
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
    key_times,
    money,
    record_status,
    report_status,
    watch_status,
)

if TYPE_CHECKING:
    from exchange_tui.service import BalanceSnapshot
    from exchange_tui.store import AccountRecord
    from exchange_tui.tui.state import TuiState

COLUMNS = (
    ("Exch.", "exchange", 7),
    ("Label", "label", 9),
    ("Status", "status", 16),
    ("USDT", "total", 9),
    ("Key", "key", 8),
    ("Checked", "checked", 8),
    ("Key age", "rotated", 8),
)


class HomeScreen(Screen):
    """The list of connected accounts ("My Exchanges")."""

    SUB_TITLE = "My Exchanges"
    BINDINGS = [
        Binding("a,f2", "add_exchange", "Add", id="add-exchange", tooltip="Add new exchange"),
        Binding("enter,f9", "open_balances", "Balances", id="open-balances", tooltip="Live balances"),
        Binding("c,f5", "check_now", "Check", id="check-now", tooltip="Check the key now"),
        Binding("r,f3", "rotate_key", "Replace", id="rotate-key", tooltip="Replace the API key"),
        Binding("x,delete,f8", "remove_account", "Remove", id="remove-account", tooltip="Remove the account"),
        Binding("k,f4", "open_checklist", "Checklist", id="checklist", tooltip="The guide's steps"),
    ]

    def __init__(self, state: TuiState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static("My Exchanges", classes="title")
            table: DataTable[str] = DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
            for title, key, width in COLUMNS:
                table.add_column(title, key=key, width=width)
            yield table
            yield Static("", id="grand-total")
            with Vertical(id="empty"):
                yield Static("No exchange connected yet.", classes="title")
                yield Static("Connect your first API key: press a (or F2), or the button.")
                yield Button("Add new exchange", id="add-first", variant="primary", compact=True)
            yield Static("Opening the account store…", id="account-detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#accounts").display = False
        self.query_one("#grand-total").display = False
        self.query_one("#empty").display = False

    # -- loading and checking ----------------------------------------------------------

    def service_ready(self, *, check: bool) -> None:
        self._check_after_load = check
        self.load_accounts()

    def show_problem(self, problem: str) -> None:
        self.query_one("#account-detail", Static).update(problem)

    @work(exclusive=True, group="accounts")
    async def load_accounts(self) -> None:
        self.post_message(AccountsLoaded(await self.state.service.accounts()))

    @on(AccountsLoaded)
    async def accounts_loaded(self, message: AccountsLoaded) -> None:
        await self.state.accounts_loaded(message.records)
        table = self.query_one("#accounts", DataTable)
        table.clear()
        check = getattr(self, "_check_after_load", False)
        for record in message.records:
            table.add_row(*self._cells(record, CHECKING if check else self._checked_status(record)), key=record.key)
        table.display = bool(message.records)
        self.query_one("#grand-total").display = bool(message.records)
        self.query_one("#empty").display = not message.records
        if message.records:
            table.focus()
            self._describe(self._selected_record())
        else:
            self.state.selected = None
            self.query_one("#add-first").focus()
            self.show_problem("")
        if not check:
            for record in message.records:
                if self._checked_status(record) == CONNECTED:
                    self.state.watch(record, self)
        self._show_total()
        if check:
            self._check_after_load = False
            self.check_accounts([record.label for record in message.records])

    def _checked_status(self, record: AccountRecord) -> str:
        """What the latest check of the account said: this session's, else the index's."""
        report = self.state.reports.get(record.key)
        return report_status(report) if report is not None else record_status(record)

    def _cells(self, record: AccountRecord, status: str) -> tuple[str, ...]:
        now = self.state.clock()
        exchange = EXCHANGES[record.exchange].name
        reading = self._reading(record.key)
        if reading is not None and status == CONNECTED:
            status = watch_status(reading)
        total = self.state.last_total(record)
        checked = record.last_check.checked_at if record.last_check else None
        age_of_key = key_age(record, now, self.state.service.key_max_age_days)
        return (exchange, record.label, status, money(total), record.key_prefix, age(checked, now), age_of_key)

    def _show_total(self) -> None:
        """The line under the table: every account's latest known total, added up."""
        count = len(self.state.records)
        accounts = "account" if count == 1 else "accounts"
        self.query_one("#grand-total", Static).update(f"Total over {count} {accounts}: [b]{money(self.state.total())}[/b] USDT")

    # -- following balances ------------------------------------------------------------

    def _reading(self, key: str) -> BalanceSnapshot | None:
        """The latest reading of the account, if this screen follows its watch."""
        watch = self.state.watches.get(key)
        return watch.latest if watch is not None and self in watch.listeners else None

    def balances_read(self, key: str, snapshot: BalanceSnapshot) -> None:
        self.post_message(AccountBalancesUpdated(key, snapshot))

    def watch_stopped(self, key: str, problem: str) -> None:
        record = self.state.records.get(key)
        label = record.label if record else key
        self.post_message(ActionFailed(f"{label}: live balances stopped: {problem}"))

    @on(AccountBalancesUpdated)
    def account_balances_updated(self, message: AccountBalancesUpdated) -> None:
        record = self.state.records.get(message.key)
        table = self.query_one("#accounts", DataTable)
        if self._reading(message.key) is None or record is None or message.key not in table.rows:
            return
        status, total = self._cells(record, self._checked_status(record))[2:4]
        table.update_cell(message.key, "status", status)
        table.update_cell(message.key, "total", total)
        self._show_total()
        if self.state.selected == message.key:
            self._describe(record)

    @work(exclusive=True, group="checks")
    async def check_accounts(self, labels: list[str]) -> None:
        async def check(label: str) -> None:
            try:
                self.post_message(AccountChecked(await self.state.service.check(label)))
            except Exception as problem:
                self.post_message(ActionFailed(f"{label}: {problem}"))

        await asyncio.gather(*(check(label) for label in labels))

    @on(AccountChecked)
    def account_checked(self, message: AccountChecked) -> None:
        record, report = message.connected.record, message.connected.report
        self.state.checked(message.connected)
        table = self.query_one("#accounts", DataTable)
        if record.key not in table.rows:
            return
        for (_, column, _), cell in zip(COLUMNS, self._cells(record, report_status(report)), strict=True):
            table.update_cell(record.key, column, cell)
        self._show_total()
        if self.state.selected == record.key:
            self._describe(record)
        if report.connected:
            self.state.watch(record, self)

    @on(ActionFailed)
    def action_failed(self, message: ActionFailed) -> None:
        self.notify(message.problem, severity="error", timeout=8)

    # -- the highlighted account -------------------------------------------------------

    def _selected_record(self) -> AccountRecord | None:
        table = self.query_one("#accounts", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.state.records.get(key)

    @on(DataTable.RowHighlighted)
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(self.state.records.get(event.row_key.value))

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open_balances()

    def _describe(self, record: AccountRecord | None) -> None:
        """The line under the table: what is wrong with the highlighted account and what to do."""
        self.state.selected = record.key if record else None
        if record is None:
            return
        report = self.state.reports.get(record.key)
        reading = self._reading(record.key)
        times = key_times(record, self.state.clock(), self.state.service.key_max_age_days)
        if report is not None and report.error is not None:
            text = f"{record.label}: {report.error.hint} — press k for the checklist."
        elif reading is not None and reading.error is not None:
            text = f"{record.label}: balances are stale: {reading.error.hint}"
        elif times:
            text = f"{record.label}: {times[0]}."
        elif report is not None and report.warnings:
            text = f"{record.label}: {report.warnings[0]}"
        elif record.demo_trading:
            text = f"{record.label}: {EXCHANGES[record.exchange].name} demo trading. Enter opens the balances."
        else:
            text = f"{record.label}: Enter opens the balances; r replaces the key."
        self.show_problem(text)

    def _require_account(self) -> AccountRecord | None:
        record = self.state.selected_record()
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
            self.app.push_screen(KeyFormScreen(self.state, exchange))

    def action_check_now(self) -> None:
        record = self._require_account()
        if record is not None:
            self.query_one("#accounts", DataTable).update_cell(record.key, "status", CHECKING)
            self.check_accounts([record.label])

    def action_rotate_key(self) -> None:
        from exchange_tui.tui.screens.key_form import KeyFormScreen

        record = self._require_account()
        if record is not None:
            self.app.push_screen(KeyFormScreen(self.state, record.exchange, replacing=record))

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
            self.post_message(AccountRemoved(await self.state.service.remove(label)))
        except Exception as problem:
            self.post_message(ActionFailed(f"{label} was not removed: {problem}"))

    @on(AccountRemoved)
    async def account_removed(self, message: AccountRemoved) -> None:
        await self.state.removed(message.record)
        self.notify(f"Removed {message.record.label}.")
        self.load_accounts()

    def action_open_balances(self) -> None:
        from exchange_tui.tui.screens.balances import BalancesScreen

        record = self._require_account()
        if record is not None:
            self.app.push_screen(BalancesScreen(self.state, record))

    def action_open_checklist(self) -> None:
        from exchange_tui.tui.screens.checklist import ChecklistScreen

        record = self._require_account()
        if record is not None:
            self.app.push_screen(ChecklistScreen(record.exchange, self.state.reports.get(record.key), record.label))

    def on_screen_resume(self) -> None:
        if self.state.service is not None:
            self.load_accounts()
