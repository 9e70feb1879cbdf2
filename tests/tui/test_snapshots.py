"""Each screen at 80x24, compared with its saved SVG (pytest-textual-snapshot: ``--snapshot-update`` to refresh).

Deterministic: the simulator runs on its own thread with fixed demo data and prices, no URL is
ever shown, the cursor does not blink, the app's clock stands still (ages are "just now"), no demo
drift runs, and a screen is taken once the balances it shows have been pushed.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input

from exchange_tui.config import Settings
from exchange_tui.service import AccountService
from exchange_tui.simulator import ThreadedSimulator
from exchange_tui.simulator.bitget import SimulatorState
from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.demo import DemoKeys
from exchange_tui.tui.wording import wall_clock

SIZE = (80, 24)


@pytest.fixture(scope="module")
def threaded_simulator():
    with ThreadedSimulator(SimulatorState()) as simulator:
        yield simulator


@pytest.fixture
def snapshot_app(store, threaded_simulator):
    def make(*labels: str) -> ExchangeApp:
        if labels:
            asyncio.run(_add(AccountService(store, settings=Settings.pointing({"bitget": threaded_simulator.url})), threaded_simulator, labels))
        service = AccountService(store, settings=Settings.pointing({"bitget": threaded_simulator.url}))
        now = wall_clock()
        return ExchangeApp(
            service=service, demo_keys=DemoKeys({"bitget": threaded_simulator}), clock=lambda: now, check_on_start=False
        )

    return make


async def _add(service: AccountService, simulator: ThreadedSimulator, labels: tuple[str, ...]) -> None:
    from pydantic import SecretStr

    for label in labels:
        account = simulator.state.account(label)
        secrets = (SecretStr(account.api_key), SecretStr(account.secret_key), SecretStr(account.passphrase))
        await service.add("bitget", label, *secrets)
    await service.aclose()


async def until(pilot, predicate, attempts: int = 1000) -> None:
    """Run the app until ``predicate()`` holds; each round waits for the app's pending messages."""
    for _ in range(attempts):
        await pilot.pause()
        if predicate():
            break
    else:
        raise TimeoutError("the screen never reached the state to snapshot")
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def outcome_has(pilot, words: str):
    return until(pilot, lambda: words in str(pilot.app.screen.query_one("#outcome").render()))


def test_home_empty(snap_compare, snapshot_app):
    async def run_before(pilot):
        await until(pilot, lambda: pilot.app.home.query_one("#empty").display)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)


def test_home_with_accounts(snap_compare, snapshot_app):
    async def run_before(pilot):
        def both_live() -> bool:
            table = pilot.app.home.query_one("#accounts")
            return [table.get_cell(key, "status") for key in table.rows] == ["Connected · live"] * 2

        await until(pilot, both_live)

    assert snap_compare(snapshot_app("demo", "demo-readonly"), terminal_size=SIZE, run_before=run_before)


def test_add_exchange(snap_compare, snapshot_app):
    async def run_before(pilot):
        await until(pilot, lambda: pilot.app.home.query_one("#empty").display)
        await pilot.press("a")

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)


async def _form_with(pilot, demo_index: int, words: str) -> None:
    await until(pilot, lambda: pilot.app.home.query_one("#empty").display)
    await pilot.press("a", "enter", "f7", *["down"] * demo_index, "enter", "enter")
    await outcome_has(pilot, words)


def test_key_form_with_an_error(snap_compare, snapshot_app):
    async def run_before(pilot):
        await _form_with(pilot, 7, "Not connected")

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)


def test_checklist_after_an_error(snap_compare, snapshot_app):
    async def run_before(pilot):
        await _form_with(pilot, 6, "Not connected")
        await pilot.press("f4")

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)


def test_connected_report(snap_compare, snapshot_app):
    async def run_before(pilot):
        await until(pilot, lambda: pilot.app.home.query_one("#empty").display)
        await pilot.press("a", "enter", "f7", "enter", "enter")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "ConnectedScreen")

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)


def test_balances(snap_compare, snapshot_app):
    async def run_before(pilot):
        await until(pilot, lambda: pilot.app.home.query_one("#accounts").row_count == 1)
        await pilot.press("enter")
        await until(pilot, lambda: "live · last change" in str(pilot.app.screen.query_one("#freshness").render()))

    assert snap_compare(snapshot_app("demo"), terminal_size=SIZE, run_before=run_before)


def test_replace(snap_compare, snapshot_app):
    async def run_before(pilot):
        await until(pilot, lambda: pilot.app.home.query_one("#accounts").row_count == 1)
        await pilot.press("r")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "KeyFormScreen")

    assert snap_compare(snapshot_app("demo"), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare, snapshot_app):
    async def run_before(pilot):
        await until(pilot, lambda: pilot.app.home.query_one("#empty").display)
        await pilot.press("f1")

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)
