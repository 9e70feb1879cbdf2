"""The guide's checklist, with the steps the last check could verify ticked or failed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.guide import Mark, evaluate

if TYPE_CHECKING:
    from exchange_tui.models import KeyReport

MARKS = {Mark.DONE: "✔", Mark.FAILED: "✘", Mark.WARNING: "!", Mark.UNKNOWN: "·"}


class ChecklistScreen(Screen):
    """Create and connect one exchange's API key, step by step, as that exchange's guide says."""

    SUB_TITLE = "Checklist"
    BINDINGS = [Binding("escape,k", "app.pop_screen", "Back", id="checklist-back")]

    def __init__(self, exchange: str, report: KeyReport | None, label: str | None) -> None:
        super().__init__()
        self.spec = EXCHANGES[exchange]
        self.report = report
        self.label = label

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="checklist"):
            about = f" · {self.label}" if self.label else ""
            yield Static(f"Checklist: the {self.spec.name} API key{about}", classes="title")
            if self.report is None:
                yield Static("Not checked yet: connect (or check) the key to tick what the app can verify.", classes="hint")
            for result in evaluate(self.spec.guide, self.report):
                step = result.step
                note = result.note or step.detail
                yield Static(
                    f"{MARKS[result.mark]} {step.number:>2}. [b]{step.title}[/b]: {escape(note)}",
                    classes=f"step -{result.mark.value}",
                )
        yield Footer(compact=True, show_command_palette=False)
