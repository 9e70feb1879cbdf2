"""Every flow with the keyboard at 80x24, against the simulator: add, errors, replace, remove, balances, help, palette."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from textual.widgets import DataTable, Input, Static

from exchange_tui.models import BalanceSource
from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.tui.messages import (
    AccountBalancesUpdated,
    AccountChecked,
    AccountRemoved,
    AccountsLoaded,
    BalancesFailed,
    BalancesUpdated,
    InputRejected,
    KeyConnected,
    KeyRejected,
)
from exchange_tui.tui.screens.balances import BalancesScreen
from exchange_tui.tui.screens.checklist import ChecklistScreen
from exchange_tui.tui.screens.home import HomeScreen
from exchange_tui.tui.screens.help import HelpScreen
from exchange_tui.tui.screens.key_form import KeyFormScreen
from exchange_tui.tui.screens.connected import ConnectedScreen

SIZE = (80, 24)


def demo_index(label: str) -> int:
    return next(n for n, key in enumerate(EXCHANGES["bitget"].demo_keys) if key.label == label)


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_form(pilot, messages) -> None:
    await messages.wait_for(AccountsLoaded)
    await pilot.press("a", "enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, KeyFormScreen)


async def connect_demo(pilot, messages, label: str = "demo") -> None:
    """In the key form: F7, pick a demo key, Connect."""
    await pilot.press("f7", *["down"] * demo_index(label), "enter")
    await pilot.pause()
    await pilot.press("enter")


async def add_demo(pilot, messages, label: str = "demo") -> None:
    await open_form(pilot, messages)
    await connect_demo(pilot, messages, label)
    await messages.wait_for(KeyConnected)
    await pilot.pause()


async def home_with_demo(pilot, messages) -> None:
    """Add the demo key, then back to My Exchanges with it highlighted."""
    await add_demo(pilot, messages)
    await pilot.press("enter")
    await messages.wait_for(AccountsLoaded)


async def test_empty_home_leads_to_add(make_app, messages):
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await messages.wait_for(AccountsLoaded)
        await pilot.pause()
        assert app.screen.query_one("#empty").display
        await pilot.press("enter")
        await pilot.pause()
        assert "Add new exchange" in str(app.screen.query_one(".title", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, KeyFormScreen)


async def test_add_demo_key_connects_and_lists_it(make_app, messages, store):
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await add_demo(pilot, messages)
        assert isinstance(app.screen, ConnectedScreen)
        assert "Connected" in text(app, ".connected")
        assert "4,391.45 USDT" in text(app, ".total")
        await pilot.press("enter")
        await messages.wait_for(AccountsLoaded)
        await messages.wait_for(AccountBalancesUpdated)
        await pilot.pause()
        table = app.screen.query_one("#accounts", DataTable)
        assert table.get_row("demo")[1:4] == ["demo", "Connected · live", "4,391.45"]
    assert [record.label for record in store.accounts()] == ["demo"]


async def test_home_names_each_exchange_and_totals_every_account(make_app, messages):
    app = make_app(poll_seconds=60)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        for label in ("demo", "demo-readonly"):
            await add_demo(pilot, messages, label)
            await pilot.press("enter")
            await messages.wait_for(AccountBalancesUpdated, lambda message, label=label: message.key == label)
        await pilot.pause()
        table = app.screen.query_one("#accounts", DataTable)
        assert [table.get_row(key)[0] for key in ("demo", "demo-readonly")] == [EXCHANGES["bitget"].name] * 2
        totals = [app.state.last_total(record) for record in app.state.records.values()]
        assert None not in totals
        assert app.state.total() == sum(totals)
        assert text(app, "#grand-total") == f"Total over 2 accounts: {app.state.total():,.2f} USDT"


async def test_secret_fields_are_masked_until_revealed(make_app, messages):
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await open_form(pilot, messages)
        await pilot.press("f7", "enter")
        await pilot.pause()
        fields = [app.screen.query_one(f"#{name}", Input) for name in ("api_key", "secret_key", "passphrase")]
        assert all(field.password for field in fields)
        await pilot.press("f6")
        assert not any(field.password for field in fields)


API_KEY = "bg_" + "0123456789abcdef" * 2
SECRET_KEY = "cafe" * 16
PASTES = {
    "label": (" main\n", "main"),
    "api_key": (f"   {API_KEY}\n", API_KEY),
    "secret_key": (f"{SECRET_KEY}\r\n", SECRET_KEY),
    "passphrase": (" Quartz7Harbor", "Quartz7Harbor"),
}
"""Per field of the key form: what a paste brings (the value on its first line), what the field takes."""


@pytest.mark.parametrize("field", PASTES)
async def test_a_paste_goes_in_once_cleaned(make_app, messages, paste, field):
    pasted, cleaned = PASTES[field]
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await open_form(pilot, messages)
        widget = await paste(pilot, field, pasted)
        assert widget.value == cleaned
        if field != "label":
            screen = app.export_screenshot()
            assert widget.password and "•" in screen and cleaned not in screen


async def test_a_paste_with_a_break_inside_is_reported_by_the_form(make_app, messages, paste):
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await open_form(pilot, messages)
        widget = await paste(pilot, "api_key", f"  {API_KEY[:19]}\n{API_KEY[19:]}  \n")
        assert widget.value == f"{API_KEY[:19]} {API_KEY[19:]}"
        for field in ("label", "secret_key", "passphrase"):
            app.screen.query_one(f"#{field}", Input).value = PASTES[field][1]
        await pilot.click("#connect")
        rejected = await messages.wait_for(InputRejected)
        await pilot.pause()
        assert rejected.field == "api_key"
        assert "spaces or line breaks inside it" in text(app, "#error-api_key")


@pytest.mark.parametrize(
    ("demo_key", "advice", "step"),
    [
        ("demo-typo", "passphrase does not match", "step 5: Name it and set a passphrase"),
        ("demo-ip-bound", "IP whitelist", "step 10: Bind the key to this box's IP"),
        ("demo-badsecret", "secret key is wrong", "step 9: Copy the API key and secret key"),
    ],
)
async def test_refused_key_shows_the_hint_and_the_checklist_step(make_app, messages, store, demo_key, advice, step):
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await open_form(pilot, messages)
        await connect_demo(pilot, messages, demo_key)
        report = (await messages.wait_for(KeyRejected)).report
        await pilot.pause()
        outcome = text(app, "#outcome")
        assert advice in outcome and report.error.code in outcome
        assert step in outcome
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        failed = "\n".join(str(line.render()) for line in app.screen.query(".step.-failed"))
        assert step.split(": ")[1] in failed
    assert store.accounts() == []


async def test_field_errors_show_beside_the_field(make_app, messages):
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await open_form(pilot, messages)
        app.screen.query_one("#label", Input).value = "bad label!"
        await pilot.press("f7", "enter")
        await pilot.pause()
        app.screen.query_one("#label", Input).value = "bad label!"
        app.screen.query_one("#passphrase", Input).value = ""
        await pilot.click("#connect")
        await messages.wait_for(InputRejected)
        await pilot.pause()
        assert "Label:" in text(app, "#error-label")
        assert app.screen.query_one("#label", Input).has_focus
        app.screen.query_one("#label", Input).value = "ok"
        await pilot.click("#connect")
        await messages.wait_for(InputRejected)
        await pilot.pause()
        assert "passphrase is empty" in text(app, "#error-passphrase")
        assert not app.screen.query_one("#error-label").has_class("-shown")


async def test_replace_key_ends_connected_again(make_app, messages, store):
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await home_with_demo(pilot, messages)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, KeyFormScreen)
        assert "Replace the API key of demo" in text(app, ".title")
        assert "bg_83d5" in text(app, "#replacing")
        await connect_demo(pilot, messages, "demo-typo")
        await messages.wait_for(KeyRejected)
        await pilot.pause()
        assert "The old key stays" in text(app, "#outcome")
        await connect_demo(pilot, messages, "demo-readonly")
        await messages.wait_for(KeyConnected)
        await pilot.pause()
        assert isinstance(app.screen, ConnectedScreen)
        assert "key replaced" in text(app, ".connected")
    assert store.get("demo").key_prefix == "bg_b91e…"


async def test_remove_asks_first(make_app, messages, store):
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await home_with_demo(pilot, messages)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert len(store.accounts()) == 1
        await pilot.press("x", "y")
        await messages.wait_for(AccountRemoved)
        await messages.wait_for(AccountsLoaded)
        await pilot.pause()
        assert app.screen.query_one("#empty").display
    assert store.accounts() == []


async def test_home_checks_accounts_in_the_background(make_app, messages, store, simulator):
    async with make_app().run_test(size=SIZE, message_hook=messages) as pilot:
        await add_demo(pilot, messages, "demo-readonly")
    app = make_app()
    simulator.state.update_faults(latency_ms=500)  # a check one round trip long could end before the first look
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await messages.wait_for(AccountsLoaded)
        await pilot.pause()
        table = app.screen.query_one("#accounts", DataTable)
        assert table.get_row("demo-readonly")[2] == "Checking…"
        simulator.state.update_faults(latency_ms=0)
        checked = await messages.wait_for(AccountChecked)
        await pilot.pause()
        assert table.get_row("demo-readonly")[2].startswith("Connected")
        assert "read-only" in text(app, "#account-detail")
        watched = await messages.wait_for(AccountBalancesUpdated)
        await pilot.pause()
        assert messages.seen.index(checked) < messages.seen.index(watched)
        assert table.get_row("demo-readonly")[2] == "Connected · live"


def total_is(total: str):
    return lambda message: message.snapshot.total_usdt == Decimal(total)


def source_is(source: BalanceSource):
    return lambda message: message.snapshot.source is source


async def open_balances(pilot, messages, source: BalanceSource) -> None:
    """Add the demo key, open its balances and wait for a reading from ``source``."""
    await add_demo(pilot, messages)
    await pilot.press("b")
    await messages.wait_for(BalancesUpdated, source_is(source))
    await pilot.pause()
    assert isinstance(pilot.app.screen, BalancesScreen)


async def test_balance_change_arrives_as_a_live_push(make_app, messages, simulator):
    app = make_app(poll_seconds=60)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await open_balances(pilot, messages, BalanceSource.LIVE)
        assert "4,391.45" in text(app, "#total")
        assert text(app, "#freshness") == "live · last change just now"
        simulator.state.set_balance("demo-unified", "USDT", "3400.12", wallet="unified")
        await messages.wait_for(BalancesUpdated, total_is("5391.44925"))
        await pilot.pause()
        assert "5,391.45" in text(app, "#total")
        assert app.screen.totals[-1] == 5391.44925
        assert "live" in text(app, "#freshness")


async def test_home_total_follows_a_push(make_app, messages, simulator):
    app = make_app(poll_seconds=60)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await home_with_demo(pilot, messages)
        await messages.wait_for(AccountBalancesUpdated)
        simulator.state.set_balance("demo-unified", "USDT", "3400.12", wallet="unified")
        await messages.wait_for(AccountBalancesUpdated, total_is("5391.44925"))
        await pilot.pause()
        row = app.screen.query_one("#accounts", DataTable).get_row("demo")
        assert row[2:4] == ["Connected · live", "5,391.45"]


async def test_home_row_goes_stale_when_readings_fail(make_app, messages, simulator):
    simulator.state.update_faults(ws_refuse_login=True)
    app = make_app(poll_seconds=0.2)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await home_with_demo(pilot, messages)
        await messages.wait_for(AccountBalancesUpdated, source_is(BalanceSource.POLLING))
        simulator.state.update_faults(error_5xx_next=1000)
        await messages.wait_for(AccountBalancesUpdated, lambda message: message.snapshot.error is not None)
        await pilot.pause()
        row = app.screen.query_one("#accounts", DataTable).get_row("demo")
        assert row[2:4] == ["Stale", "4,391.45"]
        assert "demo: balances are stale:" in text(app, "#account-detail")


async def test_balances_say_polling_while_the_stream_is_refused(make_app, messages, simulator):
    simulator.state.update_faults(ws_refuse_login=True)
    app = make_app(poll_seconds=0.2)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await open_balances(pilot, messages, BalanceSource.POLLING)
        assert "4,391.45" in text(app, "#total")
        assert text(app, "#freshness") == "polling every 0.2 s · updated just now"
        assert not app.screen.query_one("#freshness").has_class("-stale")


async def test_balances_go_stale_when_polls_fail(make_app, messages, simulator):
    simulator.state.update_faults(ws_refuse_login=True)
    app = make_app(poll_seconds=0.2)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await open_balances(pilot, messages, BalanceSource.POLLING)
        simulator.state.update_faults(error_5xx_next=1000)
        await messages.wait_for(BalancesFailed)
        await pilot.pause()
        freshness = text(app, "#freshness")
        assert freshness.startswith("STALE · last update ")
        assert freshness.endswith(": Bitget is having trouble: try again in a moment")
        assert app.screen.query_one("#freshness").has_class("-stale")
        assert "4,391.45" in text(app, "#total")


async def test_refresh_restarts_the_watch(make_app, messages):
    app = make_app(poll_seconds=60)
    watched = count_watches(app)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await open_balances(pilot, messages, BalanceSource.LIVE)
        await pilot.press("u")
        await messages.wait_for(BalancesUpdated, source_is(BalanceSource.LIVE))
        assert watched == ["demo", "demo"]
        assert list(app.state.watches) == ["demo"]


def count_watches(app) -> list[str]:
    """The label of every ``service.watch`` the app opens, in order."""
    service = app.state.service
    watched = []
    real_watch = service.watch

    def counted_watch(label, **options):
        watched.append(label)
        return real_watch(label, **options)

    service.watch = counted_watch
    return watched


async def test_balances_share_the_watch_my_exchanges_started(make_app, messages):
    app = make_app(poll_seconds=60)
    watched = count_watches(app)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await home_with_demo(pilot, messages)
        await messages.wait_for(AccountBalancesUpdated)
        assert watched == ["demo"]
        await pilot.press("enter")
        await messages.wait_for(BalancesUpdated)
        await pilot.pause()
        assert isinstance(app.screen, BalancesScreen)
        assert "4,391.45" in text(app, "#total")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert watched == ["demo"]
        assert list(app.state.watches) == ["demo"]


def fake_clock(app) -> list:
    """Let the test move the app's clock: set ``now[0]``."""
    now = [None]
    real_clock = app.state.clock
    app.state.clock = lambda: now[0] or real_clock()
    return now


async def test_a_quiet_live_stream_is_not_stale(make_app, messages):
    app = make_app(poll_seconds=60)
    now = fake_clock(app)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await open_balances(pilot, messages, BalanceSource.LIVE)
        now[0] = app.screen.last_update + timedelta(minutes=5)
        app.screen._show_freshness()
        assert text(app, "#freshness") == "live · last change 5m ago"
        assert not app.screen.query_one("#freshness").has_class("-stale")


async def test_balances_go_stale_when_polled_updates_stop(make_app, messages, simulator):
    simulator.state.update_faults(ws_refuse_login=True)
    app = make_app(poll_seconds=0.2)
    now = fake_clock(app)
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await open_balances(pilot, messages, BalanceSource.POLLING)
        screen = app.screen
        now[0] = screen.last_update + timedelta(seconds=12)
        screen._show_freshness()
        assert text(app, "#freshness") == "STALE · last update 12s ago"
        assert screen.query_one("#freshness").has_class("-stale")


async def test_checklist_ticks_what_the_check_verified(make_app, messages):
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await add_demo(pilot, messages, "demo-spot-only")
        await pilot.press("k")
        await pilot.pause()
        steps = {str(s.render())[:40]: s for s in app.screen.query(".step")}
        marks = {title.split(".")[0].strip(" ✔✘!·"): next(c for c in ("-done", "-failed", "-warning", "-unknown") if s.has_class(c)) for title, s in steps.items()}
        assert marks["5"] == "-done"
        assert marks["6"] == "-done"
        assert marks["7"] == "-warning"
        assert marks["10"] == "-warning"
        assert marks["11"] == "-done"


async def test_help_lists_every_key(make_app, messages):
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await messages.wait_for(AccountsLoaded)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = "\n".join(str(column.render()) for column in app.screen.query(".help-column"))
        for needed in ("Add new exchange", "Replace the API key", "Remove the account", "Refresh now", "Fill a demo key", "Command palette"):
            assert needed in shown
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_palette_runs_account_actions(make_app, messages):
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await messages.wait_for(AccountsLoaded)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"add exchange")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "Add new exchange" in str(app.screen.query_one(".title", Static).render())


async def test_palette_discovers_every_command(make_app, messages):
    from exchange_tui.tui.commands import AccountCommands

    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages):
        provider = AccountCommands(app.screen)
        titles = [hit.text async for hit in provider.discover()]
        assert "account: Add exchange" in titles
        assert "account: Replace API key" in titles
        assert "view: Balances" in titles
        assert "app: Quit" in titles
