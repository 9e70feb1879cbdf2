"""Every failure a box meets ends with the README's exit code and one line: a full or read-only disk, an
index we may not read or cannot parse, broken input, a malformed URL or period, a closed pipe, a broken account among good ones, and a bug (70, never "refused")."""

import dataclasses
import json
import os
import subprocess

import pytest
from cli_support import COMMAND
from disk_support import small_disk
from pydantic import SecretStr

from exchange_tui.store import Locations, open_encrypted_file

WITHOUT_DAC_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
"""Root without the capabilities that ignore file modes: modes apply to it as to any user."""


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def on_disk(cli, tmp_path):
    """The CLI with its folders on a small tmpfs of their own, and that disk."""
    with small_disk(tmp_path / "disk") as disk:
        yield dataclasses.replace(cli, env=cli.env | {"EXCHANGE_TUI_HOME": str(disk.root / "exchange-tui")}), disk


def ours(disk, *parts: str) -> str:
    return str(disk.root.joinpath("exchange-tui", *parts))


# the disk ------------------------------------------------------------------------------


def test_full_disk_while_writing_the_index_exits_4_naming_it_and_loses_nothing(on_disk, key_json):
    cli, disk = on_disk
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    disk.fill()

    checked = cli("check", "main")

    assert checked.code == 4, checked.stderr
    line = one_line(checked)
    assert ours(disk, "data", "index.json") in line and "No space left on device" in line
    disk.free()
    assert [a["label"] for a in cli("accounts", "--json").json["accounts"]] == ["main"]
    assert cli("check", "main").code == 0


def test_full_disk_during_a_rotation_keeps_the_old_key(on_disk, key_json, bitget):
    cli, disk = on_disk
    assert cli("add", "bitget", "main", stdin=key_json("demo")).code == 0
    disk.fill()

    rotated = cli("rotate", "main", stdin=key_json("demo-withdraw"))

    assert rotated.code == 4, rotated.stderr
    line = one_line(rotated)
    assert ours(disk, "data", "index.json") in line and "No space left on device" in line
    disk.free()
    assert cli("check", "main", "--json").json["uid"] == bitget.state.account("demo").uid


def test_full_disk_at_the_first_add_exits_4_naming_the_secrets_file(on_disk, key_json):
    cli, disk = on_disk
    disk.fill()

    added = cli("add", "bitget", "main", stdin=key_json())

    assert added.code == 4, added.stderr
    line = one_line(added)
    assert ours(disk, "data", "secrets.cfg") in line and "No space left on device" in line
    disk.free()
    assert cli("accounts", "--json").json == {"accounts": []}


def test_read_only_file_system_exits_4_and_reading_still_works(on_disk, key_json):
    cli, disk = on_disk
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    disk.read_only()

    checked = cli("check", "main")
    added = cli("add", "bitget", "spare", stdin=key_json("demo-withdraw"))

    for result in (checked, added):
        assert result.code == 4, result.stderr
        line = one_line(result)
        assert ours(disk) in line and "Read-only file system" in line
    assert [a["label"] for a in cli("accounts", "--json").json["accounts"]] == ["main"]
    elsewhere = cli("accounts", env={"EXCHANGE_TUI_HOME": str(disk.root / "elsewhere")})
    assert elsewhere.code == 4 and "Read-only file system" in one_line(elsewhere)


# the index -----------------------------------------------------------------------------


def test_an_index_we_may_not_read_exits_4_and_stays_where_it_is(cli, key_json):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    index = cli.home / "exchange-tui" / "data" / "index.json"
    before = index.read_bytes()
    index.chmod(0o000)

    listed = subprocess.run(
        [*WITHOUT_DAC_OVERRIDE, *COMMAND, "accounts"], capture_output=True, text=True, env=cli.env, timeout=60
    )

    assert listed.returncode == 4, listed.stderr
    line = one_line(listed)
    assert str(index) in line and "Permission denied" in line
    assert sorted(p.name for p in index.parent.iterdir() if p.name.startswith("index")) == ["index.json"]
    index.chmod(0o600)
    assert index.read_bytes() == before


def test_an_index_nested_too_deep_is_moved_aside_as_damage(cli):
    index = cli.home / "exchange-tui" / "data" / "index.json"
    index.parent.mkdir(parents=True)
    deep = "[" * 100_000 + "]" * 100_000
    index.write_text(deep)

    listed = cli("accounts")

    assert listed.code == 4, listed.stderr
    line = one_line(listed)
    assert "damaged" in line and "moved to" in line
    assert not index.exists()
    (aside,) = index.parent.glob("index.json.corrupt-*")
    assert aside.read_text() == deep
    assert cli("accounts", "--json").json == {"accounts": []}


# input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [("add", "bitget", "main"), ("rotate", "main")])
def test_deeply_nested_json_on_stdin_exits_2_in_one_line(cli, key_json, command):
    if command[0] == "rotate":
        assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    nested = '{"api_key": ' + "[" * 100_000 + "]" * 100_000 + "}"
    result = cli(*command, stdin=nested)
    assert result.code == 2, result.stderr
    assert "JSON" in one_line(result)


@pytest.mark.parametrize("command", [("add", "bitget", "main"), ("rotate", "main")])
def test_a_surrogate_in_stdin_json_exits_2_naming_the_field_never_the_value(cli, key_json, command):
    if command[0] == "rotate":
        assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    result = cli(*command, stdin=key_json(passphrase="Surrogate\ud800Pass1"))
    assert result.code == 2, result.stderr
    line = one_line(result)
    assert "passphrase" in line and "Surrogate" not in line and "ud800" not in line


def test_a_passphrase_not_in_utf8_from_the_environment_exits_2_naming_it(cli, bitget):
    account = bitget.state.account("demo")
    env = {
        "BITGET_API_KEY": account.api_key,
        "BITGET_API_SECRET": account.secret_key,
        "BITGET_API_PASSPHRASE": "Latin1\udce9Pass",
    }
    result = cli("add", "bitget", "main", env=env)
    assert result.code == 2, result.stderr
    line = one_line(result)
    assert "passphrase" in line and "Latin1" not in line


@pytest.mark.parametrize(("locale", "named"), [(None, b"passphrase"), ("C.UTF-8", b"UTF-8")])
def test_stdin_not_in_utf8_exits_2(cli, key_json, locale, named):
    """Python reads stdin leniently in the C locale (the bytes become surrogates) and strictly in a UTF-8 one."""
    document = key_json().encode().replace(b'"passphrase": "', b'"passphrase": "Latin1\xe9')
    env = cli.env | ({"LC_ALL": locale} if locale else {})
    done = subprocess.run([*COMMAND, "add", "bitget", "main"], input=document, capture_output=True, env=env, timeout=60)
    assert done.returncode == 2, done.stderr
    assert named in done.stderr and b"Latin1" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("field", ["api_key", "secret_key", "passphrase"])
def test_a_nul_in_a_credential_exits_2_naming_the_field(cli, key_json, field):
    value = json.loads(key_json())[field]
    result = cli("add", "bitget", "main", stdin=key_json(**{field: value[:4] + "\0" + value[4:]}))
    assert result.code == 2, result.stderr
    line = one_line(result)
    assert {"api_key": "API key", "secret_key": "secret key", "passphrase": "passphrase"}[field] in line
    assert value[:4] not in line


@pytest.mark.parametrize(
    "url",
    ["api.bitget.com", "https://", "http://127.0.0.1 :8080", "http://127.0.0.1:99999", "ftp://127.0.0.1", "http://:80"],
)
def test_a_malformed_url_exits_2_naming_it(cli, key_json, url):
    result = cli("add", "bitget", "main", "--url", url, stdin=key_json())
    assert result.code == 2, result.stderr
    assert "--url" in result.stderr.splitlines()[-1]


@pytest.mark.parametrize("command", [("check", "main"), ("balance", "main")])
def test_every_url_option_is_checked(cli, command):
    result = cli(*command, "--url", "http://")
    assert result.code == 2, result.stderr
    assert "--url" in result.stderr.splitlines()[-1]


@pytest.mark.parametrize("option", ["--timeout", "--interval"])
@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "soon"])
def test_watch_periods_must_be_positive_finite_seconds(cli, option, value):
    result = cli("balance", "main", "--watch", option, value)
    assert result.code == 2, result.stderr
    assert option in result.stderr.splitlines()[-1]


# output --------------------------------------------------------------------------------


def closed_pipe_run(cli, *args: str) -> subprocess.CompletedProcess:
    """Run a command whose stdout is a pipe nobody reads any more, as in ``exchange-tui … | head -1``."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run([*COMMAND, *args], stdout=writer, stderr=subprocess.PIPE, text=True, env=cli.env, timeout=60)
    finally:
        os.close(writer)


@pytest.mark.parametrize("args", [("check", "main"), ("accounts", "--json"), ("balance", "main", "--watch")])
def test_a_closed_pipe_is_not_an_error(cli, key_json, args):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    done = closed_pipe_run(cli, *args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_a_closed_pipe_keeps_the_commands_own_exit_code(cli, key_json, bitget):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    bitget.state.delete_key(bitget.state.account("demo").api_key)
    done = closed_pipe_run(cli, "check", "main")
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""


# the exchange --------------------------------------------------------------------------


def test_balance_of_one_account_exits_1_when_refused_and_3_when_unreachable(cli, key_json, bitget, unused_tcp_port):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    down = cli("balance", "main", "--url", f"http://127.0.0.1:{unused_tcp_port}")
    assert down.code == 3 and "Cannot reach Bitget" in one_line(down)
    bitget.state.delete_key(bitget.state.account("demo").api_key)
    refused = cli("balance", "main")
    assert refused.code == 1 and "40037" in one_line(refused)


def test_balance_of_all_accounts_shows_the_healthy_ones_when_one_is_broken(cli, key_json, bitget):
    for label, key in (("main", "demo"), ("revoked", "demo-withdraw"), ("lost", "demo-readonly")):
        assert cli("add", "bitget", label, stdin=key_json(key)).code == 0
    bitget.state.delete_key(bitget.state.account("demo-withdraw").api_key)
    password = SecretStr(cli.env["EXCHANGE_TUI_MASTER_PASSWORD"])
    secrets = open_encrypted_file(Locations.from_env(cli.env), lambda path, new: password, "tests")
    assert secrets.delete("bitget:lost")

    text = cli("balance")
    listed = cli("balance", "--json")

    assert text.code == listed.code == 4, text.stderr
    assert "main:" in text.stdout and "spot" in text.stdout
    problems = text.stderr.strip().splitlines()
    assert len(problems) == 2
    assert problems[0].startswith("exchange-tui: lost: ") and "missing" in problems[0]
    assert problems[1].startswith("exchange-tui: revoked: ") and "40037" in problems[1]
    accounts = {a["label"]: a for a in listed.json["accounts"]}
    assert accounts["main"]["error"] is None and accounts["main"]["balances"]
    assert listed.json["total_usdt"] == accounts["main"]["total_usdt"]
    assert accounts["revoked"]["balances"] is None and accounts["revoked"]["error"]["code"] == "40037"
    assert accounts["lost"]["balances"] is None and "missing" in accounts["lost"]["error"]["message"]

    assert cli("remove", "lost", "--yes").code == 0
    assert cli("balance").code == 1


# bugs ----------------------------------------------------------------------------------


def test_an_unknown_error_is_an_internal_error_with_exit_70_and_no_message(cli):
    """A bug (here: the store's module replaced by one that raises) is named as one, without its text."""
    fake = cli.home / "fake"
    fake.mkdir()
    (fake / "sitecustomize.py").write_text(
        "import exchange_tui.store as store\n"
        "def open_account_store(*args, **kwargs):\n"
        "    raise LookupError('secret-looking text')\n"
        "store.open_account_store = open_account_store\n"
    )
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(fake), os.environ.get("PYTHONPATH")]))}
    result = cli("accounts", env=env)
    assert result.code == 70, result.stderr
    assert one_line(result) == "exchange-tui: internal error (LookupError) — please report it"
