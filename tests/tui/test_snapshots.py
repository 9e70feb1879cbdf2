"""Each screen at 80x24, compared with its saved SVG (pytest-textual-snapshot: ``--snapshot-update`` to refresh).

Deterministic: the simulator runs on its own thread with fixed demo data and prices, no URL is
ever shown, the cursor does not blink, the app's clock stands still (ages are "just now"), no demo
drift runs, and a screen is taken once the balances it shows have been pushed.
"""

from __future__ import annotations

import asyncio
from contextlib import ExitStack

import pytest
from textual.widgets import Input

from exchange_tui.config import Settings
from exchange_tui.service import AccountService
from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.simulator import ThreadedSimulator, new_state
from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.demo import DemoKeys
from exchange_tui.tui.wording import wall_clock

SIZE = (80, 24)


@pytest.fixture(scope="module")
def simulators():
    """Every registered exchange's simulator on a thread, by exchange id."""
    with ExitStack() as running:
        yield {exchange: running.enter_context(ThreadedSimulator(new_state(exchange))) for exchange in EXCHANGES}


@pytest.fixture
def snapshot_app(store, simulators):
    """The app over ``store`` with accounts added first: ``"demo"`` is the Bitget simulator's account of
    that label, ``"okx:demo"`` the OKX one's (stored as ``okx-demo``)."""

    def make(*accounts: str) -> ExchangeApp:
        settings = Settings.pointing({exchange: simulator.url for exchange, simulator in simulators.items()})
        if accounts:
            asyncio.run(_add(AccountService(store, settings=settings), simulators, accounts))
        service = AccountService(store, settings=settings)
        now = wall_clock()
        return ExchangeApp(service=service, demo_keys=DemoKeys(simulators), clock=lambda: now, check_on_start=False)

    return make


async def _add(service: AccountService, simulators: dict[str, ThreadedSimulator], accounts: tuple[str, ...]) -> None:
    from pydantic import SecretStr

    for entry in accounts:
        exchange, _, label = entry.rpartition(":")
        account = simulators[exchange or "bitget"].state.account(label)
        parts = {"api_key": account.api_key, "secret_key": account.secret_key, "passphrase": account.passphrase}
        secrets = {name: SecretStr(value) for name, value in parts.items() if value is not None}
        await service.add(exchange or "bitget", f"{exchange}-{label}" if exchange else label, **secrets)
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

    assert snap_compare(snapshot_app("demo", "okx:demo"), terminal_size=SIZE, run_before=run_before)


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


async def _second_exchanges_form(pilot) -> None:
    await until(pilot, lambda: pilot.app.home.query_one("#empty").display)
    await pilot.press("a", "down", "enter")
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "KeyFormScreen")


def test_the_second_exchanges_key_form(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=_second_exchanges_form)


def test_the_second_exchanges_checklist(snap_compare, snapshot_app):
    async def run_before(pilot):
        await _second_exchanges_form(pilot)
        await pilot.press("f4")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "ChecklistScreen")

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)
