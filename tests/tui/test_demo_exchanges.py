"""A newcomer in ``exchange-tui --demo``: every exchange's simulator is up, and each one's first demo
key connects, by keyboard, side by side, with live balances and one total."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import DataTable

from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.tui.messages import AccountBalancesUpdated, AccountsLoaded, KeyConnected
from exchange_tui.tui.screens.home import HomeScreen
from exchange_tui.tui.launch import prepared_app

SIZE = (80, 24)


async def test_each_exchanges_demo_key_connects_beside_the_others_with_live_balances(messages):
    with prepared_app(demo=True) as app:
        async with app.run_test(size=SIZE, message_hook=messages) as pilot:
            await messages.wait_for(AccountsLoaded)
            for position, spec in enumerate(EXCHANGES.values()):
                await pilot.press("a", *["down"] * position, "enter")
                await pilot.pause()
                await pilot.press("f7", "enter")
                await pilot.pause()
                await pilot.press("enter")
                connected = await messages.wait_for(KeyConnected)
                assert connected.connected.record.exchange == spec.id and connected.connected.report.connected
                await pilot.press("escape")
                await pilot.pause()
            assert isinstance(pilot.app.screen, HomeScreen)
            live = {}
            while len(live) < len(EXCHANGES):
                update = await messages.wait_for(AccountBalancesUpdated)
                if update.snapshot.source == "live" and update.snapshot.error is None:
                    live[update.key] = update.snapshot.total_usdt
            table = pilot.app.screen.query_one("#accounts", DataTable)
            rows = {table.get_cell(key, "exchange"): table.get_cell(key, "status") for key in table.rows}
            assert rows == {spec.name: "Connected · live" for spec in EXCHANGES.values()}
            labels = [table.get_cell(key, "label") for key in table.rows]
            assert len(set(labels)) == len(EXCHANGES), "a second exchange's demo key gets a label of its own"
            assert sum(live.values(), Decimal(0)) > 0
