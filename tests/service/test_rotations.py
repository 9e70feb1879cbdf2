"""A key replaced elsewhere: the watcher notices it, and balances switch to it on their own."""

import asyncio

import pytest

from exchange_tui.config import Settings
from exchange_tui.service import AccountService


@pytest.fixture
async def other(store, simulator):
    """A second service on the same accounts: another process of this box, or another box."""
    service = AccountService(store, settings=Settings.pointing({"bitget": simulator.url}))
    yield service
    await service.aclose()


def api_key(key) -> str:
    return key.credentials.api_key.get_secret_value()


async def test_the_watcher_yields_a_key_rotated_elsewhere_and_balances_use_it(service, other, keys, simulator):
    await service.add("bitget", "main", *keys("demo"))
    before = await service.balances("main")
    watching = service.watch_rotations("main", since=before.key_version, interval=0.05)
    await other.rotate("main", *keys("demo-withdraw"))
    key = await asyncio.wait_for(anext(watching), 10)
    await watching.aclose()
    assert api_key(key) == simulator.state.account("demo-withdraw").api_key
    assert key.version != before.key_version and key.label == "main"
    assert (await service.balances("main")).key_version == key.version


async def test_a_refused_old_key_switches_balances_at_once_and_wakes_the_watcher(service, other, keys, simulator):
    state = simulator.state
    await service.add("bitget", "main", *keys("demo"))
    before = await service.balances("main")
    watching = service.watch_rotations("main", since=before.key_version, interval=3600)
    noticed = asyncio.ensure_future(anext(watching))
    old, new = state.account("demo"), state.add_key("demo")
    await other.rotate("main", *keys("demo"))
    state.delete_key(old.api_key)

    after = await service.balances("main")
    key = await asyncio.wait_for(noticed, 10)
    await watching.aclose()
    assert after.key_version == key.version != before.key_version
    assert api_key(key) == new.api_key


async def test_the_watcher_ends_when_the_account_is_removed(service, other, keys):
    await service.add("bitget", "main", *keys("demo"))
    watching = service.watch_rotations("main", interval=0.05)
    ending = asyncio.ensure_future(anext(watching))
    await other.remove("main")
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(ending, 10)
