"""Drive the demo with the keyboard and save every screen at 80x24 as SVG, then PNG (rsvg-convert):
a Bitget key refused, then connected, then every other exchange's first demo key beside it on My Exchanges.

    python screenshots/make_screenshots.py

Key fields stay masked, so no secret reaches a screenshot.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

from textual.pilot import Pilot

from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.tui.launch import prepared_app

HERE = Path(__file__).parent
SIZE = (80, 24)


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot, predicate, attempts: int = 500) -> None:
    """Let the app run until ``predicate()`` holds (it is woken by its own messages)."""
    for _ in range(attempts):
        if predicate():
            return
        await pilot.pause()
    raise TimeoutError("the screen did not reach the expected state")


def save(pilot: Pilot, name: str) -> None:
    svg = HERE / f"{name}.svg"
    pilot.app.save_screenshot(filename=svg.name, path=str(HERE))
    if shutil.which("rsvg-convert"):
        subprocess.run(["rsvg-convert", str(svg), "-o", str(svg.with_suffix(".png"))], check=True)
    print("saved", svg)


async def fill_demo_key(pilot: Pilot, index: int) -> None:
    await pilot.press("f7")
    await pilot.press(*["down"] * index, "enter")
    await pilot.pause()


def live_rows(app) -> int:
    """How many accounts have a live reading: each exchange's watch has had its first push."""
    return sum(1 for watch in app.state.watches.values() if watch.latest is not None and watch.latest.source == "live")


async def main() -> None:
    with prepared_app(demo=True) as app:
        app.drift_seconds = 3600
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.state.service is not None)
            await settle(pilot)
            save(pilot, "01-home-empty")
            await pilot.press("a")
            await pilot.pause()
            save(pilot, "02-add-exchange")
            await pilot.press("enter")
            await fill_demo_key(pilot, 7)
            await pilot.press("enter")
            await settle(pilot)
            save(pilot, "03-key-form-error")
            await pilot.press("f4")
            await pilot.pause()
            save(pilot, "04-checklist")
            await pilot.press("escape")
            await fill_demo_key(pilot, 0)
            await pilot.press("enter")
            await settle(pilot)
            save(pilot, "05-connected")
            await pilot.press("b")
            await until(pilot, lambda: "live · last change" in str(app.screen.query_one("#freshness").render()))
            save(pilot, "06-balances")
            await pilot.press("escape")
            for position in range(1, len(EXCHANGES)):
                await until(pilot, lambda: app.home.is_current)
                await pilot.press("a", *["down"] * position, "enter")
                await pilot.pause()
                await fill_demo_key(pilot, 0)
                await pilot.press("enter")
                await until(pilot, lambda: type(app.screen).__name__ == "ConnectedScreen")
                await pilot.press("escape")
            await until(pilot, lambda: app.home.is_current and live_rows(app) == len(EXCHANGES))
            await pilot.pause()
            save(pilot, "07-home")
            await pilot.press("r")
            await pilot.pause()
            save(pilot, "08-replace")
            await pilot.press("escape", "f1")
            await pilot.pause()
            save(pilot, "09-help")


if __name__ == "__main__":
    asyncio.run(main())
