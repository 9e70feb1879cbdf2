"""How long a rotation takes to reach a fleet: 20 boxes watch one account in a shared OpenBao.

A real ``bao server -dev`` and the Bitget simulator run locally; each box is ``tests/vault/box.py``
in its own process and HOME, on the service's default metadata interval. The account is rotated
in this process (verify, then a check-and-set write); a box has switched when its service has
the new key, so every request from then on uses it. The time counted is from the moment Vault
created the new version (its ``created_time``) to that switch, per box.

    python3 bench/fleet_rotation.py [--boxes N] [--rotations N]

Prints p50/p95 over every box and rotation, and last the line ``p95_ms=N``. Goal: p95 <= 2000 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "vault"))

from vault_support import Fleet, box_env, start_bao

from exchange_tui.config import Settings
from exchange_tui.service import AccountService
from exchange_tui.simulator import ThreadedSimulator
from exchange_tui.store import open_account_store

LABEL = "main"
PREFIX = "exchange-tui/"
REFRESH_S = 3600.0  # the boxes watch; they read balances only at a random point of the first hour


def key(simulator: ThreadedSimulator) -> tuple[SecretStr, SecretStr, SecretStr]:
    account = simulator.state.account("demo")
    return SecretStr(account.api_key), SecretStr(account.secret_key), SecretStr(account.passphrase)


async def rotate(service: AccountService, simulator: ThreadedSimulator) -> tuple[int, float]:
    """Rotate to a new key of the same account; its version and when Vault created it."""
    simulator.state.add_key("demo")
    connected = await service.rotate(LABEL, *key(simulator))
    store = service.store
    path = f"{PREFIX}{connected.record.exchange}/{LABEL}"
    metadata = store.client.secrets.kv.v2.read_secret_metadata(path, mount_point=store.settings.mount)["data"]
    version = int(metadata["current_version"])
    return version, datetime.fromisoformat(metadata["versions"][str(version)]["created_time"]).timestamp()


async def main(boxes: int, rotations: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fleet-rotation-"))
    bao = start_bao(folder / "bao")
    fleet = Fleet()
    try:
        with ThreadedSimulator() as simulator:
            env = box_env(folder / "admin", bao, PREFIX, "admin", simulator.url)
            service = AccountService(open_account_store(environ=env), settings=Settings.pointing({"bitget": simulator.url}))
            try:
                await service.add("bitget", LABEL, *key(simulator))
                for number in range(boxes):
                    home = folder / f"box-{number:02}"
                    home.mkdir()
                    box = box_env(home, bao, PREFIX, f"box-{number:02}", simulator.url)
                    fleet.start(box, LABEL, every=REFRESH_S, log=folder / f"box-{number:02}.log")
                fleet.wait_until(lambda events: any(e["event"] == "watching" for e in events), 60)
                delays = []
                for _ in range(rotations):
                    version, created = await rotate(service, simulator)
                    fleet.wait_until(lambda events, v=version: any(e.get("version") == v for e in events), 30)
                    delays += [
                        next(e["at"] for e in events if e["event"] == "rotation" and e["version"] == version) - created
                        for events in fleet.seen
                    ]
            finally:
                await service.aclose()
    finally:
        fleet.stop()
        bao.stop()
    milliseconds = sorted(delay * 1000 for delay in delays)
    p50 = statistics.median(milliseconds)
    p95 = statistics.quantiles(milliseconds, n=20, method="inclusive")[18]
    print(f"{boxes} boxes, {rotations} rotation(s), {len(milliseconds)} switches")
    print(f"time until a box uses the new key: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {milliseconds[-1]:.0f} ms")
    print(f"p95_ms={p95:.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boxes", type=int, default=20)
    parser.add_argument("--rotations", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(main(args.boxes, args.rotations))
