"""Small typed dialogs: pick an exchange, pick a demo key, confirm, and the master password."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from exchange_tui.tui.widgets.paste_input import MasterPasswordInput

if TYPE_CHECKING:
    from exchange_tui.exchanges.base import DemoKey, ExchangeSpec

CLOSE = Binding("escape", "dismiss_none", "Back", id="close-dialog")


class PickExchangeScreen(ModalScreen[str | None]):
    """Add new exchange: the exchanges that really work."""

    BINDINGS = [CLOSE]

    def compose(self) -> ComposeResult:
        from exchange_tui.exchanges.registry import EXCHANGES

        with Vertical(classes="dialog"):
            yield Static("Add new exchange", classes="title")
            yield Static("Pick the exchange of your API key (Enter):")
            yield OptionList(*(Option(exchange.name, id=exchange.id) for exchange in EXCHANGES.values()))

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class DemoKeyScreen(ModalScreen["DemoKey | None"]):
    """The exchange's demo keys in its simulator, including the ones the exchange refuses."""

    BINDINGS = [CLOSE]

    def __init__(self, spec: ExchangeSpec) -> None:
        super().__init__()
        self.spec = spec

    def compose(self) -> ComposeResult:
        keys = self.spec.demo_keys
        with Vertical(classes="dialog"):
            yield Static(f"Fill {self.spec.name} demo key", classes="title")
            yield OptionList(*(Option(f"{key.label:<15} {key.description}", id=str(n)) for n, key in enumerate(keys)))

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.spec.demo_keys[int(event.option.id)])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; y or the button confirms, n or Escape declines."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, question: str, verb: str) -> None:
        super().__init__()
        self.question = question
        self.verb = verb

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.verb} (y)", id="yes", variant="error", compact=True)
                yield Button("Keep it (n)", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no").focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class MasterPasswordScreen(ModalScreen[SecretStr | None]):
    """The encrypted file's master password: asked twice when the file is new."""

    BINDINGS = [CLOSE]

    def __init__(self, path: Path, new: bool, problem: str = "") -> None:
        super().__init__()
        self.path = path
        self.new = new
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Master password", classes="title")
            if self.new:
                yield Static(f"No OS keyring here: keys go to the encrypted file {self.path}. "
                             "Choose its master password; it cannot be recovered.")
            else:
                yield Static(f"The master password of {self.path}:")
            yield MasterPasswordInput(password=True, placeholder="master password", id="password")
            if self.new:
                yield MasterPasswordInput(password=True, placeholder="the same again", id="again")
            yield Static(self.problem, id="password-error", classes="field-error")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        fields = list(self.query(Input))
        if self.new and event.input.id == "password":
            fields[1].focus()
            return
        if self.new and SecretStr(fields[0].value) != SecretStr(fields[1].value):
            self.query_one("#password-error", Static).update("The two passwords differ.")
            for field in fields:
                field.value = ""
            fields[0].focus()
            return
        if not fields[0].value:
            self.query_one("#password-error", Static).update("Enter the master password.")
            return
        self.dismiss(SecretStr(fields[0].value))
        for field in fields:
            field.value = ""

    @on(MasterPasswordInput.PasteRefused)
    def paste_refused(self) -> None:
        self.query_one("#password-error", Static).update(
            "The paste has a line break inside: copy the password alone, on one line."
        )

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
