"""A balance read is the key's last use: an expiry counted in days unused starts again from it, noted at most
hourly so a watch does not rewrite the index at every push."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from datetime import timedelta

from exchange_tui.service import USE_NOTED_EVERY


def last_used(store, label: str = "main"):
    return store.get(label).last_check.last_used


def set_last_use_back(store, ago: timedelta, label: str = "main") -> None:
    with store.index.edit() as document:
        record = document.find(label)
        check = record.last_check.model_copy(update={"last_used": record.last_check.last_used - ago})
        document.put(record.model_copy(update={"last_check": check}))


async def test_a_watched_reading_is_noted_as_the_last_use_once_an_hour(service, keys, store):
    added = await service.add("bitget", "main", *keys("demo"))
    assert last_used(store) == added.report.checked_at
    set_last_use_back(store, timedelta(days=3))
    async with aclosing(service.watch("main", poll_interval=0.05)) as watch:
        first = await asyncio.wait_for(anext(watch), 10)
    assert first.error is None
    noted = last_used(store)
    assert noted == first.at
    set_last_use_back(store, USE_NOTED_EVERY / 2)
    await service.balances("main")
    assert last_used(store) == noted - USE_NOTED_EVERY / 2, "noted less than an hour ago: not again"


async def test_a_failed_check_keeps_the_last_use_and_what_the_key_was(service, keys, store, simulator):
    await service.add("bitget", "main", *keys("demo"))
    before = store.get("main").last_check
    simulator.state.delete_key(simulator.state.account("demo").api_key)
    failed = await service.check("main")
    assert not failed.report.connected
    after = failed.record.last_check
    assert after.status == "failed" and (after.key, after.last_used) == (before.key, before.last_used)
