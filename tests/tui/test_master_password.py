"""The encrypted file's master password is asked for in a modal, and asked again when mistyped."""

import keyring.core
from pydantic import SecretStr
from textual.events import ScreenResume

from exchange_tui.models import Credentials
from exchange_tui.store import Locations, open_encrypted_file
from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.launch import user_opener
from exchange_tui.tui.messages import ServiceOpened
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
