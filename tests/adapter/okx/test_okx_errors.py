"""Every code the reference lists for a key check (reference/okx-v5.md §4, REST and WebSocket) becomes a
typed error with a reason and a hint a person can act on; codes decide, never texts."""

import pytest

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
    WrongEnvironment,
)
from exchange_tui.exchanges.okx.errors import ADVICE, RESYNC_CODES, from_code
from exchange_tui.models import Reason

TABLE = [
    ("50011", RateLimited, Reason.RATE_LIMITED, None),
    ("50013", ExchangeUnavailable, Reason.UNAVAILABLE, None),
    ("50030", PermissionMissing, Reason.PERMISSION_MISSING, None),
    ("50035", IpNotWhitelisted, Reason.IP_REFUSED, None),
    ("50038", WrongEnvironment, Reason.WRONG_ENVIRONMENT, None),
    ("50051", AccountRestricted, Reason.ACCOUNT_RESTRICTED, None),
    ("50060", AccountRestricted, Reason.ACCOUNT_RESTRICTED, None),
    ("50100", AuthenticationFailed, Reason.KEY_DISABLED, None),
    ("50101", WrongEnvironment, Reason.WRONG_ENVIRONMENT, None),
    ("50102", ClockSkew, Reason.CLOCK_OFF, None),
    ("50103", AuthenticationFailed, Reason.CREDENTIAL_MISSING, "api_key"),
    ("50104", AuthenticationFailed, Reason.CREDENTIAL_MISSING, "passphrase"),
    ("50105", AuthenticationFailed, Reason.PASSPHRASE_WRONG, "passphrase"),
    ("50106", AuthenticationFailed, Reason.CREDENTIAL_MISSING, "secret_key"),
    ("50107", RequestRejected, Reason.REJECTED, None),
    ("50110", IpNotWhitelisted, Reason.IP_REFUSED, None),
    ("50111", AuthenticationFailed, Reason.KEY_UNKNOWN, "api_key"),
    ("50112", ClockSkew, Reason.CLOCK_OFF, None),
    ("50113", AuthenticationFailed, Reason.SECRET_WRONG, "secret_key"),
    ("50114", AuthenticationFailed, Reason.KEY_UNKNOWN, "api_key"),
    ("50119", AuthenticationFailed, Reason.KEY_UNKNOWN, "api_key"),
    ("50120", PermissionMissing, Reason.PERMISSION_MISSING, None),
    ("50121", AccountRestricted, Reason.ACCOUNT_RESTRICTED, None),
    ("51010", AccountModeMismatch, Reason.ACCOUNT_MODE, None),
    ("60004", ClockSkew, Reason.CLOCK_OFF, None),
    ("60005", AuthenticationFailed, Reason.KEY_UNKNOWN, "api_key"),
    ("60006", ClockSkew, Reason.CLOCK_OFF, None),
    ("60007", AuthenticationFailed, Reason.SECRET_WRONG, "secret_key"),
    ("60009", AuthenticationFailed, Reason.REJECTED, None),
    ("60011", RequestRejected, Reason.REJECTED, None),
    ("60012", RequestRejected, Reason.REJECTED, None),
    ("60014", RateLimited, Reason.RATE_LIMITED, None),
    ("60018", RequestRejected, Reason.REJECTED, None),
    ("60024", AuthenticationFailed, Reason.PASSPHRASE_WRONG, "passphrase"),
    ("60031", RequestRejected, Reason.REJECTED, None),
    ("60032", AuthenticationFailed, Reason.KEY_UNKNOWN, "api_key"),
    ("63999", ExchangeUnavailable, Reason.UNAVAILABLE, None),
    ("64008", ExchangeUnavailable, Reason.UNAVAILABLE, None),
]


@pytest.mark.parametrize(("code", "cls", "reason", "credential"), TABLE, ids=[row[0] for row in TABLE])
def test_code(code, cls, reason, credential):
    error = from_code(code, "whatever OKX says", http_status=401)
    assert type(error) is cls
    assert (error.reason, error.credential, error.code, error.http_status) == (reason, credential, code, 401)
    assert ": " in error.hint


def test_the_table_covers_every_code_we_advise_on():
    assert {row[0] for row in TABLE} == set(ADVICE)


def test_only_rate_limits_and_outages_are_retried():
    assert {row[0] for row in TABLE if from_code(row[0], "").retryable} == {"50011", "50013", "60014", "63999", "64008"}


def test_only_an_expired_timestamp_resyncs_the_clock():
    assert RESYNC_CODES == {"50102"}


def test_a_wrong_passphrase_says_okx_cannot_show_it_again():
    hint = from_code("50105", "").hint
    assert "re-enter the key's own passphrase" in hint and "OKX cannot show it again" in hint


def test_an_unknown_key_may_be_deleted_expired_or_of_another_site():
    hint = from_code("50119", "API key doesn't exist").hint
    for words in ("deleted", "14 days", "my.okx.com", "app.okx.com", "--site eea", "--site us"):
        assert words in hint
    assert from_code("60032", "").hint == hint


def test_an_ip_refusal_names_the_ip_okx_saw():
    error = from_code("50110", "Your IP 203.0.113.7 is not included in your API key's IP whitelist.")
    assert "203.0.113.7" in error.hint and "allowlist" in error.hint
    assert "2001:db8::1" in from_code("50110", "Your IP 2001:db8::1 is not included in your API key's IP whitelist.").hint
    assert "{" not in from_code("50110", "Your IP {param0} is not included").hint


def test_the_code_decides_never_the_text():
    assert type(from_code("50113", "Request header OK-ACCESS-PASSPHRASE incorrect.")) is AuthenticationFailed
    assert from_code("50113", "Request header OK-ACCESS-PASSPHRASE incorrect.").reason is Reason.SECRET_WRONG
    unknown = from_code("59999", "API key doesn't exist")
    assert (type(unknown), unknown.reason) == (RequestRejected, Reason.REJECTED)


def test_a_refusal_is_key_gone_only_where_a_new_key_helps():
    gone = {row[0] for row in TABLE if from_code(row[0], "").key_gone}
    assert gone == {"50100", "50105", "50111", "50114", "50119", "60005", "60024", "60032"}
