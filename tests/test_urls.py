"""Which hosts are this machine, for the rule that plain http:// and ws:// go nowhere else."""

import pytest

from exchange_tui.urls import InsecureUrl, is_loopback, require_secure_url


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
