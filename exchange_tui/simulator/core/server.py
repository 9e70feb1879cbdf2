"""Running the simulator: in the current event loop (``SimulatorServer``) or on a thread (``ThreadedSimulator``).

Both bind their sockets themselves, one per web application the state serves (``create_apps``), so
``port=0`` picks a free port and ``.urls`` (``.url`` the first) are known as soon as the server is
entered; ``port`` is the first app's, the others take free ones. Both leave signal handling and logging configuration to their caller. Both
speak HTTP with h11 (never httptools, should it be installed): the deadline on a request's head
(``ServerLimits.head_timeout_s``) is kept by a subclass of uvicorn's h11 protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import h11
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from exchange_tui.simulator.core.exchanges import new_state
from exchange_tui.simulator.core.gateway import hide_planned_drops
from exchange_tui.simulator.core.limits import ServerLimits
from exchange_tui.simulator.core.scenario import Scenario
from exchange_tui.simulator.core.state import CoreState

_SHUTDOWN_GRACE_S = 5.0


class _Uvicorn(uvicorn.Server):
    """uvicorn's server that reports its start with an event, stops without polling and keeps off signals."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.started_event = asyncio.Event()
        self._exit_event = asyncio.Event()

    def request_exit(self) -> None:
        self.should_exit = True
        self._exit_event.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.started_event.set()

    async def main_loop(self) -> None:
        await self._exit_event.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop accepting, close idle connections, let requests in flight finish (up to a grace period)."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        if self.server_state.tasks:
            _, unfinished = await asyncio.wait(set(self.server_state.tasks), timeout=_SHUTDOWN_GRACE_S)
            for task in unfinished:
                task.cancel()
        for server in self.servers:
            await server.wait_closed()
        await self.lifespan.shutdown()


class _Config(uvicorn.Config):
    """uvicorn's settings for the simulator, with the limits its HTTP protocol reads."""

    def __init__(self, app: ASGIApp, limits: ServerLimits) -> None:
        super().__init__(
            app,
            http=_H11WithHeadDeadline,
            h11_max_incomplete_event_size=limits.max_head_bytes,
            timeout_keep_alive=limits.idle_timeout_s,  # type: ignore[arg-type]  # uvicorn says int; a float works
            ws_max_size=limits.ws_max_message_bytes,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
            date_header=False,
        )
        self.limits = limits


class _H11WithHeadDeadline(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request's line and headers.

    uvicorn's only clock on a connection is its keep-alive timer: armed once an answer is sent and
    stopped by the first byte of the next request, it leaves a new connection, and a request head
    that trickles in a byte at a time, unbounded. Here a head must be complete ``head_timeout_s``
    after the server began waiting for it (the connection was accepted, the previous answer sent, or
    failing those its first byte came); otherwise the connection is closed as an idle one is.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        assert isinstance(config, _Config), "built by _Config"
        self.head_timeout_s = config.limits.head_timeout_s
        self.head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait_for_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._stop_waiting()
        elif self.head_deadline is None:
            self._wait_for_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._wait_for_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _wait_for_head(self) -> None:
        self._stop_waiting()
        self.head_deadline = self.loop.call_later(self.head_timeout_s, self.timeout_keep_alive_handler)

    def _stop_waiting(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None


def _bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket. Its protocol is IPPROTO_TCP, not 0 (as ``socket.create_server`` leaves it):
    asyncio turns Nagle off only on sockets that say so, and with Nagle on every keep-alive answer waits 40 ms."""
    addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    family, kind, proto, _, address = addresses[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen()
    except OSError:
        sock.close()
        raise
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if sock.family == socket.AF_INET6 else f"http://{host}:{port}"


class _Simulator:
    """What both ways of running the simulator share: its state, address, limits and URLs.

    ``state`` is one exchange's (``new_state("...")`` or that exchange package's ``SimulatorState``);
    without one the default exchange's, with its demo accounts. The state knows its web application and WebSocket paths.
    """

    def __init__(
        self,
        state: CoreState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: ServerLimits | None = None,
    ) -> None:
        self.state = state if state is not None else new_state()
        self.host = host
        self.port = port
        self.limits = limits if limits is not None else ServerLimits()
        self.urls: dict[str, str] = {}

    @property
    def url(self) -> str:
        """The first app's base URL (the only one where an exchange has one host)."""
        return self.urls.get("url", "")

    def ws(self, path: str, app: str = "url") -> str:
        """The WebSocket URL of one of the simulator's socket paths, on app ``app``'s port (no host before start)."""
        return "ws" + self.urls.get(app, "").removeprefix("http") + path

    @property
    def ws_urls(self) -> dict[str, str]:
        """Every WebSocket the exchange serves, by the startup line's names (``ws_url``, ``ws_demo_url``…)."""
        hosts = self.state.ws_hosts
        return {name: self.ws(path, hosts.get(name, "url")) for name, path in self.state.ws_paths.items()}

    @property
    def ws_url(self) -> str:
        """The live private WebSocket."""
        return self.ws_urls["ws_url"]

    @property
    def ws_demo_url(self) -> str:
        """The demo-trading private WebSocket, on the app ``ws_hosts`` names for it."""
        return self.ws_urls["ws_demo_url"]

    @property
    def scenario(self) -> Scenario:
        """The state's exchange-neutral handle (``core.scenario.Scenario``), safe to call from any thread."""
        return self.state.scenario

    def startup_line(self) -> dict[str, object]:
        """The one JSON line ``exchange-tui simulator`` prints: where to connect and how to log in."""
        return {**self.urls, **self.ws_urls, "accounts": self.state.credentials_line()}


class SimulatorServer(_Simulator):
    """The simulator served by uvicorn in the running event loop::

        async with SimulatorServer(new_state(name)) as server:
            httpx.get(server.url + path)

    Entering returns once uvicorn has started; leaving stops it and waits until it has.
    """

    async def __aenter__(self) -> SimulatorServer:
        apps = self.state.create_apps(self.limits)
        logging.getLogger("uvicorn.error").addFilter(hide_planned_drops)
        self._uvicorns: list[_Uvicorn] = []
        self._servings: list[asyncio.Task[None]] = []
        try:
            for index, (name, app) in enumerate(apps.items()):
                sock = _bind(self.host, self.port if index == 0 else 0)
                if index == 0:
                    self.port = sock.getsockname()[1]
                self.urls[name] = _url(sock)
                await self._start(_Uvicorn(_Config(app, self.limits)), sock, self.urls[name])
        except BaseException:
            await self._stop_all()
            raise
        return self

    async def _start(self, server: _Uvicorn, sock: socket.socket, url: str) -> None:
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        started = asyncio.create_task(server.started_event.wait())
        await asyncio.wait({started, serving}, return_when=asyncio.FIRST_COMPLETED)
        if not server.started:
            started.cancel()
            sock.close()
            raise RuntimeError(f"the simulator could not start on {url}") from serving.exception()
        self._uvicorns.append(server)
        self._servings.append(serving)

    async def _stop_all(self) -> None:
        for server in self._uvicorns:
            server.request_exit()
        await asyncio.gather(*self._servings)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self._stop_all()


class ThreadedSimulator(_Simulator):
    """The simulator on a background thread with its own event loop, for sync clients (ccxt) and benchmarks::

        with ThreadedSimulator() as sim:
            requests.get(sim.url + path)
            sim.state.faults.drop_next = 1
    """

    def __enter__(self) -> ThreadedSimulator:
        self._ready = threading.Event()
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name=f"{self.state.exchange}-simulator", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except Exception as error:
            self._error = error
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with SimulatorServer(self.state, self.host, self.port, self.limits) as server:
            self.port = server.port
            self.urls = dict(server.urls)
            self._ready.set()
            await self._stop.wait()
