"""Every code reference/bybit-v5.md §4 lists for a key check becomes a typed error with a reason and a hint;
codes are matched, never texts."""

import pytest

from exchange_tui.exchanges.base import Environment
from exchange_tui.exchanges.bybit.errors import ADVICE, environment_hint, from_code
from exchange_tui.exchanges.errors import (
    AccountModeMismatch,
    AccountRestricted,
    AuthenticationFailed,
    ClockSkew,
    ExchangeUnavailable,
    IpNotWhitelisted,
    PermissionMissing,
    RateLimited,
    RequestRejected,
)
from exchange_tui.models import Reason

TABLE = [
    ("10001", RequestRejected, Reason.REJECTED),
    ("10002", ClockSkew, Reason.CLOCK_OFF),
    ("10003", AuthenticationFailed, Reason.KEY_UNKNOWN),
    ("10004", AuthenticationFailed, Reason.SECRET_WRONG),
    ("10005", PermissionMissing, Reason.PERMISSION_MISSING),
    ("10006", RateLimited, Reason.RATE_LIMITED),
    ("10007", AuthenticationFailed, Reason.REJECTED),
    ("10008", AccountModeMismatch, Reason.ACCOUNT_MODE),
    ("10009", AccountRestricted, Reason.ACCOUNT_RESTRICTED),
    ("10010", IpNotWhitelisted, Reason.IP_REFUSED),
    ("10016", ExchangeUnavailable, Reason.UNAVAILABLE),
    ("10018", RateLimited, Reason.RATE_LIMITED),
    ("10024", AccountRestricted, Reason.ACCOUNT_RESTRICTED),
    ("10028", AccountModeMismatch, Reason.ACCOUNT_MODE),
    ("100028", AccountModeMismatch, Reason.ACCOUNT_MODE),
    ("33004", AuthenticationFailed, Reason.KEY_DISABLED),
    ("-2015", AuthenticationFailed, Reason.KEY_DISABLED),
    ("3100197", AccountRestricted, Reason.ACCOUNT_RESTRICTED),
    ("81007", AccountRestricted, Reason.WRONG_SITE),
]


@pytest.mark.parametrize(("code", "cls", "reason"), TABLE, ids=[row[0] for row in TABLE])
def test_the_table(code, cls, reason):
    error = from_code(code, "whatever Bybit says")
    assert type(error) is cls and error.reason is reason
    assert error.hint and error.code == code and error.message == "whatever Bybit says"


def test_the_table_covers_every_code_we_advise_on():
    assert {row[0] for row in TABLE} <= set(ADVICE)


def test_texts_are_not_read():
    assert from_code("10004", "API key is invalid.").reason is Reason.SECRET_WRONG
    assert from_code("99999", "Error sign").reason is Reason.REJECTED


def test_what_may_pass_on_a_retry():
    assert [code for code, _, _ in TABLE if from_code(code, "").retryable] == ["10006", "10016", "10018"]


def test_the_credential_to_fix():
    assert from_code("10003", "").credential == "api_key"
    assert from_code("10004", "").credential == "secret_key"
    assert from_code("10010", "").credential is None


def test_an_expired_key_names_the_90_day_rule():
    hint = from_code("33004", "(Derivatives) Your api key has expired").hint
    assert hint.startswith("The key expired: keys with no IP bound expire after 90 days")
    assert from_code("-2015", "").hint == hint


def test_the_environment_hint_names_them_all_and_the_one_added_for():
    hint = environment_hint(Environment.DEMO, [Environment.DEMO, Environment.LIVE, Environment.TESTNET])
    assert "on demo trading" in hint and "which this account was added for" in hint
    assert "mainnet (www.bybit.com)" in hint and "testnet (testnet.bybit.com" in hint
