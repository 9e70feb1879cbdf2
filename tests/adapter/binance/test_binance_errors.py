"""Binance's error codes as our typed errors (reference/binance.md §4), and -2015's causes in the order the
key's other calls make most likely."""

import pytest

from exchange_tui.exchanges.binance.errors import Cause, from_code, ip_in, likely_causes, reordered
from exchange_tui.exchanges.errors import (
    AuthenticationFailed,
    ClockSkew,
    IpNotWhitelisted,
    PermissionMissing,
    RateLimited,
    RequestRejected,
)
from exchange_tui.models import Reason

TABLE = [
    ("-2014", "API-key format invalid.", AuthenticationFailed, Reason.KEY_UNKNOWN),
    ("-2015", "Invalid API-key, IP, or permissions for action.", AuthenticationFailed, Reason.KEY_UNKNOWN),
    ("-2008", "Invalid Api-Key ID.", AuthenticationFailed, Reason.KEY_UNKNOWN),
    ("-1022", "Signature for this request is not valid.", AuthenticationFailed, Reason.SECRET_WRONG),
    ("-1021", "Timestamp for this request is outside of the recvWindow.", ClockSkew, Reason.CLOCK_OFF),
    ("-1002", "You are not authorized to execute this request.", PermissionMissing, Reason.PERMISSION_MISSING),
    ("-1003", "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.", RateLimited, Reason.RATE_LIMITED),
    ("-1125", "This listenKey does not exist.", RequestRejected, Reason.REJECTED),
    ("-1099", "Not found, unauthenticated, or unauthorized.", AuthenticationFailed, Reason.KEY_DISABLED),
    ("-1102", "Mandatory parameter was not sent, was empty/null, or malformed.", RequestRejected, Reason.REJECTED),
]


@pytest.mark.parametrize(("code", "message", "cls", "reason"), TABLE)
def test_every_code_the_reference_lists(code, message, cls, reason):
    error = from_code(code, message, http_status=400)
    assert type(error) is cls and error.reason is reason and error.code == code and error.message == message
    assert error.hint and "Binance" in error.hint


def test_a_wrong_secret_names_the_secret():
    assert from_code("-1022", "Signature for this request is not valid.").credential == "secret_key"


def test_the_clock_refusal_is_the_one_a_sync_cures():
    from exchange_tui.exchanges.binance.errors import RESYNC_CODES

    assert RESYNC_CODES == {"-1021"}


def test_a_rate_limit_is_retried_and_a_418_ban_says_later():
    assert from_code("-1003", "Too much request weight used", http_status=429).retryable
    banned = from_code("-1003", "Way too much request weight used; IP banned until 1700000000000.", http_status=418)
    assert isinstance(banned, RateLimited) and "banned" in banned.hint


def test_an_unknown_code_is_a_rejection_with_binance_message():
    error = from_code("-1121", "Invalid symbol.")
    assert isinstance(error, RequestRejected) and error.message == "Invalid symbol."


def test_the_futures_message_names_the_request_ip():
    assert ip_in("Invalid API-key, IP, or permissions for action, request ip: 203.0.113.7") == "203.0.113.7"
    assert ip_in("Invalid API-key, IP, or permissions for action.") is None


def causes_in(hint: str) -> list[Cause]:
    marks = {
        Cause.KEY: "API key is wrong",
        Cause.ENVIRONMENT: "another environment",
        Cause.IP: "trusted IPs",
        Cause.PERMISSION: "the key lacks",
    }
    found = [(hint.index(text), cause) for cause, text in marks.items() if text in hint]
    return [cause for _, cause in sorted(found)]


MESSAGE = "Invalid API-key, IP, or permissions for action, request ip: 203.0.113.7"


def test_when_the_key_restrictions_answered_a_futures_refusal_is_enable_futures_first():
    causes = likely_causes(wallet_said=None, other_calls_answered=True)
    error = reordered(from_code("-2015", MESSAGE, http_status=401), causes, permission="Enable Futures")
    assert isinstance(error, PermissionMissing) and error.permission == "Enable Futures"
    assert causes_in(error.hint) == [Cause.PERMISSION, Cause.ENVIRONMENT, Cause.KEY]
    assert "lacks Enable Futures" in error.hint and error.http_status == 401


def test_when_the_wallet_api_also_says_minus_2015_the_key_exists_so_the_ip_first():
    error = reordered(from_code("-2015", MESSAGE), likely_causes(wallet_said="-2015", other_calls_answered=False))
    assert isinstance(error, IpNotWhitelisted)
    assert causes_in(error.hint) == [Cause.IP, Cause.PERMISSION, Cause.KEY, Cause.ENVIRONMENT]
    assert "(203.0.113.7)" in error.hint


@pytest.mark.parametrize("wallet_said", ["-2008", None])
def test_when_the_wallet_api_knows_no_such_key_or_is_not_there_the_key_first_the_ip_next(wallet_said):
    error = reordered(from_code("-2015", MESSAGE), likely_causes(wallet_said=wallet_said, other_calls_answered=False))
    assert isinstance(error, AuthenticationFailed) and error.reason is Reason.KEY_UNKNOWN
    assert causes_in(error.hint) == [Cause.KEY, Cause.ENVIRONMENT, Cause.IP, Cause.PERMISSION]


def test_reordering_leaves_other_codes_alone():
    error = from_code("-1022", "Signature for this request is not valid.")
    assert reordered(error, (Cause.IP,)) is error
