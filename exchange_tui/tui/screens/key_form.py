"""The key form, for adding an account and for replacing its key.

What is typed is read into ``SecretStr`` in the handler that reads it and travels on as
``SecretStr``: no plain secret is ever a local or an attribute (Textual's crash report
prints both). The check runs in a worker; its outcome comes back as a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr
from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static, Switch

from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.guide import step_to_revisit
from exchange_tui.tui.messages import ActionFailed, InputRejected, KeyConnected, KeyRejected
from exchange_tui.tui.widgets.paste_input import KeyInput, PrivateKeyInput

if TYPE_CHECKING:
    from exchange_tui.models import KeyReport
    from exchange_tui.store import AccountRecord
    from exchange_tui.exchanges.base import DemoKey
    from exchange_tui.tui.state import TuiState

LABEL_FIELD = ("label", "Label", "a name for this account, e.g. main")
PASTE_HINT = "Paste with your terminal's paste key (ctrl+shift+v, or shift+insert)."


class KeyFormScreen(Screen):
    """Label, the parts of the exchange's keys (API key, secret key, a passphrase where it has one)
    and the demo-trading switch, then Connect."""

    SUB_TITLE = "API key"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="form-back"),
        Binding("f4", "open_checklist", "Checklist", id="form-checklist", tooltip="The guide's steps"),
        Binding("f6", "reveal", "Reveal", id="reveal-secrets", tooltip="Show/mask the key"),
        Binding("f7", "fill_demo", "Demo key", id="fill-demo", tooltip="Fill a demo key"),
    ]

    def __init__(self, state: TuiState, exchange: str, *, replacing: AccountRecord | None = None) -> None:
        super().__init__()
        self.state = state
        self.exchange = exchange
        self.spec = EXCHANGES[exchange]
        self.replacing = replacing
        self.report: KeyReport | None = None
        self.secret_fields = tuple(field.name for field in self.spec.credentials)
        self.pem_fields = {field.name for field in self.spec.credentials if field.pem}
        self.fields = (LABEL_FIELD,) + tuple(
            (field.name, field.label, field.help or f"paste the {field.label.lower()}") for field in self.spec.credentials
        )

    @property
    def exchange_name(self) -> str:
        return self.spec.name

    def compose(self) -> ComposeResult:
        name = self.exchange_name
        yield Header()
        with VerticalScroll(id="key-form"):
            if self.replacing is None:
                yield Static(f"Add {name} account", classes="title")
            else:
                record = self.replacing
                yield Static(f"Replace the API key of {record.label}", classes="title")
                yield Static(f"Now: {name} key {record.key_prefix}. The new key is checked first;", id="replacing")
                yield Static("the old one stays until the new one is accepted.")
            yield Static(PASTE_HINT, classes="hint")
            for field, title, placeholder in self.fields:
                with Horizontal(classes="field"):
                    yield Static(title, classes="field-title")
                    if field == "label":
                        value = self.replacing.label if self.replacing else ""
                        yield KeyInput(value, placeholder=placeholder, id=field, compact=True, disabled=bool(self.replacing))
                    else:
                        kind = PrivateKeyInput if field in self.pem_fields else KeyInput
                        yield kind(placeholder=placeholder, id=field, password=True, compact=True)
                yield Static("", id=f"error-{field}", classes="field-error")
            with Horizontal(classes="field"):
                yield Static("Demo trading", classes="field-title")
                demo = self.replacing.demo_trading if self.replacing else False
                yield Switch(demo, id="demo_trading", disabled=bool(self.replacing))
                yield Static(f" {name}'s demo-trading (paper) keys", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Replace" if self.replacing else "Connect", id="connect", variant="primary", compact=True)
                yield Button("Reveal F6", id="reveal", compact=True)
                yield Button("Checklist F4", id="checklist", compact=True)
                if self.state.demo_keys is not None or self.state.demo:
                    yield Button("Fill demo key F7", id="fill-demo", compact=True)
            yield Static("", id="outcome")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#api_key" if self.replacing else "#label").focus()

    # -- filling in --------------------------------------------------------------------

    @on(Button.Pressed, "#reveal")
    def action_reveal(self) -> None:
        """Show or mask the key's parts; a PEM private key stays masked."""
        for field in self.secret_fields:
            widget = self.query_one(f"#{field}", Input)
            private_key = isinstance(widget, PrivateKeyInput) and widget.holds_private_key
            widget.password = private_key or not widget.password

    @on(Button.Pressed, "#fill-demo")
    def action_fill_demo(self) -> None:
        from exchange_tui.tui.screens.dialogs import DemoKeyScreen

        if self.state.demo_keys is None:
            self.notify("Demo keys exist only in the demo (exchange-tui --demo).", severity="warning")
            return
        self.app.push_screen(DemoKeyScreen(self.spec), self._fill)

    def _fill(self, key: DemoKey | None) -> None:
        if key is None or self.state.demo_keys is None:
            return
        secrets = self.state.demo_keys.credentials(self.exchange, key)
        for field in self.secret_fields:
            self.query_one(f"#{field}", Input).value = secrets[field].get_secret_value()
        if self.replacing is None:
            taken = key.label.casefold() in self.state.records
            self.query_one("#label", Input).value = f"{self.exchange}-{key.label}" if taken else key.label
            self.query_one("#demo_trading", Switch).value = key.demo_trading
        self.query_one("#connect").focus()

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        """Enter moves on to the next field; on the key's last part it connects."""
        if event.input.id == self.secret_fields[-1]:
            self.action_connect()
        else:
            self.focus_next()

    # -- connecting --------------------------------------------------------------------

    @on(Button.Pressed, "#connect")
    def action_connect(self) -> None:
        for field, _, _ in self.fields:
            self._field_error(field, "")
        self._busy(True)
        self.query_one("#outcome").remove_class("-failed")
        self.query_one("#outcome", Static).update(f"Checking the key with {self.exchange_name}… (clock, permissions, balances)")
        self.connect(
            self.query_one("#label", Input).value,
            {field: SecretStr(self.query_one(f"#{field}", Input).value) for field in self.secret_fields},
            self.query_one("#demo_trading", Switch).value,
        )

    def _busy(self, busy: bool) -> None:
        self.query_one("#connect", Button).disabled = busy
        self.set_class(busy, "-busy")

    @work(exclusive=True, group="connect")
    async def connect(self, label: str, parts: dict[str, SecretStr], demo_trading: bool) -> None:
        from exchange_tui.service import KeyRefused
        from exchange_tui.store import StoreError
        from exchange_tui.validation import InvalidInput

        service = self.state.service
        try:
            if self.replacing is not None:
                connected = await service.rotate(self.replacing.label, **parts)
            else:
                connected = await service.add(self.exchange, label, **parts, demo_trading=demo_trading)
        except InvalidInput as problem:
            self.post_message(InputRejected(problem.field, problem.message))
        except KeyRefused as refused:
            self.post_message(KeyRejected(refused.report))
        except StoreError as problem:
            self.post_message(ActionFailed(str(problem)))
        else:
            self.post_message(KeyConnected(connected))

    @on(InputRejected)
    def input_rejected(self, message: InputRejected) -> None:
        self._busy(False)
        self.query_one("#outcome", Static).update("Not sent: fix the field marked above.")
        field = message.field if message.field in {f for f, _, _ in self.fields} else "label"
        self._field_error(field, message.problem)
        self.query_one(f"#{field}").focus()

    def _field_error(self, field: str, problem: str) -> None:
        error = self.query_one(f"#error-{field}", Static)
        error.update(escape(problem))
        error.set_class(bool(problem), "-shown")

    @on(KeyRejected)
    def key_rejected(self, message: KeyRejected) -> None:
        self._busy(False)
        self.report = message.report
        error = message.report.error
        step = step_to_revisit(self.spec.guide, message.report)
        lines = ["[b]Not connected.[/b] Nothing was stored." if self.replacing is None else "[b]Not replaced.[/b] The old key stays."]
        if error is not None:
            lines += [escape(error.hint), escape(f"({self.exchange_name} {error.code}: {error.message})")]
        if step is not None:
            lines.append(f"Revisit checklist step {step.number}: {step.title} (F4).")
        outcome = self.query_one("#outcome", Static)
        outcome.update("\n".join(lines))
        outcome.add_class("-failed")
        self.query_one("#checklist").focus()

    @on(ActionFailed)
    def action_failed(self, message: ActionFailed) -> None:
        self._busy(False)
        self.query_one("#outcome", Static).update(escape(message.problem))

    @on(KeyConnected)
    def key_connected(self, message: KeyConnected) -> None:
        from exchange_tui.tui.screens.connected import ConnectedScreen

        for field in self.secret_fields:
            self.query_one(f"#{field}", Input).value = ""
        self.state.key_connected(message.connected)
        self.app.switch_screen(ConnectedScreen(self.state, message.connected, replaced=self.replacing is not None))

    @on(Button.Pressed, "#checklist")
    def action_open_checklist(self) -> None:
        from exchange_tui.tui.screens.checklist import ChecklistScreen

        label = self.replacing.label if self.replacing else self.query_one("#label", Input).value
        self.app.push_screen(ChecklistScreen(self.exchange, self.report, label or None))
