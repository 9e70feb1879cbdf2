"""Live balances: pushed by the exchange (polled while its stream is down) in a worker; stale when readings fail or stop."""

from __future__ import annotations

from contextlib import aclosing
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
from exchange_tui.tui.wording import amount, money, recent_age

if TYPE_CHECKING:
    from exchange_tui.models import BalanceSource
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
        self.source: BalanceSource | None = None
        self.problem: str | None = None

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
        self.watch_balances()
        self.set_interval(1.0, self._show_freshness, name="balance age")

    @work(exclusive=True, group="balances")
    async def watch_balances(self) -> None:
        """Follow the account's balances (pushed, or polled while the stream is down) until the screen goes."""
        try:
            async with aclosing(self.app.service.watch(self.record.label, poll_interval=self.app.poll_seconds)) as snapshots:
                async for snapshot in snapshots:
                    if snapshot.error is not None:
                        self.post_message(BalancesFailed(snapshot.error.hint))
                    else:
                        self.post_message(BalancesUpdated(snapshot))
        except Exception as problem:
            self.post_message(BalancesFailed(str(problem)))

    def action_refresh_now(self) -> None:
        self.watch_balances()

    @on(BalancesUpdated)
    def balances_updated(self, message: BalancesUpdated) -> None:
        snapshot = message.snapshot
        self.problem = None
        self.source = snapshot.source
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
        """Where the figures come from and how old they are; stale when a reading failed, or when
        polled figures stopped coming (a live stream is quiet while nothing changes: not stale)."""
        if self.last_update is None and self.problem is None:
            return
        now = self.app.clock()
        since = recent_age(self.last_update, now) if self.last_update else "never"
        polled_too_long_ago = self.source == "polling" and now - self.last_update > timedelta(
            seconds=self.app.poll_seconds * STALE_AFTER_POLLS
        )
        stale = self.problem is not None or polled_too_long_ago
        freshness = self.query_one("#freshness", Static)
        if stale:
            why = f": {escape(self.problem)}" if self.problem else ""
            freshness.update(f"STALE · last update {since}{why}")
        elif self.source == "live":
            freshness.update(f"live · last change {since}")
        else:
            freshness.update(f"polling every {self.app.poll_seconds:g} s · updated {since}")
        freshness.set_class(stale, "-stale")

    def action_open_checklist(self) -> None:
        from exchange_tui.tui.screens.checklist import ChecklistScreen

        self.app.push_screen(ChecklistScreen(self.record.exchange, self.app.reports.get(self.record.key), self.record.label))
