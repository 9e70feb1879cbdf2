"""The encrypted file's master password is asked for in a modal, asked again when mistyped, and takes a paste."""

import keyring.core
import pytest
from pydantic import SecretStr
from textual import events
from textual.events import ScreenResume
from textual.widgets import Input, Static

from exchange_tui.models import Credentials
from exchange_tui.store import Locations, WrongMasterPassword, open_encrypted_file
from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.launch import user_opener
from exchange_tui.tui.messages import ServiceFailed, ServiceOpened
from exchange_tui.tui.screens.dialogs import MasterPasswordScreen
from exchange_tui.tui.widgets.paste_input import MasterPasswordInput

RIGHT = "right-master-password"
PASTED = " Harbor quartz 7 "


@pytest.fixture
def no_os_keyring(tmp_path, monkeypatch):
    """No OS keyring and no master password in the environment: the encrypted file, asked in a modal."""
    monkeypatch.setenv("EXCHANGE_TUI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("EXCHANGE_TUI_MASTER_PASSWORD", raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)


def asked(app):
    return lambda message: isinstance(app.screen, MasterPasswordScreen)


async def password_field_focused(app, messages) -> None:
    """Wait until the modal is up with its first field focused (its fields exist only then)."""
    await messages.wait_for(events.Focus, lambda message: isinstance(app.focused, Input))


@pytest.mark.usefixtures("no_os_keyring")
async def test_wrong_master_password_is_asked_again(messages):
    existing = open_encrypted_file(Locations.from_env(), lambda path, new: SecretStr(RIGHT), "test")
    existing.write("bitget:old", Credentials(api_key="bg_x", secret_key="s", passphrase="p"))

    app = ExchangeApp(opener=user_opener(), check_on_start=False)
    async with app.run_test(size=(80, 24), message_hook=messages) as pilot:
        await messages.wait_for(ScreenResume, asked(app))
        assert not app.screen.new
        await pilot.press(*"not-the-password", "enter")
        await messages.wait_for(ScreenResume, lambda message: asked(app)(message) and "try again" in app.screen.problem)
        await pilot.press(*RIGHT, "enter")
        opened = await messages.wait_for(ServiceOpened)
        assert await opened.service.accounts() == []


@pytest.mark.usefixtures("no_os_keyring")
async def test_a_pasted_master_password_keeps_its_spaces_and_opens_the_new_store(messages, paste):
    """A paste goes in unchanged but for its line break (a master password may start or end with a space)."""
    app = ExchangeApp(opener=user_opener(), check_on_start=False)
    async with app.run_test(size=(80, 24), message_hook=messages) as pilot:
        await password_field_focused(app, messages)
        assert app.screen.new
        for field, line_break in (("password", "\n"), ("again", "\r\n")):
            widget = await paste(pilot, field, PASTED + line_break)
            assert widget.value == PASTED
            assert widget.password and PASTED.strip() not in app.export_screenshot()
        await pilot.press("enter")
        opened = await messages.wait_for(ServiceOpened)
        assert await opened.service.accounts() == []
    open_encrypted_file(Locations.from_env(), lambda path, new: SecretStr(PASTED), "test")
    with pytest.raises(WrongMasterPassword):
        open_encrypted_file(Locations.from_env(), lambda path, new: SecretStr(PASTED.strip()), "test")


@pytest.mark.usefixtures("no_os_keyring")
async def test_a_master_password_paste_with_a_line_break_inside_is_refused(messages):
    """Two lines are not a password anyone could type again: nothing goes in, and the modal says why."""
    app = ExchangeApp(opener=user_opener(), check_on_start=False)
    async with app.run_test(size=(80, 24), message_hook=messages) as pilot:
        await password_field_focused(app, messages)
        widget = app.screen.query_one("#password", MasterPasswordInput)
        app.post_message(events.Paste("Harbor\nquartz 7\n"))
        await messages.wait_for(MasterPasswordInput.PasteRefused)
        await pilot.pause()
        assert widget.value == ""
        shown = str(app.screen.query_one("#password-error", Static).render())
        assert "line break inside" in shown and "Harbor" not in shown
        await pilot.press("escape")
        await messages.wait_for(ServiceFailed)


async def test_an_unexpected_failure_opening_the_store_is_one_line_without_its_message(messages):
    """An exception the app does not expect (its message could hold the password) ends no worker
    with a crash report: the home screen names its type and nothing else."""

    def opener(password_source):
        raise RuntimeError(f"failed with {RIGHT}")

    app = ExchangeApp(opener=opener, check_on_start=False)
    async with app.run_test(size=(80, 24), message_hook=messages) as pilot:
        failed = await messages.wait_for(ServiceFailed)
        await pilot.pause()
        shown = str(app.screen.query_one("#account-detail").render())
    assert failed.problem == "an unexpected RuntimeError (a bug: please report it)"
    assert "unexpected RuntimeError" in shown and RIGHT not in shown
    assert app.return_code in (None, 0)
