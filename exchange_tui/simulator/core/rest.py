"""An exchange's REST endpoints on the core: what an endpoint function gets, and the route that answers it.

A route answers in this order: the exchange signs the caller in (:data:`SignIn`: nobody for a
public endpoint, else its key, or its refusal); then the endpoint's rate limit, per key ``uid``
for signed endpoints and per client IP for public ones, in the endpoint's sliding window on the
server clock; then the endpoint itself. The exchange's :class:`RestWording` words the answer, a
refusal and the rate limit's refusal in its envelope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from exchange_tui.simulator.core.gateway import Wording, client_ip
from exchange_tui.simulator.core.state import CoreState


class Keyed(Protocol):
    @property
    def uid(self) -> str: ...


State = TypeVar("State", bound=CoreState)
Key = TypeVar("Key", bound=Keyed)
Answered = TypeVar("Answered", covariant=True)


@dataclass(frozen=True)
class Call(Generic[State, Key]):
    """What an endpoint function gets: the state, the query, the raw body, the headers and the signing key."""

    state: State
    params: QueryParams
    body: bytes
    headers: Headers
    signed_by: Key | None

    @property
    def account(self) -> Key:
        assert self.signed_by is not None, "public endpoints have no key"
        return self.signed_by


class Endpoint(Protocol[State, Key, Answered]):
    """One endpoint: ``limit`` requests per ``window_ms``, and the data its ``answer`` gives."""

    @property
    def path(self) -> str: ...

    @property
    def method(self) -> str: ...

    @property
    def limit(self) -> int: ...

    @property
    def window_ms(self) -> int: ...

    @property
    def answer(self) -> Callable[[Call[State, Key]], Answered]: ...


class RestWording(Wording, Protocol):
    """How an exchange words what its endpoints answer, beside what the gateway refuses."""

    refusal: type[Exception]
    """The exception an endpoint or a sign-in raises to refuse a request."""

    def refused(self, error: Exception, now_ms: int) -> Response:
        """The answer to ``error``, a :attr:`refusal`."""
        ...

    def answered(self, data: object, now_ms: int) -> Response:
        """The success answer carrying ``data``."""
        ...


SignIn = Callable[[State, Endpoint[State, Key, object], Request, bytes, str, int], Key | None]
"""The exchange's sign-in: ``(state, endpoint, request, body, client_ip, now_ms)`` to None for a public
endpoint, the signing key for a signed one, or its ``refusal`` raised."""


def api_route(
    state: State, endpoint: Endpoint[State, Key, object], wording: RestWording, sign_in: SignIn[State, Key]
) -> Route:
    async def answer(request: Request) -> Response:
        now_ms = state.now_ms()
        body = await request.body()
        ip = client_ip(request.scope)
        try:
            account = sign_in(state, endpoint, request, body, ip, now_ms)
            limit_key = ("ip", ip, endpoint.path) if account is None else ("uid", account.uid, endpoint.path)
            if not state.limiter.allow(limit_key, endpoint.limit, endpoint.window_ms, now_ms):
                return wording.too_many_requests(now_ms)
            data = endpoint.answer(Call(state, request.query_params, body, request.headers, account))
        except wording.refusal as error:
            return wording.refused(error, now_ms)
        return wording.answered(data, now_ms)

    return Route(endpoint.path, answer, methods=[endpoint.method])
