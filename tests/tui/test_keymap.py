"""config.toml's [keymap] rebinds the app's keys by binding id; a bad one is one line, and the keys stay."""

import pytest
from textual.widgets import Static

from exchange_tui.tui.messages import AccountsLoaded

SIZE = (80, 24)


@pytest.fixture
def keymap(tmp_path, monkeypatch):
    """Writes a config.toml holding the given [keymap] lines and points the app at it."""

    def write(lines: str) -> None:
        config = tmp_path / "config.toml"
        config.write_text(f"[keymap]\n{lines}\n")
        monkeypatch.setenv("EXCHANGE_TUI_CONFIG", str(config))

    return write


async def test_a_keymap_in_the_config_file_rebinds_by_id(make_app, messages, keymap):
    keymap('add-exchange = "n"')
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await messages.wait_for(AccountsLoaded)
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is app.home  # "a" is no longer Add
        await pilot.press("n")
        await pilot.pause()
        assert "Add new exchange" in str(app.screen.query_one(".title", Static).render())


async def test_a_keymap_naming_no_binding_is_one_line_and_the_keys_stay(make_app, messages, keymap):
    keymap('add-account = "n"')
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await messages.wait_for(AccountsLoaded)
        notes = [n.message for n in app._notifications]
        assert len(notes) == 1 and "names no binding add-account" in notes[0] and "add-exchange" in notes[0]
        await pilot.press("a")
        await pilot.pause()
        assert "Add new exchange" in str(app.screen.query_one(".title", Static).render())
