"""The core is headless: the adapter, simulator, store, service, models, config and the CLI import no
Textual (the CLI loads the app only when asked to open it). The TUI's screens get its state handed
to them: none imports the app, so screens and app make no import cycle."""

import subprocess
import sys

import pytest

CORE = [
    "exchange_tui.models",
    "exchange_tui.reports",
    "exchange_tui.exchanges.bitget.client",
    "exchange_tui.exchanges.bitget.stream",
    "exchange_tui.exchanges.bitget.live",
    "exchange_tui.exchanges.base",
    "exchange_tui.service",
    "exchange_tui.config",
    "exchange_tui.cli",
    "exchange_tui.simulator",
    "exchange_tui.store",
    "exchange_tui.validation",
    "exchange_tui.hardening",
    "exchange_tui.urls",
    "exchange_tui.tui.state",
]
SCREENS = [
    "exchange_tui.tui.screens.home",
    "exchange_tui.tui.screens.connected",
    "exchange_tui.tui.screens.balances",
    "exchange_tui.tui.screens.checklist",
    "exchange_tui.tui.screens.dialogs",
    "exchange_tui.tui.screens.help",
    "exchange_tui.tui.screens.key_form",
]


def pulls_in(module: str, other: str) -> bool:
    """Whether importing ``module`` first, in a fresh interpreter, imports ``other`` too."""
    probe = f"import sys, {module}; sys.exit({other!r} in sys.modules)"
    return subprocess.run([sys.executable, "-c", probe]).returncode != 0


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_textual(module):
    assert not pulls_in(module, "textual"), f"{module} pulls in Textual"


def test_simulator_does_not_use_our_client():
    assert not pulls_in("exchange_tui.simulator", "exchange_tui.exchanges")


@pytest.mark.parametrize("module", SCREENS)
def test_a_screen_imports_without_the_app(module):
    assert not pulls_in(module, "exchange_tui.tui.app"), f"{module} pulls in the app"
