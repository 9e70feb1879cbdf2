"""What the Bybit adapter's tests share: clients whose requests are answered in-process by httpx's mock
transport, recording each request as the client would put it on the wire; loopback private WebSockets."""

import json

import httpx
import pytest
from bybit_support import VECTOR_KEY, VECTOR_TS, FakeWebSocket
from websockets.asyncio.server import serve

from exchange_tui.exchanges.bybit.client import BybitClient


def envelope(result=None, code=0, message="OK"):
    return {"retCode": code, "retMsg": message, "result": {} if result is None else result, "retExtInfo": {}, "time": VECTOR_TS}


@pytest.fixture
async def answered():
    """``answered(answers, **options) -> (client, sent)``: a client whose requests get ``answers[path]`` (a
    ``result``, an ``httpx.Response``, or a function of the request giving either; the server time by default),
    and the list of requests it sent."""
    clients = []

    def make(answers=None, credentials=VECTOR_KEY, **options):
        sent: list[httpx.Request] = []
        answers = dict(answers or {})
        answers.setdefault("/v5/market/time", {"timeSecond": str(VECTOR_TS // 1000), "timeNano": str(VECTOR_TS * 10**6)})

        def handle(request: httpx.Request) -> httpx.Response:
            sent.append(request)
            answer = answers.get(request.url.path, {})
            if callable(answer):
                answer = answer(request)
            if isinstance(answer, httpx.Response):
                return answer
            return httpx.Response(200, content=json.dumps(envelope(answer)))

        options.setdefault("backoff_base", 0.001)
        client = BybitClient(credentials, **options)
        client._http = httpx.AsyncClient(base_url=client.base_url, transport=httpx.MockTransport(handle))
        clients.append(client)
        return client, sent

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def bybit_ws():
    """``await bybit_ws(**options) -> FakeWebSocket``, listening on loopback until the test ends."""
    servers = []

    async def start(**options):
        fake = FakeWebSocket(**options)
        server = await serve(fake.handle, "127.0.0.1", 0)
        servers.append(server)
        fake.url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/v5/private"
        return fake

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()
