"""URLs: which hosts are this machine, for the rule that plain http:// and ws:// go nowhere else; an exchange URL's syntax."""

import pytest

from exchange_tui.urls import InsecureUrl, check_url, is_loopback, require_secure_url
from exchange_tui.validation import InvalidInput


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost", "LocalHost"])
def test_loopback(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::ffff:127.0.0.1", "127.1", "10.0.0.1", "localhost.example", "", None])
def test_not_loopback(host):
    assert not is_loopback(host)


@pytest.mark.parametrize(
    "url",
    ["https://api.bitget.com", "wss://ws.bitget.com/v2/ws/private", "http://127.0.0.1:8200", "ws://[::1]:9/x", "HTTP://localhost"],
)
def test_accepted(url):
    require_secure_url(url, "--url", allow_insecure=False)


@pytest.mark.parametrize("url", ["http://api.bitget.com", "ws://10.0.0.1/x", "HTTP://example.com:80", "http://u:p@[fe80::1]:1"])
def test_refused_unless_allowed(url):
    with pytest.raises(InsecureUrl) as refused:
        require_secure_url(url, "SETTING", allow_insecure=False)
    assert refused.value.field == "SETTING" and ":p@" not in refused.value.message
    require_secure_url(url, "SETTING", allow_insecure=True)


@pytest.mark.parametrize("url", ["https://api.bitget.com", "http://127.0.0.1:8080/", "http://[::1]:80", "HTTPS://A.example"])
def test_good_urls(url):
    assert check_url(url) == url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("api.bitget.com", "must start with https://"),
        ("ftp://127.0.0.1", "must start with https://"),
        ("https://", "no host"),
        ("http://:80", "no host"),
        ("http://127.0.0.1 :8080", "spaces"),
        ("http://127.0.0.1\0", "control characters"),
        ("http://127.0.0.1:99999", "port"),
        ("http://127.0.0.1:0", "port"),
        ("http://[::1", "host or port"),
    ],
)
def test_bad_urls_are_refused_naming_the_field(url, words):
    with pytest.raises(InvalidInput) as raised:
        check_url(url)
    assert raised.value.field == "url"
    assert words in raised.value.message


def test_a_bad_url_is_not_repeated_as_it_may_hold_a_password():
    with pytest.raises(InvalidInput) as raised:
        check_url("http://bot:hunter2@127.0.0.1:99999")
    assert "hunter2" not in raised.value.message
