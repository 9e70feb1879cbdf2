"""Unattended starts: with no terminal and no master password source, every command that needs the
encrypted file ends at once with exit 4, naming the variable to set; a service manager never waits
on a prompt nobody can answer."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from cli_support import COMMAND, this_checkout

NEEDS_THE_FILE = [
    ("add", "bitget", "spare"),
    ("check", "main"),
    ("rotate", "main"),
    ("remove", "main", "--yes"),
    ("balance", "main"),
    ("balance",),
    ("balance", "main", "--watch"),
    ("doctor",),
    ("doctor", "--repair"),
    ("passwd",),
]
TIMEOUT = 30


def close_stdin() -> None:
    os.close(0)


STDIN = {"devnull": {"stdin": subprocess.DEVNULL}, "closed": {"preexec_fn": close_stdin}}


def run_unattended(args, env, stdin: str) -> subprocess.CompletedProcess:
    """``args`` as a service manager starts them: a session of its own (no controlling terminal) and
    stdin ``/dev/null`` or closed; killed, and the test failed, if it waits."""
    return subprocess.run(
        [*COMMAND, *args],
        env=this_checkout(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        timeout=TIMEOUT,
        **STDIN[stdin],
    )


@pytest.fixture
def unattended(cli, key_json, bitget):
    """A box with one account in the encrypted file, then started with no password source but the
    key's variables (so ``add`` and ``rotate`` have a key without reading stdin)."""
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    account = bitget.state.account("demo-withdraw")
    env = {name: value for name, value in cli.env.items() if name != "EXCHANGE_TUI_MASTER_PASSWORD"}
    return env | {
        "BITGET_API_KEY": account.api_key,
        "BITGET_API_SECRET": account.secret_key,
        "BITGET_API_PASSPHRASE": account.passphrase,
    }


@pytest.mark.slow
@pytest.mark.parametrize("stdin", STDIN)
def test_every_command_that_needs_the_file_ends_at_once_naming_the_variable(unattended, cli, stdin):
    before = cli.home.joinpath("exchange-tui", "data", "secrets.cfg").read_bytes()
    for args in NEEDS_THE_FILE:
        done = run_unattended(args, unattended, stdin)
        assert done.returncode == 4, (args, done.stderr)
        assert "EXCHANGE_TUI_MASTER_PASSWORD_FILE" in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert cli.home.joinpath("exchange-tui", "data", "secrets.cfg").read_bytes() == before
    assert [a["label"] for a in cli("accounts", "--json").json["accounts"]] == ["main"]


@pytest.mark.parametrize("stdin", STDIN)
def test_listing_the_accounts_unattended_needs_no_password(unattended, stdin):
    """``accounts`` needs no secret: it lists from the index, and opens no store."""
    done = run_unattended(("accounts", "--json"), unattended, stdin)
    assert done.returncode == 0, done.stderr
    assert [a["label"] for a in json.loads(done.stdout)["accounts"]] == ["main"]