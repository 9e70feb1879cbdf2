"""A Binance client answered in-process, by host and path, for the adapter's report tests."""

import copy
import json

import httpx
from binance_examples import VECTOR_KEY, VECTOR_MS

from exchange_tui.exchanges.base import Connection
from exchange_tui.exchanges.binance.client import BinanceClient


def refusal(code: int, msg: str, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "msg": msg})


INVALID = refusal(-2015, "Invalid API-key, IP, or permissions for action.", 401)
FUTURES_INVALID = refusal(-2015, "Invalid API-key, IP, or permissions for action, request ip: 203.0.113.7", 401)
UNKNOWN_ID = refusal(-2008, "Invalid Api-Key ID.")
BAD_SIGNATURE = refusal(-1022, "Signature for this request is not valid.")


class Answers:
    """Answers by ``(host, path)``: JSON, an ``httpx.Response``, or a function of the request giving either.
    Server time is answered everywhere; what is not listed is a 404."""

    def __init__(self, answers):
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        where = (request.url.host, request.url.path)
        self.asked.append(where)
        if where[1] in ("/api/v3/time", "/fapi/v1/time"):
            return httpx.Response(200, json={"serverTime": VECTOR_MS})
        answer = self.answers.get(where, httpx.Response(404, text="Not Found"))
        answer = answer(request) if callable(answer) else answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, content=json.dumps(copy.deepcopy(answer)))


def client_with(answers, credentials=VECTOR_KEY, **connection) -> tuple[BinanceClient, Answers]:
    client = BinanceClient(credentials, connection=Connection(**connection), backoff_base=0.001, clock=lambda: VECTOR_MS / 1000)
    handler = Answers(answers)
    for rest in (client, client.futures):
        rest._http._transport = httpx.MockTransport(handler)
    return client, handler
