"""``exchange-tui simulator [--exchange NAME]`` / ``python -m exchange_tui.simulator``: serve one simulated
exchange until a signal.

The first and only line on stdout is JSON telling a client where to connect and how to log in: the
REST base ``url`` and any other base the exchange serves on a port of its own (``futures_url``…; ``--port``
is the first's), the private WebSockets ``ws_url`` and ``ws_demo_url``, any the exchange adds
(``ws_uta_url``…), then the ``accounts``::

    {"url": "http://127.0.0.1:PORT", "ws_url": "ws://127.0.0.1:PORT/...", "ws_demo_url": "ws://...", ...,
     "accounts": [{"label": ..., "api_key": ..., "secret_key": ..., "passphrase": ...}]}
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import signal
import sys

from pydantic import ValidationError

from exchange_tui.simulator.core.exchanges import DEFAULT_EXCHANGE, SIMULATED_EXCHANGES, load_accounts, new_state
from exchange_tui.simulator.core.server import SimulatorServer
from exchange_tui.simulator.core.state import CoreState

EXIT_FAILURE = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exchange-tui simulator",
        description="Serve a local exchange REST and WebSocket simulator (demo accounts unless --accounts is given).",
    )
    parser.add_argument(
        "--exchange",
        choices=sorted(SIMULATED_EXCHANGES),
        default=DEFAULT_EXCHANGE,
        help=f"the exchange to simulate (default {DEFAULT_EXCHANGE})",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument("--accounts", metavar="FILE", help="JSON accounts file (format: simulator/EXCHANGE/accounts.py)")
    parser.add_argument("--latency-ms", type=int, default=0, metavar="N", help="add N ms to every API answer")
    parser.add_argument("--allow-remote", action="store_true", help="allow binding an address that is not loopback")
    return parser


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _serve(state: CoreState, host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with SimulatorServer(state, host, port) as server:
        print(json.dumps(server.startup_line()), flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not (args.allow_remote or _is_loopback(args.host)):
        parser.error(f"{args.host} is not a loopback address; add --allow-remote to serve other machines")
    if args.latency_ms < 0:
        parser.error("--latency-ms must be 0 or more")
    try:
        accounts = load_accounts(args.exchange, args.accounts) if args.accounts else None
    except (OSError, ValidationError) as error:
        print(f"exchange-tui simulator: cannot use accounts file {args.accounts}: {error}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    state = new_state(args.exchange, accounts)
    state.faults.latency_ms = args.latency_ms
    try:
        asyncio.run(_serve(state, args.host, args.port))
    except OSError as error:
        print(f"exchange-tui simulator: cannot serve on {args.host}:{args.port}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    return 0


if __name__ == "__main__":
    sys.exit(main())
