"""Live balances: pushed by the exchange (polled while its stream is down), from the account's one live
watch (shared with My Exchanges); stale when readings fail or stop."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from exchange_tui.tui.messages import BalancesFailed, BalancesUpdated
from exchange_tui.tui.wording import amount, key_times, money, recent_age

if TYPE_CHECKING:
    from exchange_tui.models import BalanceSource
    from exchange_tui.service import BalanceSnapshot
    from exchange_tui.store import AccountRecord
    from exchange_tui.tui.state import TuiState

STALE_AFTER_POLLS = 3
HISTORY = 120


class BalancesScreen(Screen):
    """One account's spot and futures assets, their USDT value and the total over the session."""

    SUB_TITLE = "Balances"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="balances-back"),
        Binding("u,f5", "refresh_now", "Refresh", id="refresh-balances", tooltip="Refresh now"),
        Binding("k,f4", "open_checklist", "Checklist", id="balances-checklist"),
    ]

    def __init__(self, state: TuiState, record: AccountRecord) -> None:
        super().__init__()
        self.state = state
        self.record = record
        self.totals: list[float] = []
        self.last_update: datetime | None = None
        self.source: BalanceSource | None = None
        self.problem: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="balances"):
            yield Static(f"Balances · {self.record.label}", classes="title")
            now = self.state.clock()
            for line in key_times(self.record, now, self.state.service.key_max_age_days):
                yield Static("! " + escape(line), classes="warning key-time")
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
        self.state.watch(self.record, self)
        self.set_interval(1.0, self._show_freshness, name="balance age")

    async def on_unmount(self) -> None:
        await self.state.unwatch(self.record.key, self)

    def balances_read(self, key: str, snapshot: BalanceSnapshot) -> None:
        if snapshot.error is not None:
            self.post_message(BalancesFailed(snapshot.error.hint))
        else:
            self.post_message(BalancesUpdated(snapshot))

    def watch_stopped(self, key: str, problem: str) -> None:
        self.post_message(BalancesFailed(problem))

    async def action_refresh_now(self) -> None:
        """Connect the account's watch again (every screen following it gets the new readings)."""
        await self.state.restart_watch(self.record.key)

    @on(BalancesUpdated)
    def balances_updated(self, message: BalancesUpdated) -> None:
        snapshot = message.snapshot
        self.problem = None
        self.source = snapshot.source
        self.last_update = self.state.clock()
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
        now = self.state.clock()
        since = recent_age(self.last_update, now) if self.last_update else "never"
        polled_too_long_ago = self.source == "polling" and now - self.last_update > timedelta(
            seconds=self.state.poll_seconds * STALE_AFTER_POLLS
        )
        stale = self.problem is not None or polled_too_long_ago
        freshness = self.query_one("#freshness", Static)
        if stale:
            why = f": {escape(self.problem)}" if self.problem else ""
            freshness.update(f"STALE · last update {since}{why}")
        elif self.source == "live":
            freshness.update(f"live · last change {since}")
        else:
            freshness.update(f"polling every {self.state.poll_seconds:g} s · updated {since}")
        freshness.set_class(stale, "-stale")

    def action_open_checklist(self) -> None:
        from exchange_tui.tui.screens.checklist import ChecklistScreen

        self.app.push_screen(ChecklistScreen(self.record.exchange, self.state.reports.get(self.record.key), self.record.label))
