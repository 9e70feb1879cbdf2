"""What every simulated exchange's WebSocket session shares: an outbox that one writer task drains in order,
a listener that hops state events into the server's loop, closes and drops.

An exchange's session subclasses :class:`Session` with its reader (:meth:`Session.read`), which events
concern it (:meth:`Session.wants`) and the push a balance change becomes (:meth:`Session.change_push`).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from dataclasses import dataclass

from starlette.websockets import WebSocket, WebSocketDisconnect

from exchange_tui.simulator.core.events import BalanceChanged, SimEvent, WebSocketsDropped
from exchange_tui.simulator.core.state import CoreState


@dataclass(frozen=True)
class Close:
    code: int
    reason: str = ""


class Drop:
    """Leave without a close frame: uvicorn then closes the TCP connection, like a network drop."""


Outgoing = str | BalanceChanged | Close | Drop


class Session(ABC):
    """One connection: a reader that answers requests and a writer that owns the socket's sending side."""

    def __init__(self, state: CoreState, websocket: WebSocket) -> None:
        self.state = state
        self.websocket = websocket
        self.outbox: asyncio.Queue[Outgoing] = asyncio.Queue()
        self.closing = False

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

    @abstractmethod
    async def read(self) -> None:
        """Receive and answer until the client leaves."""

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
