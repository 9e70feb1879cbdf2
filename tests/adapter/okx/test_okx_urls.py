"""Where an OKX key connects: its URL, else its site's REST host; and the private WebSocket beside it
(reference/okx-v5.md §6)."""

import pytest
from okx_support import VECTOR_KEY

from exchange_tui.exchanges.base import Connection
from exchange_tui.exchanges.okx.client import OkxClient
from exchange_tui.exchanges.okx.live import ws_url_for
from exchange_tui.exchanges.okx.spec import SPEC


@pytest.mark.parametrize(
    ("site", "demo", "expected"),
    [
        ("global", False, "wss://ws.okx.com:8443/ws/v5/private"),
        ("global", True, "wss://wspap.okx.com:8443/ws/v5/private"),
        ("eea", False, "wss://wseea.okx.com:8443/ws/v5/private"),
        ("eea", True, "wss://wseeapap.okx.com:8443/ws/v5/private"),
        ("us", False, "wss://wsus.okx.com:8443/ws/v5/private"),
        ("us", True, "wss://wsuspap.okx.com:8443/ws/v5/private"),
    ],
)
def test_a_sites_rest_host_pairs_with_its_websocket_hosts(site, demo, expected):
    assert ws_url_for(SPEC.site(site).rest_url, SPEC.site(site), demo, {}) == expected


def test_another_rest_base_serves_the_websocket_itself():
    site = SPEC.site(None)
    assert ws_url_for("http://127.0.0.1:8123", site, False, {}) == "ws://127.0.0.1:8123/ws/v5/private"
    assert ws_url_for("http://127.0.0.1:8123/", site, True, {}) == "ws://127.0.0.1:8123/demo/ws/v5/private"
    assert ws_url_for("https://proxy.example/okx", site, False, {}) == "wss://proxy.example/okx/ws/v5/private"


def test_a_websocket_url_set_for_the_key_wins():
    urls = {"ws_url": "ws://127.0.0.1:1/live", "demo_ws_url": "ws://127.0.0.1:1/demo"}
    site = SPEC.site(None)
    assert ws_url_for(site.rest_url, site, False, urls) == "ws://127.0.0.1:1/live"
    assert ws_url_for("http://127.0.0.1:8123", site, True, urls) == "ws://127.0.0.1:1/demo"


@pytest.mark.parametrize(
    ("connection", "url", "site"),
    [
        (Connection(), "https://www.okx.com", "global"),
        (Connection(site="eea"), "https://eea.okx.com", "eea"),
        (Connection(site="us"), "https://us.okx.com", "us"),
        (Connection(urls={"url": "https://eea.okx.com"}), "https://eea.okx.com", "eea"),
        (Connection(site="us", urls={"url": "http://127.0.0.1:8123"}), "http://127.0.0.1:8123", "us"),
    ],
)
async def test_a_key_connects_to_its_url_else_its_sites_host(connection, url, site):
    async with OkxClient(VECTOR_KEY, connection=connection) as client:
        assert (client.base_url, client.site.id) == (url, site)
