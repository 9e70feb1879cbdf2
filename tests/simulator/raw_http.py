"""HTTP/1.1 written by hand on a raw TCP connection, for what no client library sends: requests cut
short, bodies that never end, a byte at a time. Every read is bounded by ``WAIT``; nothing sleeps."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

WAIT = 3.0


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


async def open_raw(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(url)
    return await asyncio.open_connection(parts.hostname, parts.port)


def request_head(method: str, path: str, **headers: str) -> bytes:
    """A request line and headers (``content_type=`` is sent as ``content-type``), Host included."""
    lines = [f"{method} {path} HTTP/1.1", "host: 127.0.0.1"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def read_response(reader: asyncio.StreamReader) -> RawResponse:
    """The next response, which must come within ``WAIT``; without a length its body ends with the connection."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    status_line, *header_lines = head.decode("latin-1").split("\r\n")[:-2]
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), WAIT)
    else:
        body = await read_until_closed(reader)
    return RawResponse(int(status_line.split()[1]), headers, body)


async def read_until_closed(reader: asyncio.StreamReader, within: float = WAIT) -> bytes:
    """What the server sends until it closes the connection; ``TimeoutError`` if it stays open past ``within``."""
    return await asyncio.wait_for(reader.read(), within)
