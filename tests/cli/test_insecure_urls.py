"""Plain http:// and ws:// exchange URLs only to this machine, unless --allow-insecure (issue 11).

A refused URL here is ``0.0.0.0``: not loopback by the rule (127.0.0.0/8, ::1, localhost), yet on
Linux a connection to it reaches this machine, so with ``--allow-insecure`` the very same URL
reaches the simulator and no request ever leaves the box.
"""

from urllib.parse import urlsplit

import pytest


@pytest.fixture
def elsewhere(bitget) -> str:
    """The simulator's URL under a host the rule does not take for this machine."""
    return bitget.url.replace("127.0.0.1", "0.0.0.0")


@pytest.fixture
def ws_elsewhere(elsewhere) -> str:
    return elsewhere.replace("http://", "ws://") + "/v2/ws/private"


def refusal(result, setting: str) -> str:
    """The one line of a refused URL; it names the setting, the reason and the way out."""
    lines = result.stderr.strip().splitlines()
    assert result.code == 2 and len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(f"exchange-tui: {setting} is ") and "not this machine" in line, line
    assert "in clear" in line and "--allow-insecure" in line
    return line


def test_url_option_to_another_host_is_refused_and_allowed_with_the_flag(cli, key_json, elsewhere, bitget):
    line = refusal(cli("add", "bitget", "main", "--url", elsewhere, stdin=key_json()), "--url")
    assert "Use https://" in line and "http://0.0.0.0" in line
    assert cli("accounts", "--json").json == {"accounts": []}, "nothing was read or stored"
    assert cli("add", "bitget", "main", "--url", bitget.url, stdin=key_json()).code == 0, "loopback http is fine"
    assert cli("--allow-insecure", "check", "main", "--url", elsewhere, "--json").json["status"] == "connected"


def test_localhost_is_this_machine(cli, key_json, bitget):
    port = urlsplit(bitget.url).port
    assert cli("add", "bitget", "main", "--url", f"http://localhost:{port}", stdin=key_json()).code == 0


@pytest.mark.parametrize(
    "variable", ["EXCHANGE_TUI_BITGET_URL", "EXCHANGE_TUI_BITGET_WS_URL", "EXCHANGE_TUI_BITGET_DEMO_WS_URL"]
)
def test_environment_urls_to_another_host_are_refused(cli, key_json, elsewhere, ws_elsewhere, variable):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    url = elsewhere if variable == "EXCHANGE_TUI_BITGET_URL" else ws_elsewhere
    line = refusal(cli("balance", "main", env={variable: url}), variable)
    assert ("Use https://" if url.startswith("http") else "Use wss://") in line
    assert cli("--allow-insecure", "balance", "main", env={variable: url}).code == 0


def test_the_config_files_urls_are_refused_naming_the_key(cli, key_json, elsewhere, ws_elsewhere):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    config = cli.home / "exchange-tui" / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    for key, url in (("bitget_url", elsewhere), ("bitget_ws_url", ws_elsewhere)):
        config.write_text(f'{key} = "{url}"\n')
        refusal(cli("balance", "main", env={"EXCHANGE_TUI_BITGET_URL": None}), f"{key} in {config}")
    config.write_text(f'bitget_url = "{elsewhere}"\n')
    allowed = cli("--allow-insecure", "balance", "main", "--json", env={"EXCHANGE_TUI_BITGET_URL": None})
    assert allowed.code == 0 and allowed.json["accounts"][0]["error"] is None


def test_an_accounts_own_url_is_refused_where_it_is_used(cli, key_json, elsewhere):
    added = cli("--allow-insecure", "add", "bitget", "main", "--url", elsewhere, "--json", stdin=key_json())
    assert added.code == 0 and added.json["status"] == "connected"
    for command in (("check", "main"), ("balance", "main"), ("balance", "main", "--watch")):
        refusal(cli(*command), "the account's own URL (add --url)")
    assert cli("--allow-insecure", "check", "main").code == 0
