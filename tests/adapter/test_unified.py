"""A Unified Trading Account's key check over real TCP: mode from v3 account info, permissions, balances.

Every test runs in each shape the simulator can give a unified account (the ``unified`` fixture):
the uid named ``uid`` or ``userId``, and each answer classic endpoints may give. The client must
be right in all of them.
"""

from decimal import Decimal

import pytest

from exchange_tui.exchanges.errors import PermissionMissing
from exchange_tui.models import AccountMode
from exchange_tui.simulator import SimulatorServer
from exchange_tui.simulator.bitget import SimulatorState, demo_accounts

UID_FIELDS = ["uid", "userId"]
CLASSIC_SHAPES = ["40085", "info-then-40731", "info-then-40085"]
READ_ONLY = ["read-only", "read_only", "readonly"]


def unified_variant(number: int, label: str, shape: dict[str, str], **unified: object):
    """``demo-unified`` as another account: ``unified`` fields and the ``shape`` changed, its own label, key and uid."""
    base = next(a for a in demo_accounts() if a.label == "demo-unified")
    return base.model_copy(
        update={
            "label": label,
            "uid": str(7_000_000_000 + number),
            "api_key": f"bg_{number:032x}",
            "unified": base.unified.model_copy(update={**shape, **unified}),
        }
    )


@pytest.fixture(
    params=[{"uid_field": f, "classic_api": c} for f in UID_FIELDS for c in CLASSIC_SHAPES],
    ids=lambda shape: f"{shape['uid_field']}-{shape['classic_api']}",
)
async def unified(request):
    """A simulator with unified accounts of one shape (``request.param``) beside the demo accounts."""
    variants = [
        ("uta", {}),
        *((f"uta-{spelling}", {"perm_type": spelling}) for spelling in READ_ONLY),
        ("uta-withdraw", {"permissions": ("uta_mgt", "uta_trade", "withdraw")}),
        ("uta-trade-only", {"permissions": ("uta_trade",)}),
        ("uta-copy", {"permissions": ("uta_mgt", "copy_futures_position", "copy_futures_order")}),
    ]
    accounts = [unified_variant(n, label, request.param, **fields) for n, (label, fields) in enumerate(variants)]
    async with SimulatorServer(SimulatorState([*demo_accounts(), *accounts])) as server:
        yield server


@pytest.fixture
async def check(unified, connect_to):
    async def run(label: str, **options):
        return await connect_to(unified, label, **options).check_key()

    return run


async def test_the_mode_uid_and_permissions_come_from_v3_account_info(check, unified):
    report = await check("uta")
    assert report.connected and report.account_mode is AccountMode.UNIFIED
    assert report.uid == unified.state.account("uta").uid
    assert report.permissions == ["UTA management (read-write)", "UTA trading (read-write)"]
    assert report.read_only is False and report.can_withdraw is False
    assert any("No IP is bound" in w for w in report.warnings)
    assert not any("Futures" in w or "withdraw" in w for w in report.warnings)


async def test_balances_are_valued_in_usdt_at_the_last_price_not_with_usd_values(check, unified):
    state = unified.state
    report = await check("uta")
    assert [(b.account, b.coin) for b in report.balances] == [("unified", "USDT"), ("unified", "BTC"), ("unified", "ETH")]
    btc = next(b for b in report.balances if b.coin == "BTC")
    assert btc.usdt_value == Decimal("0.015") * state.usdt_price("BTC")
    usdt = report.balances[0]
    assert (usdt.available, usdt.locked, usdt.usdt_value) == (Decimal("2400.12"), Decimal("50"), Decimal("2450.12"))
    assert report.total_usdt == sum(b.usdt_value for b in report.balances)


async def test_the_funding_wallet_is_read_and_named_like_the_classic_overview(check, unified):
    report = await check("uta")
    funding = Decimal(120) + Decimal(15) * unified.state.usdt_price("BGB")
    assert [(t.account, t.usdt_value) for t in report.overview] == [("unified", report.total_usdt), ("funding", funding)]
    assert f"{funding:.2f} USDT more sits in funding: not counted as trading balance" in report.warnings


@pytest.mark.parametrize("spelling", READ_ONLY)
async def test_a_read_only_key_is_flagged_however_permtype_is_spelled(check, spelling):
    report = await check(f"uta-{spelling}")
    assert report.connected and report.read_only is True
    assert report.permissions == ["UTA management (read-only)", "UTA trading (read-only)"]
    assert any("read-only" in w for w in report.warnings)


async def test_withdraw_is_flagged(check):
    report = await check("uta-withdraw")
    assert report.can_withdraw and "withdraw" in report.permissions
    assert any("can withdraw" in w for w in report.warnings)


async def test_a_trade_only_key_connects_and_is_told_the_permission_to_add(check):
    report = await check("uta-trade-only")
    assert report.connected and report.error is None
    assert report.permissions == ["UTA trading (read-write)"]
    assert report.balances == [] and report.total_usdt == 0 and report.overview == []
    (missing,) = [w for w in report.warnings if "UTA management (read)" in w]
    assert "add UTA management (read)" in missing
    assert not any("Futures" in w or "Could not read" in w for w in report.warnings)


async def test_copy_trading_permissions_in_plain_words_and_no_trading_warned(check):
    report = await check("uta-copy")
    assert report.permissions == [
        "UTA management (read-write)",
        "futures copy-trading positions (read-write)",
        "futures copy-trading orders (read-write)",
    ]
    assert any("no UTA trading" in w for w in report.warnings)


async def test_balances_of_a_unified_account_and_of_a_trade_only_key(unified, connect_to):
    rows, total = await connect_to(unified, "uta").balances()
    assert {b.account for b in rows} == {"unified"} and total == sum(b.usdt_value for b in rows)
    with pytest.raises(PermissionMissing) as refused:
        await connect_to(unified, "uta-trade-only").balances()
    assert "UTA management (read)" in refused.value.hint and "Futures" not in refused.value.hint


@pytest.mark.parametrize("flagged", [False, True])
async def test_a_unified_demo_trading_key_connects_and_its_setting_is_corrected(connect, flagged):
    client = connect("demo-trading-unified", demo_trading=flagged)
    report = await client.check_key()
    assert report.connected and report.demo_trading and report.account_mode is AccountMode.UNIFIED
    assert any("corrected" in w for w in report.warnings) is not flagged
    assert {b.coin for b in report.balances} == {"USDT", "BTC"}
    assert client.demo_trading


async def test_the_demo_accounts_of_each_unified_shape(connect):
    elite = await connect("demo-unified-elite").check_key()
    assert elite.connected and elite.total_usdt == Decimal(3100)
    assert "futures copy-trading orders (read-write)" in elite.permissions
    trade_only = await connect("demo-unified-trade-only").check_key()
    assert trade_only.connected and any("UTA management (read)" in w for w in trade_only.warnings)
