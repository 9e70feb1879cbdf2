"""Help (F1): every key of every screen, taken from the bindings themselves so it cannot drift."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from exchange_tui.tui.screens.balances import BalancesScreen
from exchange_tui.tui.screens.checklist import ChecklistScreen
from exchange_tui.tui.screens.dialogs import ConfirmScreen
from exchange_tui.tui.screens.home import HomeScreen
from exchange_tui.tui.screens.key_form import KeyFormScreen
from exchange_tui.tui.screens.connected import ConnectedScreen

EXTRA = {
    "Everywhere": [("ctrl+p", "Command palette")],
    "Key form": [("tab", "Next field"), ("enter", "Next; Connect")],
}


def sections(app_bindings: list[Binding]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(keys, what they do)]) for every screen, in the order a user meets them."""
    screens = [
        ("Everywhere", app_bindings),
        ("My Exchanges", HomeScreen.BINDINGS),
        ("Key form", KeyFormScreen.BINDINGS),
        ("Connected", ConnectedScreen.BINDINGS),
        ("Balances", BalancesScreen.BINDINGS),
        ("Checklist", ChecklistScreen.BINDINGS),
        ("Remove?", ConfirmScreen.BINDINGS),
    ]
    return [
        (title, [(b.key, b.tooltip or b.description) for b in bindings] + EXTRA.get(title, []))
        for title, bindings in screens
    ]


class HelpScreen(ModalScreen[None]):
    """Every key, in two columns that fit 80x24."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="close-help")]

    def compose(self) -> ComposeResult:
        lines = []
        for title, keys in sections(self.app.BINDINGS):
            lines.append(f"[b]{title}[/b]")
            for key, what in keys:
                shown = ", ".join(self.app.get_key_display(Binding(k, "")) for k in key.split(","))
                lines.append(f" {shown:<12}{what}")
        half = (len(lines) + 1) // 2
        with Vertical(id="help"):
            yield Static("Help · every key (Escape closes)", classes="title")
            with Horizontal():
                yield Static("\n".join(lines[:half]), classes="help-column")
                yield Static("\n".join(lines[half:]), classes="help-column")
