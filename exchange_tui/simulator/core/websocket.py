"""What every simulated exchange's WebSocket session shares: an outbox that one writer task drains in order,
a listener that hops state events into the server's loop, closes and drops.

An exchange's session subclasses :class:`Session` with its answer to one message (:meth:`Session.hear`),
how it closes a silent connection (:attr:`Session.idle_close`), which events concern it
(:meth:`Session.wants`) and the push a balance change becomes (:meth:`Session.change_push`).
"""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from starlette.websockets import WebSocket, WebSocketDisconnect

from exchange_tui.simulator.core.events import BalanceChanged, SimEvent, WebSocketsDropped
from exchange_tui.simulator.core.state import CoreState


def frame(**fields: object) -> str:
    """A JSON text frame, compact as the exchanges send theirs."""
    return json.dumps(fields, separators=(",", ":"))


def parse_request(text: str | None) -> dict[str, Any] | None:
    """A text frame as a request: a JSON object with a string ``op``; None for anything else."""
    try:
        request = json.loads(text) if text is not None else None
    except ValueError:
        return None
    if not isinstance(request, dict) or not isinstance(request.get("op"), str):
        return None
    return request


def login_fields(args: object, names: tuple[str, ...]) -> dict[str, str] | None:
    """A login's ``args``, one object, as the text of each of ``names`` ("" when absent); None for other ``args``."""
    if not (isinstance(args, list) and len(args) == 1 and isinstance(args[0], dict)):
        return None
    return {name: str(args[0].get(name) or "") for name in names}


@dataclass(frozen=True)
class Close:
    code: int
    reason: str = ""


class Drop:
    """Leave without a close frame: uvicorn then closes the TCP connection, like a network drop."""


Outgoing = str | BalanceChanged | Close | Drop


class Session(ABC):
    """One connection: a reader that answers requests and a writer that owns the socket's sending side."""

    idle_close: ClassVar[Close]
    """How a connection is closed once it has not been :meth:`heard` for ``faults.ws_idle_timeout_ms``."""

    def __init__(self, state: CoreState, websocket: WebSocket) -> None:
        self.state = state
        self.websocket = websocket
        self.outbox: asyncio.Queue[Outgoing] = asyncio.Queue()
        self.closing = False
        self.heard_at = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        unsubscribe = self.state.subscribe(lambda event: self._hear(loop, event))
        tasks = {asyncio.create_task(self.read()), asyncio.create_task(self._write())}
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            unsubscribe()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def read(self) -> None:
        """Receive and :meth:`hear` each message until the client leaves; nothing more once closing."""
        loop = asyncio.get_running_loop()
        self.heard()
        while True:
            idle_s = self.state.faults.ws_idle_timeout_ms / 1000
            timeout = None if self.closing else self.heard_at + idle_s - loop.time()
            try:
                message = await asyncio.wait_for(self.websocket.receive(), timeout)
            except TimeoutError:
                self.close(self.idle_close.code, self.idle_close.reason)
                continue
            if message["type"] == "websocket.disconnect":
                return
            if not self.closing:
                self.hear(message.get("text"))

    @abstractmethod
    def hear(self, text: str | None) -> None:
        """Answer one message (``text`` None for a binary one); :meth:`heard` if it keeps the connection alive."""

    def heard(self) -> None:
        """The connection is alive now: its idle time starts again."""
        self.heard_at = asyncio.get_running_loop().time()

    def pong(self) -> None:
        """The answer to a text ``ping``, unless ``faults.ws_ignore_pings``."""
        if not self.state.faults.ws_ignore_pings:
            self.send("pong")

    @abstractmethod
    def wants(self, change: BalanceChanged) -> bool:
        """Whether this session pushes anything for ``change`` (called in the thread that made it)."""

    @abstractmethod
    def change_push(self, change: BalanceChanged) -> str | tuple[str, ...] | None:
        """The frame (or frames, in order) ``change`` becomes now, in the server's loop; None for none."""

    def _hear(self, loop: asyncio.AbstractEventLoop, event: SimEvent) -> None:
        """A state listener: runs in whichever thread changed the state, so it hops into the server's loop."""
        if isinstance(event, WebSocketsDropped):
            item: Outgoing = Drop()
        elif isinstance(event, BalanceChanged) and self.wants(event):
            item = event
        else:
            return
        try:
            loop.call_soon_threadsafe(self.outbox.put_nowait, item)
        except RuntimeError:
            return  # the server's loop has closed, and this session with it

    def send(self, text: str) -> None:
        self.outbox.put_nowait(text)

    def close(self, code: int, reason: str = "") -> None:
        self.closing = True
        self.outbox.put_nowait(Close(code, reason))

    async def _write(self) -> None:
        """Send the outbox in order; a balance change becomes its pushes when its turn comes."""
        while True:
            item = await self.outbox.get()
            try:
                if isinstance(item, Drop):
                    return
                if isinstance(item, Close):
                    await self.websocket.close(item.code, item.reason)
                    return
                if isinstance(item, BalanceChanged):
                    pushed = self.change_push(item)
                    frames = (pushed,) if isinstance(pushed, str) else pushed or ()
                    for frame in frames:
                        await self.websocket.send_text(frame)
                    continue
                await self.websocket.send_text(item)
            except (WebSocketDisconnect, RuntimeError):
                return
