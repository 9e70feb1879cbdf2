"""The TUI against the simulator, on the shared encrypted-file ``store`` (a fresh index per test)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from textual import events
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input

from exchange_tui.config import Settings
from exchange_tui.service import AccountService
from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.demo import DemoKeys


class Messages:
    """A ``message_hook`` that lets a test wait for the next message of a kind, instead of sleeping."""

    def __init__(self) -> None:
        self.seen: list[Message] = []
        self.taken: set[int] = set()
        self._changed = asyncio.Event()

    def __call__(self, message: Message) -> None:
        self.seen.append(message)
        self._changed.set()

    async def wait_for(
        self, kind: type[Message], where: Callable[[Message], bool] = lambda message: True, timeout: float = 15.0
    ) -> Message:
        """The first message of ``kind`` (that ``where`` accepts) not yet taken, once it is dispatched."""
        async with asyncio.timeout(timeout):
            while True:
                for message in self.seen:
                    if isinstance(message, kind) and id(message) not in self.taken and where(message):
                        self.taken.add(id(message))
                        return message
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
def messages() -> Messages:
    return Messages()


@pytest.fixture
def paste(messages: Messages) -> Callable[[Pilot, str, str], Awaitable[Input]]:
    """Paste text into a field as the terminal's paste arrives: an ``events.Paste`` that the app hands
    to the focused widget. Returns the field once it has changed."""

    async def paste_into(pilot: Pilot, field: str, text: str) -> Input:
        widget = pilot.app.screen.query_one(f"#{field}", Input)
        widget.focus()
        await pilot.pause()
        pilot.app.post_message(events.Paste(text))
        await messages.wait_for(Input.Changed, lambda message: message.input is widget)
        return widget

    return paste_into


@pytest.fixture
def make_app(store, simulator) -> Callable[..., ExchangeApp]:
    def make(**options) -> ExchangeApp:
        service = AccountService(store, settings=Settings.pointing({"bitget": simulator.url}))
        return ExchangeApp(service=service, demo_keys=DemoKeys({"bitget": simulator}), **options)

    return make
