"""Each registered exchange's own simulator, in the test's event loop, fresh for every test."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from exchange_tui.simulator import SimulatorServer, new_state
from exchange_tui.simulator.core.scenario import Scenario


@dataclass(frozen=True)
class Simulated:
    """An exchange's simulator as the contract suite sees it: where it is (its URLs by setting name), and its scenario."""

    exchange: str
    urls: dict[str, str]
    scenario: Scenario


@pytest.fixture
async def exchange(request) -> AsyncIterator[Simulated]:
    async with SimulatorServer(new_state(request.param)) as server:
        yield Simulated(request.param, server.urls, server.scenario)
