"""What stands in front of every simulated exchange's endpoints: the server's bounds on a body, then the gateway.

A request to an API path goes through, in order:

1. the server's bounds (:class:`BodyLimit`), on every HTTP path: the body is read whole, and refused
   when it is over ``ServerLimits.max_body_bytes`` (413) or slower than ``body_timeout_s`` (408);
2. the gateway (:class:`Gateway`): added latency, then one injected fault if a knob asks for one,
   then the overall limit of ``state.ip_requests_per_minute`` per client IP (counted before
   anything else, as a gateway in front of the services would);
3. the exchange's own routing, authentication and endpoints.

The control paths (``CONTROL_PREFIX``) pass the gateway untouched; so do the WebSocket paths.
How each refusal is worded (envelope, code, message) is the exchange's :class:`Wording`.
"""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus
from collections.abc import Callable, Sequence
from typing import Protocol

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exchange_tui.simulator.core.events import RequestArrived
from exchange_tui.simulator.core.faults import Fault
from exchange_tui.simulator.core.limits import ServerLimits
from exchange_tui.simulator.core.state import CoreState

CONTROL_PREFIX = "/_sim"

_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)


class Wording(Protocol):
    """How one exchange answers what the gateway and the server's bounds refuse."""

    cut_short_body: bytes
    """The start of a success answer, sent and then cut off (``drop_next``) or served alone (``malformed_next``)."""

    def too_many_requests(self, now_ms: int) -> Response: ...

    def injected(self, code: str, now_ms: int) -> Response:
        """The answer to ``answer_code_next``: the exchange's error ``code``."""
        ...

    def body_refused(self, status: int, phrase: str, now_ms: int) -> Response:
        """A body over the limit (413) or too slow (408), which no exchange documents a code for."""
        ...


class ConnectionDropped(Exception):
    """Raised on purpose after a response has started: uvicorn then closes the connection."""


def hide_planned_drops(record: logging.LogRecord) -> bool:
    """A ``logging`` filter for "uvicorn.error": a dropped connection is the fault knob working, not a bug."""
    return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


def is_control(scope: Scope) -> bool:
    return scope["path"].startswith(CONTROL_PREFIX + "/")


def control_error(message: str, status: int) -> JSONResponse:
    """The control endpoints' refusal, which is the simulator's and not an exchange's."""
    return JSONResponse({"error": message}, status_code=status)


def server_error_page(status: int) -> HTMLResponse:
    """What a CDN in front of an exchange answers when the service behind it fails: an HTML page."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Server Error"
    page = _BAD_GATEWAY_PAGE.format(status=status, phrase=phrase)
    return HTMLResponse(page, status_code=status)


class Gateway:
    """Latency, injected faults and the per-IP request limit, in front of an exchange's endpoints."""

    def __init__(self, app: ASGIApp, state: CoreState, wording: Wording) -> None:
        self.app = app
        self.state = state
        self.wording = wording

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_control(scope):
            await self.app(scope, receive, send)
            return
        state = self.state
        query = scope["query_string"].decode("latin-1")
        state.announce(RequestArrived(scope["method"], scope["path"], query, client_ip(scope), state.now_ms()))
        if state.faults.latency_ms:
            await asyncio.sleep(state.faults.latency_ms / 1000)
        fault = state.take_fault(scope["path"])
        if fault is Fault.DROP:
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1024")]})
            await send({"type": "http.response.body", "body": self.wording.cut_short_body, "more_body": True})
            raise ConnectionDropped
        now_ms = state.now_ms()
        response: Response | None = None
        if fault is Fault.ERROR_5XX:
            response = server_error_page(state.faults.error_5xx_status)
        elif fault is Fault.RATE_LIMIT:
            response = self.wording.too_many_requests(now_ms)
        elif fault is Fault.MALFORMED:
            response = Response(self.wording.cut_short_body, media_type="application/json")
        elif fault is Fault.ANSWER_CODE:
            response = self.wording.injected(state.faults.answer_code, now_ms)
        elif not state.limiter.allow(("ip", client_ip(scope)), state.ip_requests_per_minute, 60_000, now_ms):
            response = self.wording.too_many_requests(now_ms)
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)


class _BodyRefused(Exception):
    """413 or 408, with the phrase RFC 9110 gives it (Python 3.11's ``HTTPStatus`` still says "Request Entity...")."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.phrase = {413: "Content Too Large", 408: "Request Timeout"}[status]


class BodyLimit:
    """The HTTP server's own bounds on a request body, before anything else sees the request.

    The body is read here, message by message as uvicorn receives it (uvicorn stops reading the
    socket once 64 KiB wait unread), so no more than the limit and one message is ever held, and a
    ``Content-Length`` over the limit is refused before any of the body is read. A refusal closes the
    connection: kept open, uvicorn would go on reading, and dropping, the rest of the body. (A client
    still writing megabytes of body may then see the connection reset before it reads the answer.)
    """

    def __init__(self, app: ASGIApp, state: CoreState, wording: Wording, limits: ServerLimits) -> None:
        self.app = app
        self.state = state
        self.wording = wording
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read_body(scope, receive)
        except _BodyRefused as refused:
            await self._refusal(scope, refused)(scope, receive, send)
            return
        if body is None:
            return
        pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> Message:
            return pending.pop() if pending else await receive()

        await self.app(scope, replay, send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None when the client left first."""
        limit = self.limits.max_body_bytes
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and int(declared) > limit:
            raise _BodyRefused(413)
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.limits.body_timeout_s):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        raise _BodyRefused(413)
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError:
            raise _BodyRefused(408) from None

    def _refusal(self, scope: Scope, refused: _BodyRefused) -> Response:
        if is_control(scope):
            response: Response = control_error(refused.phrase, refused.status)
        else:
            response = self.wording.body_refused(refused.status, refused.phrase, self.state.now_ms())
        response.headers["connection"] = "close"
        return response


def exchange_app(
    state: CoreState,
    limits: ServerLimits | None,
    wording: Wording,
    routes: Sequence[BaseRoute],
    not_found: Callable[[], Response],
) -> Starlette:
    """An exchange's Starlette app: its ``routes`` (API, WebSockets, the control mount) behind the server's
    bounds and the gateway; an unknown path or method answers ``not_found()``; no slash redirects."""

    async def unknown(request: Request, exc: Exception) -> Response:
        return not_found()

    app = Starlette(
        routes=list(routes),
        middleware=[
            Middleware(BodyLimit, state=state, wording=wording, limits=limits if limits is not None else ServerLimits()),
            Middleware(Gateway, state=state, wording=wording),
        ],
        exception_handlers={404: unknown, 405: unknown},
    )
    app.router.redirect_slashes = False
    return app
