"""My Exchanges and the balances flag a key past ``key_max_age_days`` in words and marks, not colour only."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from textual.widgets import DataTable, Static

from exchange_tui.config import Settings
from exchange_tui.service import AccountService
from exchange_tui.store import AccountIndex
from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.demo import DemoKeys
from exchange_tui.tui.messages import AccountsLoaded
from exchange_tui.tui.screens.balances import BalancesScreen

from .test_flows import SIZE, add_demo, text


@pytest.fixture
def old_key(make_app, messages, store):
    """The demo key, added 100 days ago."""

    async def add() -> None:
        async with make_app().run_test(size=SIZE, message_hook=messages) as pilot:
            await add_demo(pilot, messages)
        with AccountIndex(store.locations).edit() as document:
            record = document.find("demo")
            document.put(record.model_copy(update={"created": record.created - timedelta(days=100, hours=1)}))

    return add


def app_with_limit(store, simulator, days: int | None = None) -> ExchangeApp:
    settings = Settings.pointing({"bitget": simulator.url})
    if days is not None:
        settings = replace(settings, key_max_age_days=days)
    service = AccountService(store, settings=settings)
    return ExchangeApp(service=service, demo_keys=DemoKeys({"bitget": simulator}), check_on_start=False)


async def test_an_old_key_is_marked_and_explained(old_key, store, simulator, messages, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    await old_key()
    app = app_with_limit(store, simulator)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await messages.wait_for(AccountsLoaded)
        await pilot.pause()
        table = app.screen.query_one("#accounts", DataTable)
        assert table.get_cell("demo", "rotated") == "100d!"
        assert text(app, "#account-detail") == (
            "demo: key 100 days old, past key_max_age_days=90: replace it (r on My Exchanges)."
        )
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BalancesScreen)
        (line,) = [str(s.render()) for s in app.screen.query(".key-time").results(Static)]
        assert line.startswith("! key 100 days old")


async def test_a_higher_limit_leaves_the_same_key_unmarked(old_key, store, simulator, messages):
    await old_key()
    app = app_with_limit(store, simulator, days=200)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await messages.wait_for(AccountsLoaded)
        await pilot.pause()
        assert app.screen.query_one("#accounts", DataTable).get_cell("demo", "rotated") == "100d"
        assert "days old" not in text(app, "#account-detail")
