"""Small typed dialogs: pick an exchange, pick a demo key, confirm, the master password and its change."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import SecretStr
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from exchange_tui.tui.messages import InputRejected, MasterPasswordChanged
from exchange_tui.tui.widgets.paste_input import MasterPasswordInput

if TYPE_CHECKING:
    from exchange_tui.exchanges.base import DemoKey, ExchangeSpec
    from exchange_tui.service import AccountService

CLOSE = Binding("escape", "dismiss_none", "Back", id="close-dialog")
Answer = TypeVar("Answer")


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


class PasswordDialog(ModalScreen[Answer]):
    """A dialog of master-password fields: a paste with a line break inside is refused (and said so in
    its ``#password-error`` line), Escape leaves with ``None``."""

    BINDINGS = [CLOSE]

    @on(MasterPasswordInput.PasteRefused)
    def paste_refused(self) -> None:
        self.query_one("#password-error", Static).update(
            "The paste has a line break inside: copy the password alone, on one line."
        )

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class MasterPasswordScreen(PasswordDialog[SecretStr | None]):
    """The encrypted file's master password: asked twice when the file is new."""

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
            yield Static(self.problem, id="password-error", classes="dialog-error")

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


class ChangeMasterPasswordScreen(PasswordDialog[int | None]):
    """Change the encrypted file's master password: the current one, then the new one twice. A refusal
    (a wrong current password, a store error) is shown here, the file unchanged; Escape leaves."""

    def __init__(self, service: AccountService) -> None:
        super().__init__()
        self.service = service

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Change master password", classes="title")
            yield Static("Every key is re-encrypted and read back before the swap.")
            yield MasterPasswordInput(password=True, placeholder="current master password", id="old")
            yield MasterPasswordInput(password=True, placeholder="new master password", id="new")
            yield MasterPasswordInput(password=True, placeholder="the new one again", id="again")
            yield Static("", id="password-error", classes="dialog-error")

    def _field(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    def _problem(self, text: str, field: str, *cleared: str) -> None:
        self.query_one("#password-error", Static).update(text)
        for name in cleared:
            self._field(name).value = ""
        self._field(field).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        order = ["old", "new", "again"]
        if event.input.id != "again":
            self._field(order[order.index(event.input.id) + 1]).focus()
            return
        empty = next((name for name in order if not self._field(name).value), None)
        if empty is not None:
            self._problem("Fill in every field.", empty)
            return
        old, new, again = (SecretStr(self._field(name).value) for name in order)
        if new != again:
            self._problem("The two new passwords differ: type them again.", "new", "new", "again")
        elif new == old:
            self._problem("The new password is the current one: choose another.", "new", "new", "again")
        else:
            self.query_one("#password-error", Static).update("Re-encrypting…")
            self.change(old, new)

    @work(exclusive=True, group="master-password")
    async def change(self, old: SecretStr, new: SecretStr) -> None:
        from exchange_tui.store import StoreError, WrongMasterPassword

        try:
            entries = await self.service.change_master_password(old, new)
        except WrongMasterPassword:
            self.post_message(InputRejected("old", "That is not the current master password: nothing was changed."))
        except StoreError as failure:
            self.post_message(InputRejected("old", f"Nothing was changed: {failure}"))
        else:
            self.post_message(MasterPasswordChanged(entries))

    @on(InputRejected)
    def refused(self, message: InputRejected) -> None:
        self._problem(message.problem, message.field, message.field)

    @on(MasterPasswordChanged)
    def changed(self, message: MasterPasswordChanged) -> None:
        for name in ("old", "new", "again"):
            self._field(name).value = ""
        self.dismiss(message.entries)
