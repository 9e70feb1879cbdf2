"""The app on a store whose disk is full: every write it makes (the check after startup, add, replace,
remove) ends as one line on the screen, the app keeps running and nothing stored is lost."""

from __future__ import annotations

import pytest
from disk_support import small_disk
from pydantic import SecretStr
from textual.widgets import Static

from exchange_tui.config import Settings
from exchange_tui.models import Credentials
from exchange_tui.service import AccountService
from exchange_tui.store import AccountStore, Locations, open_encrypted_file
from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.demo import DemoKeys
from exchange_tui.tui.messages import AccountsLoaded, ActionFailed

from .test_flows import SIZE, connect_demo, open_form

FULL = "No space left on device"


@pytest.fixture
def full_store(tmp_path, simulator):
    """A store with the account ``demo``, on a tmpfs of its own that is then filled to the last block."""
    with small_disk(tmp_path / "disk") as disk:
        locations = Locations.from_env({"EXCHANGE_TUI_HOME": str(disk.root / "exchange-tui")})
        store = AccountStore(open_encrypted_file(locations, lambda path, new: SecretStr("full-disk"), "tests"), locations)
        demo = simulator.state.account("demo")
        store.add("bitget", "demo", Credentials(api_key=demo.api_key, secret_key=demo.secret_key, passphrase=demo.passphrase))
        disk.fill()
        yield store, locations


def one_line_naming(problem: str, path) -> None:
    assert "\n" not in problem and str(path) in problem and FULL in problem, problem


async def test_every_write_on_a_full_disk_is_one_line_on_screen(full_store, simulator, messages):
    store, locations = full_store
    app = ExchangeApp(service=AccountService(store, settings=Settings.pointing({"bitget": simulator.url})), demo_keys=DemoKeys({"bitget": simulator}))
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        checked = await messages.wait_for(ActionFailed)
        one_line_naming(checked.problem, locations.index_file)
        await pilot.pause()
        assert any(FULL in str(toast.message) for toast in app._notifications)

        await pilot.press("r")
        await pilot.pause()
        await connect_demo(pilot, messages, "demo-readonly")
        replaced = await messages.wait_for(ActionFailed)
        one_line_naming(replaced.problem, locations.index_file)
        await pilot.pause()
        assert FULL in str(app.screen.query_one("#outcome", Static).render())

        await pilot.press("escape")
        await open_form(pilot, messages)
        await connect_demo(pilot, messages, "demo-withdraw")
        added = await messages.wait_for(ActionFailed)
        one_line_naming(added.problem, locations.index_file)

        await pilot.press("escape")
        await messages.wait_for(AccountsLoaded)
        await pilot.press("x", "y")
        removed = await messages.wait_for(ActionFailed)
        one_line_naming(removed.problem, locations.index_file)
        assert app.is_running
    assert [record.label for record in store.accounts()] == ["demo"]
    assert store.credentials("demo").api_key.get_secret_value() == simulator.state.account("demo").api_key
