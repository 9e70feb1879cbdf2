from collections.abc import AsyncIterator

import httpx
import pytest

from exchange_tui.simulator import SimulatorServer


@pytest.fixture
async def client(simulator: SimulatorServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=simulator.url) as http:
        yield http
