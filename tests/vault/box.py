"""One trading box of a fleet: watches one account's key in the shared store and reads its balances.

    python tests/vault/box.py LABEL [--every SECONDS]

It prints one JSON line per event, ``at`` being ``time.time()``:
``{"event": "watching", "version": V}`` once it knows the key's version in the store;
``{"event": "ready", "version": V}`` once the first balances are read (refreshes start at a random
point of the first interval, so a fleet started at once does not hit the exchange's limits in step);
``{"event": "rotation", "version": V, "at": T}`` when it notices a new key (from then on every
request uses it); ``{"event": "balance", "version": V, "at": T}`` per refresh, every ``--every``
seconds, or ``{"event": "error", "code": C, "at": T}`` when a refresh fails. It ends when stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time

from exchange_tui.config import load_settings
from exchange_tui.exchanges.errors import ExchangeError
from exchange_tui.service import AccountService
from exchange_tui.store import open_account_store


def emit(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, "at": time.time(), **fields}), flush=True)


async def refresh(service: AccountService, label: str, every: float) -> None:
    first = True
    await asyncio.sleep(random.uniform(0, every))
    while True:
        try:
            snapshot = await service.balances(label)
        except ExchangeError as error:
            emit("error", code=error.code)
        else:
            emit("ready" if first else "balance", version=snapshot.key_version)
            first = False
        await asyncio.sleep(every)


async def watch(service: AccountService, label: str) -> None:
    version = (await service.current_key(label)).version
    emit("watching", version=version)
    async for key in service.watch_rotations(label, since=version):
        emit("rotation", version=key.version)


async def main(label: str, every: float) -> None:
    settings = load_settings(os.environ)
    service = AccountService(open_account_store(environ=settings.environ), settings=settings)
    tasks = [asyncio.create_task(refresh(service, label, every)), asyncio.create_task(watch(service, label))]
    try:
        done, _ = await asyncio.wait([asyncio.create_task(asyncio.to_thread(sys.stdin.read)), *tasks], return_when="FIRST_COMPLETED")
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await service.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("label")
    parser.add_argument("--every", type=float, default=5.0)
    args = parser.parse_args()
    asyncio.run(main(args.label, args.every))
