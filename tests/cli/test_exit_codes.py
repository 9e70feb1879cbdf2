"""Every failure a box meets ends with the README's exit code and one line: a full or read-only disk, an
index we may not read or cannot parse."""

import dataclasses
import os
import subprocess

import pytest
from cli_support import COMMAND
from disk_support import small_disk

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
