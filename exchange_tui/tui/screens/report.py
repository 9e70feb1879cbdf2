"""The outcome of a successful add or replace: "Connected", with what the exchange said of the key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from exchange_tui.tui.wording import money

if TYPE_CHECKING:
    from exchange_tui.service import Connected
    from exchange_tui.tui.app import ExchangeApp


class ConnectedScreen(Screen):
    """Connected: uid, permissions, IP whitelist, warnings and the trading balance."""

    app: ExchangeApp

    SUB_TITLE = "Connected"
    BINDINGS = [
        Binding("enter,escape", "app.pop_screen", "Done", id="report-done"),
        Binding("b,f9", "open_balances", "Balances", id="report-balances"),
        Binding("k,f4", "open_checklist", "Checklist", id="report-checklist"),
    ]

    def __init__(self, connected: Connected, *, replaced: bool) -> None:
        super().__init__()
        self.connected = connected
        self.replaced = replaced

    def compose(self) -> ComposeResult:
        record, report = self.connected.record, self.connected.report
        exchange = self.app.service.exchanges[record.exchange].name
        mode = report.account_mode.value if report.account_mode else "classic"
        demo = ", demo trading" if report.demo_trading else ""
        done = "key replaced" if self.replaced else "account added"
        yield Header()
        with VerticalScroll(id="report"):
            yield Static(f"✔ Connected: {exchange} · {record.label} ({done})", classes="title connected")
            yield Static(f"Key {record.key_prefix}   uid {report.uid or '?'}   {mode} account{demo}")
            yield Static("Permissions: " + escape(", ".join(report.permissions) or "unknown"))
            yield Static("IP whitelist: " + escape(", ".join(report.ips) or "none"))
            for warning in report.warnings:
                yield Static("! " + escape(warning), classes="warning")
            yield Static(
                f"Trading balance: [b]{money(report.total_usdt)} USDT[/b], {len(report.balances)} assets",
                classes="total",
            )
            yield Static("Enter: back to My Exchanges · b: live balances · k: checklist", classes="hint")
        yield Footer(compact=True, show_command_palette=False)

    def action_open_balances(self) -> None:
        from exchange_tui.tui.screens.balances import BalancesScreen

        self.app.switch_screen(BalancesScreen(self.connected.record))

    def action_open_checklist(self) -> None:
        from exchange_tui.tui.screens.checklist import ChecklistScreen

        self.app.push_screen(ChecklistScreen(self.connected.record.exchange, self.connected.report, self.connected.record.label))
