"""The encrypted file's master password is asked for in a modal, and asked again when mistyped."""

import keyring.core
from pydantic import SecretStr
from textual.events import ScreenResume

from exchange_tui.models import Credentials
from exchange_tui.store import Locations, open_encrypted_file
from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.launch import user_opener
from exchange_tui.tui.messages import ServiceFailed, ServiceOpened
from exchange_tui.tui.screens.dialogs import MasterPasswordScreen

RIGHT = "right-master-password"


async def test_wrong_master_password_is_asked_again(tmp_path, monkeypatch, messages):
    monkeypatch.setenv("EXCHANGE_TUI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("EXCHANGE_TUI_MASTER_PASSWORD", raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    existing = open_encrypted_file(Locations.from_env(), lambda path, new: SecretStr(RIGHT), "test")
    existing.write("bitget:old", Credentials(api_key="bg_x", secret_key="s", passphrase="p"))

    def asked(message) -> bool:
        return isinstance(app.screen, MasterPasswordScreen)

    app = ExchangeApp(opener=user_opener(None), check_on_start=False)
    async with app.run_test(size=(80, 24), message_hook=messages) as pilot:
        await messages.wait_for(ScreenResume, asked)
        assert not app.screen.new
        await pilot.press(*"not-the-password", "enter")
        await messages.wait_for(ScreenResume, lambda message: asked(message) and "try again" in app.screen.problem)
        await pilot.press(*RIGHT, "enter")
        opened = await messages.wait_for(ServiceOpened)
        assert await opened.service.accounts() == []


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
