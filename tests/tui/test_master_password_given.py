"""A master password given by a file descriptor or a file is taken without asking, and not asked for
again when wrong: the app has no modal to show then."""

import os

import keyring.core
import pytest
from pydantic import SecretStr

from exchange_tui.models import Credentials
from exchange_tui.store import Locations, open_encrypted_file
from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.launch import user_opener
from exchange_tui.tui.messages import ServiceFailed, ServiceOpened

RIGHT = "right-master-password"


@pytest.fixture(autouse=True)
def existing(tmp_path, monkeypatch):
    """An encrypted file with one secret, opened with ``RIGHT``; no master password in the environment."""
    monkeypatch.setenv("EXCHANGE_TUI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("EXCHANGE_TUI_MASTER_PASSWORD", raising=False)
    monkeypatch.delenv("EXCHANGE_TUI_MASTER_PASSWORD_FILE", raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    store = open_encrypted_file(Locations.from_env(), lambda path, new: SecretStr(RIGHT), "test")
    store.write("bitget:old", Credentials(api_key="bg_x", secret_key="s", passphrase="p"))


async def test_a_password_from_a_descriptor_is_taken_without_asking(messages):
    read_end, write_end = os.pipe()
    os.write(write_end, f"{RIGHT}\n".encode())
    os.close(write_end)
    app = ExchangeApp(opener=user_opener(), check_on_start=False, master_password_fd=read_end)
    async with app.run_test(size=(80, 24), message_hook=messages):
        opened = await messages.wait_for(ServiceOpened)  # nobody types: a modal would wait for ever
        assert await opened.service.accounts() == []


async def test_a_wrong_password_from_a_file_is_not_asked_again(tmp_path, monkeypatch, messages):
    path = tmp_path / "master-password"
    path.write_text("not-the-password\n")
    path.chmod(0o600)
    monkeypatch.setenv("EXCHANGE_TUI_MASTER_PASSWORD_FILE", str(path))
    app = ExchangeApp(opener=user_opener(), check_on_start=False)
    async with app.run_test(size=(80, 24), message_hook=messages):
        failed = await messages.wait_for(ServiceFailed)  # nobody types: asking again would wait for ever
    assert "master password does not open" in failed.problem
