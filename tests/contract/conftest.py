"""Each registered exchange's own simulator, in the test's event loop, fresh for every test."""

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import pytest

from exchange_tui.simulator import SimulatorServer, new_state
from exchange_tui.simulator.core.scenario import Scenario


@dataclass(frozen=True)
class Simulated:
    """An exchange's simulator as the contract suite sees it: where it is (``urls``: every REST base it serves,
    by settings name, where its environments are separate hosts), and its scenario."""

    exchange: str
    url: str
    urls: Mapping[str, str]
    scenario: Scenario


@pytest.fixture
async def exchange(request) -> AsyncIterator[Simulated]:
    async with SimulatorServer(new_state(request.param)) as server:
        yield Simulated(request.param, server.url, server.urls, server.scenario)
