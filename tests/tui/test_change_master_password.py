"""The palette's "Change master password": a modal asking for the current password and the new one
twice, masked, keyboard only; a refusal shown in it with the file unchanged; the app's store goes on
with the new password."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from textual.events import ScreenResume
from textual.widgets import Input, Static

from exchange_tui.config import Settings
from exchange_tui.models import Credentials
from exchange_tui.service import AccountService
from exchange_tui.store import AccountStore, Locations, WrongMasterPassword, open_encrypted_file
from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.commands import MASTER_PASSWORD_COMMAND
from exchange_tui.tui.messages import InputRejected, MasterPasswordChanged
from exchange_tui.tui.screens.dialogs import ChangeMasterPasswordScreen

OLD, NEW = "Old-master-pw-1", "New-master-pw-2"
KEY = Credentials(api_key="bg_keepthiskey0000000000", secret_key="secret-kept-across", passphrase="pass-kept")


def opened(locations: Locations, password: str):
    return open_encrypted_file(locations, lambda path, new: SecretStr(password), "test")


@pytest.fixture
def locations(tmp_path) -> Locations:
    return Locations.from_env({"EXCHANGE_TUI_HOME": str(tmp_path / "home")}).ensure()


@pytest.fixture
def app(locations, simulator) -> ExchangeApp:
    store = AccountStore(opened(locations, OLD), locations)
    store.add("bitget", "main", KEY)
    service = AccountService(store, settings=Settings.pointing({"bitget": simulator.url}))
    return ExchangeApp(service=service, check_on_start=False)


def error_shown(app) -> str:
    """The modal's error line, as it is on screen (nothing if it takes no room there)."""
    error = app.screen.query_one("#password-error", Static)
    return str(error.render()) if error.region.height else ""


async def fill(pilot, *values: str) -> None:
    """Type each value into the next field, Enter after each (the last Enter submits)."""
    for value in values:
        field = pilot.app.focused
        assert isinstance(field, Input)
        field.value = ""
        await pilot.press(*value, "enter")


async def test_the_palette_changes_the_master_password_after_a_wrong_one_and_a_mismatch(app, locations, messages):
    before = locations.secrets_file.read_bytes()
    async with app.run_test(size=(80, 24), message_hook=messages) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"master password")
        await pilot.pause()
        await pilot.press("enter")
        await messages.wait_for(ScreenResume, lambda message: isinstance(app.screen, ChangeMasterPasswordScreen))
        await pilot.pause()
        assert app.focused.id == "old"
        assert all(0 < field.region.bottom <= 24 for field in app.screen.query(Input))  # fits 80x24

        await fill(pilot, "not-the-password", NEW, NEW)
        await messages.wait_for(InputRejected)
        await pilot.pause()
        assert "not the current master password" in error_shown(app)
        assert isinstance(app.screen, ChangeMasterPasswordScreen) and app.focused.id == "old"
        assert app.screen.query_one("#new", Input).value == NEW  # what was typed right stays
        assert locations.secrets_file.read_bytes() == before
        assert NEW not in app.export_screenshot()  # masked
        assert str(app.screen.query_one(".title", Static).render()) == "Change master password"

        await fill(pilot, OLD, NEW, "something-else")
        await pilot.pause()
        assert "differ" in error_shown(app) and app.focused.id == "new"
        assert locations.secrets_file.read_bytes() == before

        await fill(pilot, NEW, NEW)
        changed = await messages.wait_for(MasterPasswordChanged)
        await pilot.pause()
        assert changed.entries == 1
        assert not isinstance(app.screen, ChangeMasterPasswordScreen)
        assert app.state.service.store.credentials("main") == KEY  # the running app goes on
    assert opened(locations, NEW).read("bitget:main") == KEY
    with pytest.raises(WrongMasterPassword):
        opened(locations, OLD)


async def test_escape_leaves_the_file_as_it_was(app, locations, messages):
    before = locations.secrets_file.read_bytes()
    async with app.run_test(size=(80, 24), message_hook=messages) as pilot:
        await pilot.press("f12")
        await messages.wait_for(ScreenResume, lambda message: isinstance(app.screen, ChangeMasterPasswordScreen))
        await fill(pilot, OLD, NEW)
        await pilot.press(*NEW, "escape")  # the last field filled in, never submitted
        await pilot.pause()
        assert not isinstance(app.screen, ChangeMasterPasswordScreen)
    assert not any(isinstance(message, MasterPasswordChanged) for message in messages.seen)
    assert locations.secrets_file.read_bytes() == before
    assert opened(locations, OLD).read("bitget:main") == KEY


async def test_the_command_is_offered_only_for_the_encrypted_file(app, messages):
    async with app.run_test(size=(80, 24), message_hook=messages):
        from exchange_tui.tui.commands import AccountCommands

        titles = [title for title, _, _ in AccountCommands(app.screen)._commands()]
        assert MASTER_PASSWORD_COMMAND[0] in titles
        app.state.service.store.secrets.kind = "os-keyring"
        titles = [title for title, _, _ in AccountCommands(app.screen)._commands()]
        assert MASTER_PASSWORD_COMMAND[0] not in titles
