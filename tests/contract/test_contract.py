"""The exchange contract: every registered exchange passes the same flows against its own simulator.

Over real TCP, through the account service (the flows the CLI and the TUI call), on a real
encrypted-file store. The simulator is driven through its scenario interface only, so the same
test says the same thing of every exchange: add, check, rotate (the old key kept on a refusal),
remove, balances, watch (pushed, and polled when the stream is refused), and the refusals a user
meets. A new exchange is done when it passes here.
"""

from contextlib import aclosing
from decimal import Decimal

import pytest
from pydantic import SecretStr

from exchange_tui.config import Settings
from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.models import BalanceSource, Reason
from exchange_tui.service import AccountService, KeyRefused

pytestmark = pytest.mark.parametrize("exchange", sorted(EXCHANGES), indirect=True)


def parts(key, **changes) -> dict[str, SecretStr]:
    values = {"api_key": key.api_key, "secret_key": key.secret_key, "passphrase": key.passphrase} | changes
    return {name: SecretStr(value) for name, value in values.items() if value is not None}


def altered(value: str) -> str:
    return value[:-1] + ("1" if value[-1] == "0" else "0")


@pytest.fixture
async def service(exchange, store):
    async with AccountService(store, settings=Settings.pointing({exchange.exchange: exchange.urls})) as service:
        yield service


async def add(service, exchange, role="connects", label="main", **changes):
    key = exchange.scenario.key(role)
    return await service.add(
        exchange.exchange,
        label,
        **parts(key, **changes),
        demo_trading=key.demo_trading,
        testnet=key.testnet,
        site=key.site,
    )


async def refusal(service, exchange, role="connects", **changes) -> Reason:
    with pytest.raises(KeyRefused) as refused:
        await add(service, exchange, role, **changes)
    assert await service.accounts() == []
    return refused.value.report.error.reason


async def test_add_check_and_remove(service, exchange):
    added = await add(service, exchange)
    report = added.report
    assert report.connected and report.exchange == exchange.exchange
    assert report.uid and report.balances and report.total_usdt > 0
    assert not report.can_withdraw and report.read_only is False
    assert any("IP" in warning for warning in report.warnings)
    checked = await service.check("main")
    assert checked.report.connected and checked.record.last_check.status == "connected"
    snapshot = await service.balances("main")
    assert snapshot.total_usdt == checked.report.total_usdt
    await service.remove("main")
    assert await service.accounts() == []


async def test_rotate_verifies_first_and_keeps_the_old_key_on_a_refusal(service, exchange, store):
    first = await add(service, exchange)
    before = store.credentials("main")
    with pytest.raises(KeyRefused):
        await service.rotate("main", **parts(exchange.scenario.key("connects"), secret_key=altered(before.secret_key.get_secret_value())))
    assert store.credentials("main") == before
    new = exchange.scenario.add_key("rotated", "connects")
    rotated = await service.rotate("main", **parts(new))
    assert rotated.report.connected and rotated.report.uid == first.report.uid
    assert store.credentials("main").api_key.get_secret_value() == new.api_key
    assert (await service.balances("main")).total_usdt > 0


async def test_read_only_and_withdraw_keys_connect_with_warnings(service, exchange):
    read_only = (await add(service, exchange, "read_only", label="ro")).report
    assert read_only.connected and read_only.read_only and read_only.warnings
    withdraw = (await add(service, exchange, "withdraw", label="wd")).report
    assert withdraw.connected and withdraw.can_withdraw
    assert any("withdraw" in warning.lower() for warning in withdraw.warnings)


async def test_a_missing_balance_permission_is_named(service, exchange):
    try:
        report = (await add(service, exchange, "no_balance_permission")).report
    except KeyRefused as refused:
        assert refused.report.error.reason is Reason.PERMISSION_MISSING
    else:
        assert report.connected and any("permission" in w.lower() or "read" in w.lower() for w in report.warnings)


async def test_a_demo_trading_key_marked_live_is_corrected(service, exchange):
    key = exchange.scenario.key("demo_trading")
    added = await service.add(exchange.exchange, "paper", **parts(key), demo_trading=False)
    assert added.report.connected and added.report.demo_trading and added.record.demo_trading


async def test_an_unknown_key_is_refused_as_unknown(service, exchange):
    key = exchange.scenario.key("connects")
    exchange.scenario.delete_key(key.api_key)
    assert await refusal(service, exchange) is Reason.KEY_UNKNOWN


async def test_a_wrong_secret_is_refused_naming_the_secret(service, exchange):
    key = exchange.scenario.key("connects")
    assert await refusal(service, exchange, secret_key=altered(key.secret_key)) is Reason.SECRET_WRONG


async def test_a_wrong_passphrase_is_refused_naming_the_passphrase(service, exchange):
    if not EXCHANGES[exchange.exchange].has_passphrase:
        pytest.skip("this exchange's keys have no passphrase")
    key = exchange.scenario.key("connects")
    assert await refusal(service, exchange, passphrase=altered(key.passphrase)) is Reason.PASSPHRASE_WRONG


async def test_a_key_bound_to_another_ip_is_refused_as_such(service, exchange):
    assert await refusal(service, exchange, "ip_bound") is Reason.IP_REFUSED


async def test_a_clock_45_seconds_off_is_synced_not_refused(service, exchange):
    exchange.scenario.skew_clock(45)
    assert (await add(service, exchange)).report.connected


async def test_a_429_and_a_5xx_are_ridden_out(service, exchange):
    exchange.scenario.fail_next(1, 429)
    assert (await add(service, exchange)).report.connected
    exchange.scenario.fail_next(1, 502)
    assert (await service.check("main")).report.connected


async def test_a_rate_limit_that_never_clears_is_try_later(service, exchange):
    exchange.scenario.fail_next(1000, 429)
    assert await refusal(service, exchange) is Reason.RATE_LIMITED


async def test_watch_passes_pushes_on(service, exchange):
    await add(service, exchange)
    async with aclosing(service.watch("main", poll_interval=30)) as snapshots:
        first = await anext(snapshots)
        while first.source is not BalanceSource.LIVE:
            first = await anext(snapshots)
        exchange.scenario.change_balance(exchange.scenario.key("connects").label, "USDT", Decimal(100))
        pushed = await anext(snapshots)
    assert pushed.source is BalanceSource.LIVE and pushed.total_usdt == first.total_usdt + 100


async def test_watch_polls_while_the_stream_is_refused(service, exchange):
    await add(service, exchange)
    exchange.scenario.refuse_websocket_logins(True)
    async with aclosing(service.watch("main", poll_interval=0.05)) as snapshots:
        polled = [await anext(snapshots) for _ in range(2)]
    assert all(s.source is BalanceSource.POLLING and s.error is None and s.total_usdt > 0 for s in polled)
