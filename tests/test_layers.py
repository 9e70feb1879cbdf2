"""The core is headless: the adapter, simulator, store, service, models, config and the CLI import no
Textual (the CLI loads the app only when asked to open it)."""

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
]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_textual(module):
    probe = f"import sys, {module}; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe]).returncode == 0, f"{module} pulls in Textual"


def test_simulator_does_not_use_our_client():
    probe = "import sys, exchange_tui.simulator; sys.exit('exchange_tui.exchanges' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe]).returncode == 0
