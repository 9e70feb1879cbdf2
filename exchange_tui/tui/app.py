"""The exchange-tui app: My Exchanges first, the store and the checks after the first paint.

The app makes the TUI's one state object (:class:`~exchange_tui.tui.state.TuiState`: the
service, the accounts, their reports, the highlighted account, the live watches) and hands it
to every screen it opens.
"""

from __future__ import annotations

import random
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.binding import Binding

from exchange_tui.tui.commands import AccountCommands
from exchange_tui.tui.messages import ServiceFailed, ServiceOpened
from exchange_tui.tui.screens.home import HomeScreen
from exchange_tui.tui.state import TuiState
from exchange_tui.tui.wording import Clock, wall_clock

MASTER_PASSWORD_TRIES = 3

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic import SecretStr

    from exchange_tui.service import AccountService
    from exchange_tui.store import MasterPassword, PasswordSource
    from exchange_tui.tui.demo import DemoKeys, DemoSession

    Opener = Callable[[PasswordSource], AccountService]


class ExchangeApp(App[int]):
    """My Exchanges, the key form, balances, the checklist and help."""

    CSS_PATH = "app.tcss"
    TITLE = "exchange-tui"
    SUB_TITLE = "My Exchanges"
    COMMANDS = App.COMMANDS | {AccountCommands}
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        Binding("f1", "help", "Help", id="help", tooltip="Every key"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
        Binding(
            "f12",
            "change_master_password",
            "Master password",
            id="change-master-password",
            tooltip="Change master password",
            show=False,
        ),
    ]

    def __init__(
        self,
        *,
        service: AccountService | None = None,
        opener: Opener | None = None,
        demo: DemoSession | None = None,
        demo_keys: DemoKeys | None = None,
        clock: Clock = wall_clock,
        poll_seconds: float = 3.0,
        drift_seconds: float = 2.0,
        check_on_start: bool = True,
        master_password_fd: int | None = None,
    ) -> None:
        super().__init__()
        self.state = TuiState(
            service=service, clock=clock, poll_seconds=poll_seconds, demo_keys=demo_keys, demo=demo is not None
        )
        self.opener = opener
        self.master_password_fd = master_password_fd
        self.master_password: MasterPassword | None = None
        self.password_problem = ""
        self._password_answer: Future[SecretStr | None] | None = None
        self.demo = demo
        self.drift_seconds = drift_seconds
        self.check_on_start = check_on_start
        self.home = HomeScreen(self.state)

    def get_default_screen(self) -> HomeScreen:
        return self.home

    def on_mount(self) -> None:
        self.apply_keymap()

    def apply_keymap(self) -> None:
        """``[keymap]`` from config.toml: binding ids to keys. A bad table is one line on screen, and
        the app keeps its own keys."""
        import os

        from exchange_tui.config import ConfigError, config_path, load_keymap

        try:
            keymap = load_keymap(config_path(os.environ), binding_ids())
        except ConfigError as problem:
            self.notify(str(problem), title="config.toml", severity="error", timeout=30)
            return
        self.set_keymap(keymap)

    def on_ready(self) -> None:
        """The first frame is on screen: now open the store (and the demo's simulator)."""
        if self.state.service is not None:
            self.post_message(ServiceOpened(self.state.service))
        elif self.opener is not None:
            self.open_service(self.opener)

    @work(thread=True, exclusive=True, group="store")
    def open_service(self, opener: Opener) -> None:
        """Open the store; a mistyped master password is asked for again, a few times.

        Every failure ends as one line on the home screen. An unexpected one is named by its type
        only: its message, and the crash report Textual would print with every local of every
        frame, could hold the master password.
        """
        from exchange_tui.config import ConfigError
        from exchange_tui.store import MasterPassword, StoreError, WrongMasterPassword
        from exchange_tui.urls import InsecureUrl

        self.master_password = MasterPassword(fd=self.master_password_fd)
        problem = ""
        for attempt in range(1, MASTER_PASSWORD_TRIES + 1):
            try:
                service = opener(self.ask_master_password)
            except WrongMasterPassword as wrong:
                if attempt == MASTER_PASSWORD_TRIES or self.master_password.given() is not None:
                    problem = str(wrong)
                    break
                self.password_problem = "That password does not open the file: try again."
            except (StoreError, ConfigError, InsecureUrl) as failure:
                problem = str(failure)
                break
            except Exception as failure:
                problem = f"an unexpected {type(failure).__name__} (a bug: please report it)"
                break
            else:
                self.post_message(ServiceOpened(service))
                return
        self.post_message(ServiceFailed(problem))

    def ask_master_password(self, path: Path, new: bool) -> SecretStr | None:
        """The store's password source: ``--master-password-fd``, the file or the environment, else a
        modal (called from the store's thread)."""
        from exchange_tui.tui.screens.dialogs import MasterPasswordScreen

        given = self.master_password.given()
        if given is not None:
            return given
        answer: Future[SecretStr | None] = Future()
        self._password_answer = answer
        screen = MasterPasswordScreen(path, new, self.password_problem)
        self.call_from_thread(self.push_screen, screen, lambda value: answer.done() or answer.set_result(value))
        return answer.result()

    def exit(self, *args, **kwargs) -> None:
        """End the app. The store's thread may be waiting for the master-password modal: it gets no
        password, so it ends too and the app with it (else quitting there hung)."""
        answer = self._password_answer
        if answer is not None and not answer.done():
            answer.set_result(None)
        super().exit(*args, **kwargs)

    @on(ServiceOpened)
    def service_opened(self, message: ServiceOpened) -> None:
        self.state.service = message.service
        if self.demo is not None:
            demo_keys = self.state.demo_keys = self.demo.keys
            rng = random.Random()
            self.set_interval(self.drift_seconds, lambda: demo_keys.drift(rng), name="demo drift")
        self.home.service_ready(check=self.check_on_start)

    @on(ServiceFailed)
    def service_failed(self, message: ServiceFailed) -> None:
        self.home.show_problem(f"The account store could not be opened: {message.problem}")

    async def on_unmount(self) -> None:
        await self.state.aclose()

    # -- actions every screen offers -------------------------------------------------

    def action_help(self) -> None:
        from exchange_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    @property
    def has_master_password(self) -> bool:
        """Whether the open store is the encrypted file, whose master password can be changed here."""
        return self.state.service is not None and self.state.service.has_master_password

    def action_change_master_password(self) -> None:
        from exchange_tui.tui.screens.dialogs import ChangeMasterPasswordScreen

        if not self.has_master_password:
            self.notify("The secrets are not in the encrypted file: there is no master password to change.")
            return
        if not isinstance(self.screen, ChangeMasterPasswordScreen):
            self.push_screen(ChangeMasterPasswordScreen(self.state.service), self._master_password_changed)

    def _master_password_changed(self, entries: int | None) -> None:
        if entries is not None:
            self.notify(
                f"Master password changed: {entries} {'entry' if entries == 1 else 'entries'} re-encrypted and read "
                "back. Give the new one to whatever starts exchange-tui unattended.",
                title="Master password",
            )

    def action_go_home(self) -> None:
        while self.screen is not self.home and len(self.screen_stack) > 1:
            self.pop_screen()

    def account_action(self, action: str) -> None:
        """Run one of My Exchanges' actions from anywhere (the command palette)."""
        self.action_go_home()
        self.call_later(self.home.run_action, action)


def binding_ids() -> set[str]:
    """Every binding id of the app and its screens: what a ``[keymap]`` may name."""
    import importlib
    import pkgutil

    from textual.screen import Screen

    import exchange_tui.tui.screens as screens

    for module in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"{screens.__name__}.{module.name}")
    classes = [ExchangeApp, *_our_subclasses(Screen)]
    return {binding.id for cls in classes for binding in getattr(cls, "BINDINGS", []) if getattr(binding, "id", None)}


def _our_subclasses(cls: type) -> list[type]:
    """Every subclass of ``cls``, at any depth, that exchange-tui defines."""
    found = []
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("exchange_tui."):
            found.append(sub)
        found += _our_subclasses(sub)
    return found
