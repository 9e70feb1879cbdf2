"""The ``/_sim/`` control endpoints: unsigned knobs for the simulator's owner, answering loopback clients only.

Every exchange has ``/faults`` (GET, POST), ``/reset``, ``/keys/delete`` and ``/ws/drop``, and
``/balance``, ``/price`` and ``/keys`` (a new key) in its own words (:class:`WorldControls`).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from exchange_tui.simulator.core.gateway import CONTROL_PREFIX, client_ip, control_error
from exchange_tui.simulator.core.state import CoreState

Handler = Callable[[dict[str, object]], object]
Change = Callable[[dict[str, object]], None]


class Arguments(BaseModel):
    """A control call's arguments, as an exchange's model of them: an unknown name is refused (400)."""

    model_config = ConfigDict(extra="forbid")


def _is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and content_type.partition(";")[0].strip().lower() == "application/json"


async def _control_body(request: Request) -> dict[str, object] | JSONResponse:
    """A control call's arguments: none (a GET, or a POST without a body), or a JSON object sent as
    ``application/json``; else the refusal. Another Content-Type, even on an empty body, or a body
    without one is 415; a body that is not a JSON object is 400, however deep it nests (``json``
    raises ``RecursionError`` past about 1000 levels).
    """
    if request.method != "POST":
        return {}
    raw = await request.body()
    content_type = request.headers.get("content-type")
    if (raw or content_type is not None) and not _is_json(content_type):
        return control_error("the body must be JSON, sent as Content-Type: application/json", 415)
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return control_error("the body is not JSON", 400)
    if not isinstance(body, dict):
        return control_error("the body must be a JSON object", 400)
    return body


def control(handler: Handler) -> Callable[[Request], object]:
    """An endpoint calling ``handler`` with the call's JSON object; ``KeyError`` answers 404, ``ValueError`` 400."""

    async def endpoint(request: Request) -> Response:
        if not _is_loopback(client_ip(request.scope)):
            return control_error("the control endpoints answer loopback clients only", 403)
        body = await _control_body(request)
        if isinstance(body, JSONResponse):
            return body
        try:
            return JSONResponse(handler(body))
        except KeyError as error:
            return control_error(f"unknown {error}", 404)
        except ValueError as error:
            return control_error(str(error), 400)

    return endpoint


@dataclass(frozen=True)
class WorldControls:
    """An exchange's handlers for the knobs whose arguments are its own: a balance, a price (each answers
    ``{"changed": true}``), a new key (answers its credentials)."""

    balance: Change
    price: Change
    add_key: Handler


def _changed(change: Change) -> Handler:
    def handler(body: dict[str, object]) -> object:
        change(body)
        return {"changed": True}

    return handler


def control_mount(state: CoreState, world: WorldControls) -> Mount:
    """The control prefix with the shared knobs and the exchange's ``world`` ones."""

    def faults(changes: dict[str, object]) -> object:
        return state.update_faults(**changes).model_dump()

    def reset(_: dict[str, object]) -> object:
        state.reset()
        return {"reset": True}

    def delete_key(body: dict[str, object]) -> object:
        state.delete_key(str(body.get("api_key", "")))
        return {"deleted": True}

    def drop_websockets(_: dict[str, object]) -> object:
        state.drop_websockets()
        return {"dropped": True}

    shared = [
        Route("/faults", control(faults), methods=["GET", "POST"]),
        Route("/reset", control(reset), methods=["POST"]),
        Route("/keys/delete", control(delete_key), methods=["POST"]),
        Route("/ws/drop", control(drop_websockets), methods=["POST"]),
        Route("/balance", control(_changed(world.balance)), methods=["POST"]),
        Route("/price", control(_changed(world.price)), methods=["POST"]),
        Route("/keys", control(world.add_key), methods=["POST"]),
    ]
    return Mount(CONTROL_PREFIX, routes=shared)
