"""The config file gives lasting defaults for the environment's settings, never a secret."""

import pytest


def test_the_file_supplies_what_the_environment_does_not(cli, config, key_json, bitget):
    config(f'bitget_url = "{bitget.url}"\n')
    add = cli("add", "bitget", "main", "--json", stdin=key_json(), env={"EXCHANGE_TUI_BITGET_URL": None})
    assert add.code == 0, add.stdout + add.stderr
    located = cli("locate", "--json").json
    assert located["config_file"].endswith("config/config.toml")


def test_the_environment_wins_over_the_file(cli, config):
    config('store = "vault"\nvault_addr = "http://127.0.0.1:8200"\nvault_role_id = "box-role"\n')
    located = cli("locate", "--json", env={"EXCHANGE_TUI_VAULT_SECRET_ID": "from-the-environment"}).json
    assert located["secret_backend"] == "vault"
    assert located["vault_address"] == "http://127.0.0.1:8200" and "approle" in located["vault_auth"]
    local = cli("locate", "--json", env={"EXCHANGE_TUI_STORE": "local"}).json
    assert local["secret_backend"] == "encrypted-file"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('master_password = "hunter2hunter2"\n', "secrets never go in a file"),
        ('vault_token = "s.abc"\n', "secrets never go in a file"),
        ('colour = "blue"\n', "unknown key 'colour'"),
        ("store = vault\n", "cannot be read"),
        ("store = 1\n", "must be a quoted string"),
    ],
)
def test_a_file_that_cannot_be_used_exits_2_saying_why(cli, config, text, words):
    path = config(text)
    refused = cli("accounts")
    assert refused.code == 2
    assert words in refused.stderr and str(path) in refused.stderr
    assert "hunter2hunter2" not in refused.stderr


def test_no_file_is_no_config(cli):
    assert cli("locate", "--json").json["config_file"].endswith("config.toml (none)")


def test_a_malformed_exchange_url_from_the_environment_or_the_file_is_bad_usage(cli, config):
    from_env = cli("balance", env={"EXCHANGE_TUI_BITGET_URL": "http://127.0.0.1:99999"})
    config('bitget_url = "https://"\n')
    from_file = cli("balance", env={"EXCHANGE_TUI_BITGET_URL": None})

    assert (from_env.code, from_file.code) == (2, 2)
    assert "EXCHANGE_TUI_BITGET_URL: the URL's host or port is not valid" in from_env.stderr
    assert "bitget_url in " in from_file.stderr and "has no host" in from_file.stderr
