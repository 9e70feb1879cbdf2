"""The ``exchange-tui`` command: the demo check and the simulator (the account commands and the TUI follow)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from exchange_tui.exchanges.bitget.client import BitgetClient
from exchange_tui.models import Credentials, KeyReport
from exchange_tui.reports import report_json, report_text

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3

DEMO_LABEL = "demo"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exchange-tui",
        description="Connect exchange API keys, check them against the exchange and watch balances.",
    )
    parser.add_argument(
        "--demo", action="store_true", help="start the built-in Bitget simulator and check its demo key"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "simulator", add_help=False, help="serve the Bitget simulator on loopback (see: exchange-tui simulator --help)"
    )
    return parser


async def _demo_check() -> KeyReport:
    from exchange_tui.simulator import SimulatorServer

    async with SimulatorServer() as server:
        account = server.state.account(DEMO_LABEL)
        credentials = Credentials(
            api_key=account.api_key, secret_key=account.secret_key, passphrase=account.passphrase
        )
        async with BitgetClient(credentials, base_url=server.url) as client:
            return await client.check_key()


def _exit_code(report: KeyReport) -> int:
    if report.connected:
        return EXIT_OK
    return EXIT_UNREACHABLE if report.error and report.error.kind == "unavailable" else EXIT_REFUSED


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["simulator"]:
        from exchange_tui.simulator.__main__ import main as simulator_main

        return simulator_main(args_list[1:])
    parser = _parser()
    args = parser.parse_args(args_list)
    if not args.demo:
        parser.print_help()
        return EXIT_USAGE
    report = asyncio.run(_demo_check())
    print(json.dumps(report_json(report, DEMO_LABEL), indent=2) if args.json else report_text(report, DEMO_LABEL))
    return _exit_code(report)
