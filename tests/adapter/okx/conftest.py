"""What the OKX adapter's tests share: a tiny loopback HTTP server that records what our client puts on
the wire and answers OKX's empty success, and the OKX simulator.

The recorder pins request shape only (paths, queries, headers, signatures, bodies): how the client
behaves on OKX's answers is tested against the OKX simulator (``simulated``), which checks signatures
with its own code.
"""

import asyncio
import importlib.util
import json
import socket
import subprocess
import sys
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from okx_support import VECTOR_EPOCH_S
from starlette.routing import Route

from exchange_tui.models import CREDENTIAL_FIELDS, Credentials


@dataclass(frozen=True)
class Sent:
    method: str
    target: str
    """The path and query as they arrived."""
    headers: dict[str, str]
    body: bytes


async def _answer(request: Request, sent: list[Sent]) -> JSONResponse:
    target = request.scope["raw_path"].decode() + (
        "?" + request.scope["query_string"].decode() if request.scope["query_string"] else ""
    )
    sent.append(Sent(request.method, target, dict(request.headers), await request.body()))
    if request.url.path == "/api/v5/public/time":
        return JSONResponse({"code": "0", "msg": "", "data": [{"ts": str(VECTOR_EPOCH_S * 1000)}]})
    return JSONResponse({"code": "0", "msg": "", "data": [{}]})


@pytest.fixture
async def recorder():
    """``(base_url, sent)``: a loopback server on a free port, and every request it received, in order."""
    sent: list[Sent] = []

    async def endpoint(request: Request) -> JSONResponse:
        return await _answer(request, sent)

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # connections wait in the backlog until the server accepts them: nothing to wait for
    task = asyncio.create_task(server.serve(sockets=[sock]))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", sent
    server.should_exit = True
    await task


@dataclass(frozen=True)
class Simulator:
    """A running OKX simulator: its REST base and its demo accounts' credentials by label."""

    url: str
    accounts: dict[str, dict[str, str]]

    def credentials(self, label: str = "demo", **changes: str) -> Credentials:
        account = self.accounts[label]
        return Credentials(**({part: account[part] for part in CREDENTIAL_FIELDS} | changes))

    async def control(self, what: str, **body: object) -> None:
        """One of the simulator's knobs (``balance``, ``ws/drop``, ``reset``…)."""
        async with httpx.AsyncClient() as http:
            (await http.post(f"{self.url}/_sim/{what}", json=body)).raise_for_status()


@pytest.fixture(scope="module")
def okx_simulator():
    """The OKX simulator as ``exchange-tui simulator --exchange okx`` serves it, in a process of its own
    (its first line says its URL and demo accounts); skipped where this branch has no OKX simulator."""
    if importlib.util.find_spec("exchange_tui.simulator.okx") is None:
        pytest.skip("no OKX simulator (exchange_tui/simulator/okx) on this branch")
    process = subprocess.Popen(
        [sys.executable, "-m", "exchange_tui.simulator", "--exchange", "okx"], stdout=subprocess.PIPE, text=True
    )
    try:
        started = json.loads(process.stdout.readline())
        yield Simulator(started["url"], {account["label"]: account for account in started["accounts"]})
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
async def simulated(okx_simulator):
    """The OKX simulator, reset to its demo accounts for this test."""
    await okx_simulator.control("reset")
    return okx_simulator
