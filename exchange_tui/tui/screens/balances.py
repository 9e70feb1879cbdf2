"""Live balances: polled in a worker every few seconds, never blocking input; stale when updates stop."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from exchange_tui.tui.messages import BalancesFailed, BalancesUpdated
from exchange_tui.tui.wording import age, amount, money

if TYPE_CHECKING:
    from exchange_tui.store import AccountRecord
    from exchange_tui.tui.app import ExchangeApp

STALE_AFTER_POLLS = 3
HISTORY = 120


class BalancesScreen(Screen):
    """One account's spot and futures assets, their USDT value and the total over the session."""

    app: ExchangeApp

    SUB_TITLE = "Balances"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="balances-back"),
        Binding("u,f5", "refresh_now", "Refresh", id="refresh-balances", tooltip="Refresh now"),
        Binding("k,f4", "open_checklist", "Checklist", id="balances-checklist"),
    ]

    def __init__(self, record: AccountRecord) -> None:
        super().__init__()
        self.record = record
        self.totals: list[float] = []
        self.last_update: datetime | None = None
        self.problem: str | None = None
        self._wake = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="balances"):
            yield Static(f"Balances · {self.record.label}", classes="title")
            yield Static("waiting for the first update…", id="freshness")
            with Horizontal(id="total-row"):
                yield Static("Total —", id="total")
                yield Sparkline([], id="history")
            table: DataTable[str] = DataTable(id="balance-table", cursor_type="row", zebra_stripes=True)
            table.add_column("Account", width=13)
            table.add_column("Coin", width=6)
            for title in ("Available", "Frozen/locked", "USDT value"):
                table.add_column(title, width=14)
            yield table
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.poll()
        self.set_interval(1.0, self._show_freshness, name="balance age")

    @work(exclusive=True, group="balances")
    async def poll(self) -> None:
        """Ask for balances now, then every few seconds (or at once when woken), until the screen goes."""
        from exchange_tui.exchanges.errors import ExchangeError

        while True:
            try:
                self.post_message(BalancesUpdated(await self.app.service.balances(self.record.label)))
            except ExchangeError as problem:
                self.post_message(BalancesFailed(problem.hint))
            except Exception as problem:
                self.post_message(BalancesFailed(str(problem)))
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.app.poll_seconds)
            except TimeoutError:
                pass

    def action_refresh_now(self) -> None:
        self._wake.set()

    @on(BalancesUpdated)
    def balances_updated(self, message: BalancesUpdated) -> None:
        snapshot = message.snapshot
        self.problem = None
        self.last_update = self.app.clock()
        table = self.query_one("#balance-table", DataTable)
        table.clear()
        for balance in snapshot.balances:
            table.add_row(
                balance.account,
                balance.coin,
                amount(balance.available),
                amount(balance.frozen + balance.locked),
                money(balance.usdt_value),
            )
        self.totals = (self.totals + [float(snapshot.total_usdt)])[-HISTORY:]
        self.query_one("#history", Sparkline).data = self.totals
        self.query_one("#total", Static).update(f"Total [b]{money(snapshot.total_usdt)}[/b] USDT")
        self._show_freshness()

    @on(BalancesFailed)
    def balances_failed(self, message: BalancesFailed) -> None:
        self.problem = message.problem
        self._show_freshness()

    def _show_freshness(self) -> None:
        now = self.app.clock()
        stale_after = timedelta(seconds=self.app.poll_seconds * STALE_AFTER_POLLS)
        stale = self.problem is not None or (self.last_update is not None and now - self.last_update > stale_after)
        freshness = self.query_one("#freshness", Static)
        if self.last_update is None and self.problem is None:
            return
        since = age(self.last_update, now) if self.last_update else "never"
        if stale:
            why = f": {escape(self.problem)}" if self.problem else ""
            freshness.update(f"STALE · last update {since}{why}")
        else:
            freshness.update(f"live · updated {since}")
        freshness.set_class(stale, "-stale")

    def action_open_checklist(self) -> None:
        from exchange_tui.tui.screens.checklist import ChecklistScreen

        self.app.push_screen(ChecklistScreen(self.app.reports.get(self.record.key), self.record.label))
