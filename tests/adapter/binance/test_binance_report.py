"""A key check's report, assembled from the reference's own answers (reference/binance.md §3), and the
environment it is corrected to; Binance's signatures and wire shape are pinned in test_binance_signing."""

from decimal import Decimal

import binance_examples as examples
import pytest
from binance_support import BAD_SIGNATURE, FUTURES_INVALID, INVALID, UNKNOWN_ID, client_with, refusal

from exchange_tui.models import AccountTotal, Reason

API = "api.binance.com"
FAPI = "fapi.binance.com"
DEMO = "demo-api.binance.com"
DEMO_FAPI = "demo-fapi.binance.com"
TESTNET = "testnet.binance.vision"

PRICES = examples.PRICES + [{"symbol": "BTCUSDT", "price": "2"}, {"symbol": "LTCUSDT", "price": "0.5"}]


def live(**changes):
    answers = {
        (API, "/sapi/v1/account/apiRestrictions"): examples.API_RESTRICTIONS,
        (API, "/api/v3/account"): examples.ACCOUNT,
        (FAPI, "/fapi/v3/balance"): examples.FUTURES_BALANCE,
        (API, "/sapi/v1/asset/get-funding-asset"): examples.FUNDING,
        (API, "/api/v3/ticker/price"): PRICES,
    }
    return answers | {(API if path.startswith(("/api", "/sapi")) else FAPI, path): a for path, a in changes.items()}


@pytest.fixture
async def check():
    clients = []

    async def run(answers, **connection):
        client, handler = client_with(answers, **connection)
        clients.append(client)
        report = await client.check_key()
        return report, handler

    yield run
    for client in clients:
        await client.aclose()


async def test_the_reference_key(check):
    report, asked = await check(live())
    assert report.connected and report.uid == "354937868"
    assert report.permissions == ["read", "FIX read-only", "portfolio margin trading"] or report.permissions == [
        "read", "portfolio margin trading", "FIX read-only"
    ]
    assert report.read_only is False and not report.can_withdraw and report.ips == []
    assert report.futures_access == {"usdm_futures": True}
    assert [(b.account, b.coin, b.available, b.locked, b.usdt_value) for b in report.balances] == [
        ("spot", "BTC", Decimal("4723846.89208129"), 0, Decimal("9447693.78416258")),
        ("spot", "LTC", Decimal("4763368.68006011"), 0, Decimal("2381684.340030055")),
        ("usdm_futures", "USDT", Decimal("23.72469206"), Decimal("122583.62668697"), Decimal("122607.35137903")),
        ("funding", "USDT", Decimal("1"), 0, Decimal("1")),
    ]
    assert report.overview == [
        AccountTotal(account="spot", usdt_value=Decimal("11829378.124192635")),
        AccountTotal(account="usdm_futures", usdt_value=Decimal("122607.35137903")),
        AccountTotal(account="funding", usdt_value=Decimal("1")),
    ]
    assert report.total_usdt == Decimal("11951986.475571665")
    assert any("No IP restriction" in w for w in report.warnings)
    assert any("cannot trade" in w for w in report.warnings)
    assert report.expires_at is None, "spot trading is off: nothing to lapse"
    assert sorted(set(asked.asked)) == sorted(
        {(API, "/api/v3/time"), (FAPI, "/fapi/v1/time"), *((h, p) for h, p in live())}
    )


async def test_the_older_form_says_when_spot_trading_lapses(check):
    report, _ = await check(live(**{"/sapi/v1/account/apiRestrictions": examples.OLD_API_RESTRICTIONS}))
    assert "spot & margin trading" in report.permissions and report.read_only is False
    assert f"{report.expires_at:%Y-%m-%d %H:%M}" == "2022-02-28 22:00"


async def test_without_the_expiry_field_the_lapse_is_counted_from_creation(check):
    restrictions = examples.API_RESTRICTIONS | {"enableSpotAndMarginTrading": True}
    report, _ = await check(live(**{"/sapi/v1/account/apiRestrictions": restrictions}))
    assert f"{report.expires_at:%Y-%m-%d %H:%M}" == "2023-11-29 05:53"


async def test_an_ip_restricted_key_says_binance_does_not_show_the_list(check):
    restrictions = examples.API_RESTRICTIONS | {"ipRestrict": True, "enableSpotAndMarginTrading": True}
    report, _ = await check(live(**{"/sapi/v1/account/apiRestrictions": restrictions}))
    assert report.ips == [] and any("restricted to trusted IPs" in w and "does not show" in w for w in report.warnings)
    assert report.expires_at is None


async def test_a_withdrawing_key_is_named(check):
    restrictions = examples.API_RESTRICTIONS | {"enableWithdrawals": True, "ipRestrict": True}
    report, _ = await check(live(**{"/sapi/v1/account/apiRestrictions": restrictions}))
    assert report.can_withdraw and any("withdraw" in w for w in report.warnings)


async def test_a_key_without_enable_futures_connects_and_names_it(check):
    report, _ = await check(live(**{"/fapi/v3/balance": FUTURES_INVALID}))
    assert report.connected and report.futures_access == {"usdm_futures": False}
    (warning,) = [w for w in report.warnings if "futures balance" in w]
    assert warning.index("Enable Futures") < warning.index("another environment")
    assert [o.account for o in report.overview] == ["spot", "funding"]


async def test_a_wrong_secret_is_the_secret(check):
    everything_refused = {where: BAD_SIGNATURE for where in live()}
    report, _ = await check(everything_refused)
    assert not report.connected and report.error.reason is Reason.SECRET_WRONG and report.error.credential == "secret_key"


async def test_a_key_binance_does_not_know_anywhere_is_the_key_first_after_each_environment(check):
    unknown = {where: INVALID for where in live()} | {(API, "/sapi/v1/account/apiRestrictions"): UNKNOWN_ID}
    report, asked = await check(unknown)
    assert not report.connected and report.error.reason is Reason.KEY_UNKNOWN
    assert report.demo_trading is False and report.testnet is False
    assert {host for host, _ in asked.asked} >= {API, DEMO, TESTNET}


async def test_a_key_refused_everywhere_with_minus_2015_is_the_ip_first(check):
    report, asked = await check({where: INVALID for where in live()})
    assert report.error.reason is Reason.IP_REFUSED and report.error.code == "-2015"
    hint = report.error.hint
    assert hint.index("trusted IPs") < hint.index("API key is wrong") < hint.index("another environment")
    assert {host for host, _ in asked.asked} == {API, FAPI}, "the key exists here: no other environment is tried"


async def test_on_the_testnet_minus_2015_everywhere_is_the_key_first_then_the_ip(check):
    answers = {(TESTNET, path): INVALID for path in ("/api/v3/account", "/api/v3/ticker/price")}
    report, _ = await check(answers | {("testnet.binancefuture.com", "/fapi/v3/balance"): FUTURES_INVALID}, testnet=True)
    assert report.error.reason is Reason.KEY_UNKNOWN and report.testnet
    hint = report.error.hint
    assert hint.index("API key is wrong") < hint.index("another environment") < hint.index("trusted IPs")


async def test_a_demo_key_marked_live_is_corrected_to_demo_mode(check):
    answers = {where: INVALID for where in live()} | {(API, "/sapi/v1/account/apiRestrictions"): UNKNOWN_ID}
    answers |= {
        (DEMO, "/api/v3/account"): examples.ACCOUNT,
        (DEMO_FAPI, "/fapi/v3/balance"): examples.FUTURES_BALANCE,
        (DEMO, "/api/v3/ticker/price"): PRICES,
    }
    report, asked = await check(answers)
    assert report.connected and report.demo_trading and not report.testnet
    assert report.warnings[0].startswith("This is a Binance Demo Mode key, not a live key")
    assert any("no wallet API" in w for w in report.warnings)
    assert report.permissions == ["read", "spot & margin trading", "withdrawals"] and report.can_withdraw
    assert (DEMO, "/sapi/v1/account/apiRestrictions") not in asked.asked


async def test_the_testnet_reads_spot_and_futures_and_says_what_it_could_not(check):
    answers = {
        (TESTNET, "/api/v3/account"): examples.ACCOUNT,
        ("testnet.binancefuture.com", "/fapi/v3/balance"): examples.FUTURES_BALANCE,
        (TESTNET, "/api/v3/ticker/price"): PRICES,
    }
    report, _ = await check(answers, testnet=True)
    assert report.connected and report.testnet and report.uid == "354937868"
    assert [o.account for o in report.overview] == ["spot", "usdm_futures"]
    assert any("testnet has no wallet API" in w and "funding wallet is not read" in w for w in report.warnings)


async def test_unreadable_prices_are_a_warning(check):
    report, _ = await check(live(**{"/api/v3/ticker/price": refusal(-1100, "Illegal characters found in a parameter.")}))
    assert report.connected and any("prices in USDT" in w and "-1100" in w for w in report.warnings)
    assert report.balances[0].usdt_value is None


async def test_a_key_that_cannot_read_the_spot_account_connects_naming_enable_reading(check):
    report, _ = await check(live(**{"/api/v3/account": INVALID}))
    assert report.connected and report.uid is None
    (warning,) = [w for w in report.warnings if "spot account" in w]
    assert "Enable Reading" in warning


async def test_balances_leave_out_what_the_key_may_not_read(check):
    client, _ = client_with(live(**{"/fapi/v3/balance": FUTURES_INVALID}))
    rows, total = await client.balances()
    await client.aclose()
    assert [b.account for b in rows] == ["spot", "spot", "funding"] and total == Decimal("11829379.124192635")
