"""OKX is one of the app's exchanges, and its adapter is as headless as the rest of the core."""

import subprocess
import sys

import pytest

from exchange_tui.exchanges.okx.spec import SPEC
from exchange_tui.exchanges.registry import EXCHANGES


def test_okx_is_registered():
    assert EXCHANGES["okx"] is SPEC


@pytest.mark.parametrize("module", ["client", "stream", "live"])
def test_the_adapter_imports_no_textual(module):
    probe = f"import sys, exchange_tui.exchanges.okx.{module}; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe]).returncode == 0
