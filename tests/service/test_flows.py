"""The account flows over a real store (encrypted file + index) and the simulator over TCP."""

import pytest
from pydantic import SecretStr

from exchange_tui.config import Settings
from exchange_tui.service import KeyRefused
from exchange_tui.store import AccountNotFound, CheckStatus
from exchange_tui.validation import InvalidInput


async def test_add_verifies_then_stores(service, store, keys, simulator):
    connected = await service.add("bitget", "main", *keys("demo"))

    assert connected.report.connected
    assert connected.record.label == "main" and connected.record.key_prefix == "bg_" + keys()[0].get_secret_value()[3:7] + "…"
    assert connected.record.last_check.status is CheckStatus.CONNECTED
    assert connected.record.last_check.total_usdt == connected.report.total_usdt
    stored = store.credentials("main")
    assert stored.secret_key.get_secret_value() == simulator.state.account("demo").secret_key
    assert [r.label for r in await service.accounts()] == ["main"]


async def test_pasted_whitespace_is_cleaned_before_the_check(service, store, keys):
    key, secret, passphrase = keys("demo")
    await service.add("bitget", "main", SecretStr(f" {key.get_secret_value()}\n"), secret, passphrase)
    assert store.credentials("main").api_key == key


async def test_refused_key_stores_nothing(service, store, keys):
    with pytest.raises(KeyRefused) as refused:
        await service.add("bitget", "main", *keys("demo", passphrase="WrongPassphrase1"))
    assert refused.value.report.error.code == "40012"
    assert await service.accounts() == []
    assert not store.secrets.account_ids()


async def test_unreachable_exchange_stores_nothing(store, keys, unused_tcp_port):
    from exchange_tui.service import AccountService

    service = AccountService(store, settings=Settings.pointing({"bitget": f"http://127.0.0.1:{unused_tcp_port}"}))
    try:
        with pytest.raises(KeyRefused) as refused:
            await service.add("bitget", "main", *keys("demo"))
    finally:
        await service.aclose()
    assert refused.value.report.error.kind == "unavailable"
    assert store.accounts() == []


async def test_label_taken_is_refused_before_any_check(service, keys, simulator):
    await service.add("bitget", "main", *keys("demo"))
    with pytest.raises(InvalidInput) as raised:
        await service.add("bitget", "MAIN", *keys("demo-withdraw"))
    assert raised.value.field == "label"


async def test_unknown_exchange_is_refused(service, keys):
    with pytest.raises(InvalidInput) as raised:
        await service.add("nosuchexchange", "main", *keys("demo"))
    assert raised.value.field == "exchange"


async def test_demo_trading_key_is_stored_as_one(service, keys):
    connected = await service.add("bitget", "paper", *keys("demo-trading"))
    assert connected.record.demo_trading and connected.report.demo_trading


async def test_input_warnings_lead_the_report(service, keys):
    connected = await service.add("bitget", "main", *keys("demo"))
    assert not any("does not look like" in w for w in connected.report.warnings)
    with pytest.raises(KeyRefused) as refused:
        await service.add("bitget", "other", *keys("demo", api_key="A" * 64))
    assert "does not look like a Bitget key" in refused.value.report.warnings[0]


async def test_check_records_the_outcome(service, store, keys, simulator):
    await service.add("bitget", "main", *keys("demo-withdraw"))
    connected = await service.check("main")
    assert connected.report.connected and connected.report.can_withdraw
    assert store.get("main").last_check.checked_at == connected.report.checked_at


async def test_rotate_swaps_only_a_verified_key(service, store, keys):
    await service.add("bitget", "main", *keys("demo"))
    old = store.credentials("main")

    with pytest.raises(KeyRefused):
        await service.rotate("main", *keys("demo-withdraw", passphrase="WrongPassphrase1"))
    assert store.credentials("main") == old
    assert store.get("main").rotated is None

    connected = await service.rotate("main", *keys("demo-withdraw"))
    assert connected.report.connected
    assert "belongs to another Bitget account" in connected.report.warnings[0]
    assert store.credentials("main").api_key == keys("demo-withdraw")[0]
    assert store.get("main").rotated is not None
    assert store.get("main").key_prefix == connected.record.key_prefix != old.key_prefix


async def test_rotate_keeps_the_old_key_when_the_exchange_is_down(service, store, keys, simulator):
    await service.add("bitget", "main", *keys("demo"))
    old = store.credentials("main")
    simulator.state.faults.error_5xx_next = 100
    with pytest.raises(KeyRefused) as refused:
        await service.rotate("main", *keys("demo-withdraw"))
    assert refused.value.report.error.kind == "unavailable"
    assert store.credentials("main") == old


async def test_remove_forgets_index_and_secret(service, store, keys):
    await service.add("bitget", "main", *keys("demo"))
    removed = await service.remove("main")
    assert removed.label == "main"
    assert await service.accounts() == []
    assert not store.secrets.account_ids()
    with pytest.raises(AccountNotFound):
        await service.remove("main")


async def test_balances_of_an_account(service, keys):
    await service.add("bitget", "main", *keys("demo"))
    first = await service.balances("main")
    second = await service.balances("main")
    assert first.total_usdt == second.total_usdt > 0
    assert {b.account for b in first.balances} >= {"spot", "usdt-futures"}


async def test_balances_follow_the_exchange(service, keys, simulator):
    await service.add("bitget", "main", *keys("demo"))
    before = await service.balances("main")
    simulator.state.set_balance("demo", "USDT", "2000")
    after = await service.balances("main")
    assert after.total_usdt != before.total_usdt


async def test_rotate_to_a_new_key_of_the_same_account_has_no_account_warning(service, keys, simulator):
    await service.add("bitget", "main", *keys("demo"))
    new_key = simulator.state.add_key("demo")
    connected = await service.rotate(
        "main", *keys(api_key=new_key.api_key, secret_key=new_key.secret_key, passphrase=new_key.passphrase)
    )
    assert connected.report.connected and connected.record.last_check.uid == simulator.state.account("demo").uid
    assert not any("another Bitget account" in w for w in connected.report.warnings)
