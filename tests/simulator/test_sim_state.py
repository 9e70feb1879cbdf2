"""The simulator state on its own: clock, limiter, fault counters, balance changes and their events."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from exchange_tui.simulator.bitget.errors import BitgetError
from exchange_tui.simulator.bitget.state import SimulatorState
from exchange_tui.simulator.core.clock import ManualClock
from exchange_tui.simulator.core.events import BalanceChanged
from exchange_tui.simulator.core.faults import Fault
from exchange_tui.simulator.core.ratelimit import SlidingWindowLimiter


@pytest.fixture
def clock():
    return ManualClock(1_700_000_000_000)


@pytest.fixture
def state(clock):
    return SimulatorState(clock=clock)


def test_accounts_must_have_unique_labels_and_keys(state):
    demo = state.account("demo")
    with pytest.raises(ValidationError):
        SimulatorState([demo, demo.model_copy(update={"api_key": "bg_" + "e" * 32})])


def test_server_clock_is_the_clock_plus_the_offset(state, clock):
    assert state.now_ms() == 1_700_000_000_000
    state.faults.clock_offset_ms = -45_000
    clock.advance(5)
    assert state.now_ms() == 1_699_999_955_005


def test_sliding_window_counts_accepted_hits_only():
    limiter = SlidingWindowLimiter()
    assert [limiter.allow("k", 2, 1000, t) for t in (0, 10, 20, 999)] == [True, True, False, False]
    assert limiter.allow("k", 2, 1000, 1000)
    assert not limiter.allow("k", 2, 1000, 1009)
    assert limiter.allow("k", 2, 1000, 1010)
    assert limiter.allow("other", 2, 1000, 1010)


def test_counted_faults_are_used_up_in_a_fixed_order(state):
    state.update_faults(drop_next=1, error_5xx_next=1, rate_limit_next=1, malformed_next=2)
    taken = [state.take_fault() for _ in range(6)]
    assert taken == [Fault.DROP, Fault.ERROR_5XX, Fault.RATE_LIMIT, Fault.MALFORMED, Fault.MALFORMED, None]


def test_error_rate_follows_the_seeded_generator(clock):
    runs = []
    for _ in range(2):
        seeded = SimulatorState(clock=clock, seed=7)
        seeded.faults.error_5xx_rate = 0.5
        runs.append([seeded.take_fault() for _ in range(40)])
    assert runs[0] == runs[1]
    assert 5 < runs[0].count(Fault.ERROR_5XX) < 35


def test_faults_are_validated(state):
    with pytest.raises(ValidationError):
        state.update_faults(drop_next=-1)
    with pytest.raises(ValidationError):
        state.update_faults(error_5xx_rate=1.5)
    with pytest.raises(ValidationError):
        state.update_faults(no_such_knob=1)
    with pytest.raises(ValidationError):
        state.faults.latency_ms = -5
    assert state.faults.drop_next == 0


def test_set_spot_balance_keeps_what_is_not_given_and_stamps_the_time(state, clock):
    clock.advance(1234)
    state.set_balance("demo", "usdt", "99.5")
    (usdt,) = [b for b in state.account("demo").spot if b.coin == "USDT"]
    assert (usdt.available, usdt.frozen, usdt.u_time) == (Decimal("99.5"), Decimal("120.00000"), 1_700_000_001_234)
    state.set_balance("demo", "DOGE", 10, frozen="1", locked="2")
    (doge,) = [b for b in state.account("demo").spot if b.coin == "DOGE"]
    assert (doge.available, doge.frozen, doge.locked) == (10, 1, 2)


def test_set_futures_balance_derives_the_figures_again(state):
    state.set_balance("demo", "USDT", "10", locked="1", wallet="usdt-futures")
    (entry,) = state.account("demo").futures["USDT-FUTURES"]
    assert (entry.available, entry.locked, entry.equity, entry.usdt_equity) == (10, 1, 11, None)
    state.set_balance("demo", "BTC", "0.1", wallet="COIN-FUTURES")
    assert state.account("demo").futures["COIN-FUTURES"][0].margin_coin == "BTC"


def test_set_unified_balance(state):
    state.set_balance("demo-unified", "USDT", "7", locked="3", wallet="unified")
    (usdt,) = [a for a in state.account("demo-unified").unified.assets if a.coin == "USDT"]
    assert (usdt.balance, usdt.available, usdt.locked) == (10, 7, 3)


@pytest.mark.parametrize(
    ("label", "wallet", "amount", "error"),
    [
        ("nobody", "spot", "1", KeyError),
        ("demo", "unified", "1", ValueError),
        ("demo-unified", "spot", "1", ValueError),
        ("demo", "margin", "1", ValueError),
        ("demo", "spot", "-1", ValueError),
        ("demo", "spot", "Infinity", ValueError),
    ],
)
def test_set_balance_refuses_what_does_not_exist(state, label, wallet, amount, error):
    with pytest.raises(error):
        state.set_balance(label, "USDT", amount, wallet=wallet)


def test_frozen_exists_only_in_spot(state):
    with pytest.raises(ValueError, match="frozen"):
        state.set_balance("demo", "USDT", "1", frozen="1", wallet="USDT-FUTURES")


def test_listeners_hear_every_change_until_they_stop(state, clock):
    heard: list[BalanceChanged] = []
    stop = state.subscribe(heard.append)
    state.set_balance("demo", "BTC", "1")
    state.transfer(state.account("demo"), "spot", "USDT-FUTURES", "USDT", Decimal("5"))
    stop()
    state.set_balance("demo", "BTC", "2")
    assert [(e.label, e.wallet, e.coin) for e in heard] == [
        ("demo", "spot", "BTC"),
        ("demo", "spot", "USDT"),
        ("demo", "USDT-FUTURES", "USDT"),
    ]
    assert heard[0] == BalanceChanged("demo", state.account("demo").uid, "spot", "BTC", clock.now_ms)


def test_transfer_moves_exact_amounts_and_refuses_overdrafts(state):
    demo = state.account("demo")
    first = state.transfer(demo, "spot", "USDT-FUTURES", "USDT", Decimal("20.48213"))
    second = state.transfer(demo, "USDT-FUTURES", "spot", "USDT", Decimal("0.00001"))
    assert first != second
    demo = state.account("demo")
    assert [b.available for b in demo.spot if b.coin == "USDT"] == [Decimal("1500.00001")]
    assert demo.futures["USDT-FUTURES"][0].available == Decimal("840.59532")
    with pytest.raises(BitgetError) as caught:
        state.transfer(demo, "spot", "USDT-FUTURES", "USDT", Decimal("1500.00002"))
    assert caught.value.code == "43012"


def test_reset_restores_everything(state):
    state.set_balance("demo", "BTC", "5")
    state.set_price("BTCUSDT", "1")
    state.update_faults(drop_next=3, clock_offset_ms=10)
    state.limiter.allow("k", 1, 1000, 0)
    state.reset()
    assert [b.available for b in state.account("demo").spot if b.coin == "BTC"] == [Decimal("0.04210000")]
    assert state.usdt_price("BTC") == Decimal("67012.35")
    assert state.faults.drop_next == 0 and state.faults.clock_offset_ms == 0
    assert state.limiter.allow("k", 1, 1000, 0)


def test_prices_value_coins_in_usdt(state):
    state.set_price("BTCUSDT", "70000")
    assert state.usdt_price("BTC") == 70000
    assert state.usdt_price("SBTC") == 70000
    assert state.usdt_price("USDT") == 1
    assert state.usdt_price("NOPE") == 0
    ticker = state.tickers["BTCUSDT"]
    assert ticker.high == 70000 and ticker.as_bitget(0)["askPr"] == "70001"
