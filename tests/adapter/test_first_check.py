"""What a real account meets at its first check (reference §9): account states, transient and clock
codes, optional reads that fail, a stray 40099. Over real TCP, the simulator's fault knobs choosing
which endpoint answers what."""

import pytest

from exchange_tui.exchanges.bitget.errors import ACCOUNT_STATE
from exchange_tui.models import AccountMode
from exchange_tui.simulator import RequestArrived
from exchange_tui.exchanges.bitget.guide import GUIDE
from exchange_tui.guide import step_to_revisit

V3_INFO = "/api/v3/account/info"
OVERVIEW = "/api/v2/account/all-account-balance"
FUTURES = "/api/v2/mix/account/accounts"
FUNDING = "/api/v3/account/funding-assets"


def answer(simulator, code: str, path: str, times: int = 1) -> None:
    simulator.state.update_faults(answer_code=code, answer_code_next=times, fault_path=path)


@pytest.mark.parametrize("code", sorted(ACCOUNT_STATE))
async def test_each_account_state_is_a_typed_refusal_pointing_at_the_account(connect, simulator, code):
    answer(simulator, code, V3_INFO, times=2)
    report = await connect("demo-unified").check_key()
    assert not report.connected
    assert (report.error.kind, report.error.code, report.error.hint) == ("account_restricted", code, ACCOUNT_STATE[code])
    assert "see its message" not in report.error.hint
    step = step_to_revisit(GUIDE, report)
    assert step.number == (2 if code == "40016" else 1)


async def test_two_factor_missing_names_the_guides_step_2(connect, simulator):
    answer(simulator, "40016", V3_INFO, times=2)
    report = await connect().check_key()
    assert "bind a phone number or Google Authenticator" in report.error.hint and "step 2" in report.error.hint


@pytest.mark.parametrize("code", ["40015", "40200"])
async def test_transient_codes_are_retried_like_a_5xx(connect, simulator, code):
    answer(simulator, code, V3_INFO, times=2)
    assert (await connect("demo-unified").check_key()).connected


@pytest.mark.parametrize("code", ["40015", "40200"])
async def test_transient_codes_that_never_clear_are_try_later(connect, simulator, code):
    answer(simulator, code, V3_INFO, times=100)
    report = await connect("demo-unified", max_retries=2).check_key()
    assert not report.connected and report.error.kind == "unavailable" and report.error.code == code


async def test_a_rate_limit_that_never_clears_is_not_a_refused_key(connect, simulator):
    simulator.state.update_faults(rate_limit_next=100, fault_path=V3_INFO)
    report = await connect("demo-unified", max_retries=1).check_key()
    assert not report.connected and report.error.kind == "rate_limited"


@pytest.mark.parametrize("code", ["40911", "40078"])
async def test_clock_codes_resync_the_clock_like_40008(connect, simulator, code):
    client = connect("demo-unified")
    await client.sync_clock()
    seen: list[str] = []
    simulator.state.subscribe(lambda event: isinstance(event, RequestArrived) and seen.append(event.path))
    answer(simulator, code, V3_INFO)
    assert (await client.check_key()).connected
    assert seen.count("/api/v2/public/time") == 1 and seen.count(V3_INFO) == 2


async def test_a_failing_overview_is_a_warning_beside_the_rest_of_the_report(connect, simulator):
    simulator.state.update_faults(error_5xx_next=100, fault_path=OVERVIEW)
    report = await connect(max_retries=1).check_key()
    assert report.connected and report.overview == [] and report.balances
    assert any(w.startswith("Could not read the all-account overview") for w in report.warnings)


async def test_one_futures_product_type_failing_leaves_the_others(connect, simulator):
    answer(simulator, "40015", FUTURES, times=4)
    report = await connect(max_retries=1).check_key()
    assert report.connected
    assert sorted(report.futures_access.values()) == [True, True]
    (failed,) = [w for w in report.warnings if w.startswith("Could not read") and "FUTURES futures" in w]
    assert "(Bitget 40015)" in failed
    assert not any("Futures Orders and Futures-Holdings" in w for w in report.warnings)


async def test_a_failing_funding_wallet_is_a_warning_on_a_unified_account(connect, simulator):
    simulator.state.update_faults(error_5xx_next=100, fault_path=FUNDING)
    report = await connect("demo-unified", max_retries=1).check_key()
    assert report.connected and report.account_mode is AccountMode.UNIFIED and report.balances
    assert any(w.startswith("Could not read the funding wallet") for w in report.warnings)


async def test_one_40099_from_an_optional_read_does_not_flip_the_demo_setting(connect, simulator):
    answer(simulator, "40099", OVERVIEW)
    client = connect()
    report = await client.check_key()
    assert report.connected and not report.demo_trading and not client.demo_trading
    assert not any("corrected" in w for w in report.warnings)
    assert any("all-account overview" in w for w in report.warnings)


async def test_an_authentication_error_on_an_optional_read_still_refuses(connect, simulator):
    answer(simulator, "40012", OVERVIEW)
    report = await connect().check_key()
    assert not report.connected and report.error.code == "40012"


@pytest.mark.parametrize(
    ("code", "kind"),
    [("40048", "account_restricted"), ("40061", "account_restricted"), ("40068", "account_restricted"), ("22030", "wrong_environment")],
)
async def test_sub_account_and_demo_limits_have_their_own_hint(connect, simulator, code, kind):
    answer(simulator, code, V3_INFO, times=2)
    report = await connect("demo-unified").check_key()
    assert not report.connected and (report.error.kind, report.error.code) == (kind, code)
    assert "see its message" not in report.error.hint and ("sub-account" in report.error.hint or "Demo" in report.error.hint)
