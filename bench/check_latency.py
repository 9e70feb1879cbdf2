"""How much a whole key check costs against one signed request, with 50 ms added to every request.

The simulator runs on its own thread; the client syncs its clock first, then each round times one
signed request (the account's assets) and one ``check_key()``. Rounds are paced a little over a second
apart so Bitget's 1/s limits on account info and the overview never make the check wait. A unified
account's check (every new account's; the default) sends its requests together with account info,
so the goal is a ratio of at most 1.5; a classic account's reads follow account info's 40084, so
its check is two round trips (``--account demo``, about 2).

    python3 bench/check_latency.py [--rounds N] [--latency-ms N] [--account LABEL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from exchange_tui.exchanges.bitget.client import BitgetClient
from exchange_tui.models import AccountMode, Credentials
from exchange_tui.simulator import ThreadedSimulator

PACE_S = 1.1


async def measure(url: str, credentials: Credentials, rounds: int) -> tuple[list[float], list[float]]:
    single: list[float] = []
    check: list[float] = []
    async with BitgetClient(credentials, base_url=url) as client:
        await client.sync_clock()
        unified = await client.account_mode() is AccountMode.UNIFIED
        read_assets = client.unified_assets if unified else client.spot_assets
        for _ in range(rounds):
            started = time.perf_counter()
            await read_assets()
            single.append(time.perf_counter() - started)
            started = time.perf_counter()
            report = await client.check_key()
            check.append(time.perf_counter() - started)
            if not report.connected:
                raise SystemExit(f"the check failed: {report.error}")
            await asyncio.sleep(PACE_S)
    return single, check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--account", default="demo-unified", help="the simulator account to check")
    args = parser.parse_args()
    with ThreadedSimulator() as simulator:
        simulator.state.faults.latency_ms = args.latency_ms
        account = simulator.state.account(args.account)
        credentials = Credentials(
            api_key=account.api_key, secret_key=account.secret_key, passphrase=account.passphrase
        )
        single, check = asyncio.run(measure(simulator.url, credentials, args.rounds))
    single_ms = statistics.median(single) * 1000
    check_ms = statistics.median(check) * 1000
    print(f"account: {args.account}, latency added per request: {args.latency_ms} ms, rounds: {args.rounds}")
    print(f"one signed request, median: {single_ms:.1f} ms")
    print(f"check_key(), median:        {check_ms:.1f} ms")
    print(f"ratio={check_ms / single_ms:.2f}")


if __name__ == "__main__":
    main()
