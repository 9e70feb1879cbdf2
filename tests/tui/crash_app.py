"""The app crashing while a key is being connected, for test_crash_report.py: run as a script.

The key form hands the three secrets to a service whose ``add`` fails in a way the app does not
expect, so the worker dies and Textual prints its crash report, every frame's locals included.
"""

import sys

from exchange_tui.tui.app import ExchangeApp

SECRET = "cafe" * 16
PASSPHRASE = "Sesame0pen1234"
API_KEY = "bg_" + "d" * 32


class Exploding:
    """A service whose add fails in a way the app does not expect: Textual's crash report follows."""

    async def accounts(self):
        return []

    async def add(self, *args, **kwargs):
        raise RuntimeError("the store fell over")

    async def aclose(self):
        pass


async def drive(pilot):
    await pilot.press("a")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    for text in ("crashy", API_KEY, SECRET, PASSPHRASE):
        await pilot.press(*text, "enter")
        await pilot.pause()
    await pilot.pause()


if __name__ == "__main__":
    ExchangeApp(service=Exploding(), check_on_start=False).run(headless=True, size=(80, 24), auto_pilot=drive)
    sys.exit(0)
