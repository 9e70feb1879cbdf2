"""Fixtures shared by every test folder: a running Bitget simulator on loopback, and its demo accounts."""

from collections.abc import AsyncIterator

import pytest

from exchange_tui.simulator import SimAccount, SimulatorServer, SimulatorState, demo_accounts


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    """A real HTTP simulator in this test's event loop, with fresh state (built-in demo accounts)."""
    async with SimulatorServer(SimulatorState()) as server:
        yield server


@pytest.fixture(scope="session")
def sim_accounts() -> dict[str, SimAccount]:
    """The built-in demo accounts by label ("demo", "demo-readonly", "demo-unified"...), with credentials."""
    return {account.label: account for account in demo_accounts()}
