"""The app refuses a plain-text exchange URL to another machine on its home screen, unless --allow-insecure."""

import keyring.core
import pytest

from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.launch import user_opener
from exchange_tui.tui.messages import ServiceFailed, ServiceOpened


@pytest.fixture
def insecure_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("EXCHANGE_TUI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("EXCHANGE_TUI_MASTER_PASSWORD", "tui-insecure-url-tests")
    monkeypatch.setenv("EXCHANGE_TUI_BITGET_URL", "http://0.0.0.0:9")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)


async def test_the_home_screen_names_the_setting(insecure_environment, messages):
    app = ExchangeApp(opener=user_opener(), check_on_start=False)
    async with app.run_test(size=(80, 24), message_hook=messages):
        failed = await messages.wait_for(ServiceFailed)
    assert failed.problem.startswith("EXCHANGE_TUI_BITGET_URL is http://0.0.0.0, not this machine")
    assert "--allow-insecure" in failed.problem


async def test_allowed_with_the_flag(insecure_environment, messages):
    app = ExchangeApp(opener=user_opener(allow_insecure=True), check_on_start=False)
    async with app.run_test(size=(80, 24), message_hook=messages):
        opened = await messages.wait_for(ServiceOpened)
        assert opened.service.allow_insecure
