"""The store across processes under faults: kill -9 at the moment a file lands, a Secret Service that
is locked for a while, and ``doctor`` putting right what can be put right without losing a key.

A kill "at the moment a file lands" watches the file's inode: the atomic write renames a new file
into place, so the inode changes exactly when the write has landed, and the process is killed
then, before its next step.
"""

from __future__ import annotations

import json

import pytest
from cli_support import kill_when_it_lands

from exchange_tui.store import Locations, account_id

ATTEMPTS = 5
"""Kills until one lands in the window between the two writes (the first nearly always does);
every attempt, in the window or not, must leave the store consistent."""


def index_of(cli) -> dict:
    return json.loads((cli.home / "exchange-tui" / "data" / "index.json").read_text())


def secrets_file(cli):
    return Locations.from_env(cli.env).secrets_file


def doctor(cli, *args):
    result = cli("doctor", "--json", *args)
    assert result.code in (0, 4), result.stderr
    return result.json


@pytest.mark.slow
def test_add_killed_as_its_secret_lands_leaves_no_secret_behind(cli, key_json):
    assert cli("add", "bitget", "first", stdin=key_json()).code == 0
    hit = 0
    for attempt in range(ATTEMPTS):
        if hit:
            break
        add = cli.start("add", "bitget", "main", stdin=key_json("demo-withdraw"))
        if not kill_when_it_lands(add, secrets_file(cli)):
            continue
        if account_id("bitget", "main") in index_of(cli)["purge"] and not any(
            a["label"] == "main" for a in index_of(cli)["accounts"]
        ):
            hit += 1
        listed = cli("accounts", "--json").json["accounts"]
        assert [a["label"] for a in listed] in (["first"], ["first", "main"])
        assert index_of(cli)["purge"] == []
        assert doctor(cli)["orphan_secrets"] == []
        if len(listed) == 2:
            assert cli("remove", "main", "--yes").code == 0
    assert hit, "no kill landed between the secret and the index entry"


@pytest.mark.slow
def test_rotate_killed_as_the_new_secret_lands_is_finished_at_the_next_open(cli, key_json, bitget):
    old, new = bitget.state.account("demo"), bitget.state.account("demo-withdraw")
    assert cli("add", "bitget", "main", stdin=key_json("demo")).code == 0
    hit = 0
    for attempt in range(ATTEMPTS):
        if hit:
            break
        if attempt:
            assert cli("rotate", "main", stdin=key_json("demo")).code == 0
        rotate = cli.start("rotate", "main", stdin=key_json("demo-withdraw"))
        if not kill_when_it_lands(rotate, secrets_file(cli)):
            continue
        pending = index_of(cli)["rotations"]
        if pending and index_of(cli)["accounts"][0]["key_prefix"] == old.api_key[:7] + "…":
            hit += 1
        checked = cli("check", "main", "--json")
        assert checked.code == 0
        assert checked.json["uid"] == new.uid  # the verified new key, now in the store
        assert cli("accounts", "--json").json["accounts"][0]["key_prefix"] == new.api_key[:7] + "…"
        assert index_of(cli)["rotations"] == []
        assert doctor(cli)["healthy"]
    assert hit, "no kill landed between the new secret and the index"


@pytest.mark.slow
def test_remove_killed_as_the_index_lands_deletes_the_secret_at_the_next_open(cli, key_json):
    index_file = cli.home / "exchange-tui" / "data" / "index.json"
    hit = 0
    for attempt in range(ATTEMPTS):
        if hit:
            break
        assert cli("add", "bitget", "main", stdin=key_json()).code == 0
        remove = cli.start("remove", "main", "--yes")
        if not kill_when_it_lands(remove, index_file):
            continue
        if account_id("bitget", "main") in index_of(cli)["purge"]:
            hit += 1
        assert cli("accounts", "--json").json["accounts"] == []
        found = doctor(cli)
        assert found["orphan_secrets"] == [] and found["healthy"]
    assert hit, "no kill landed between the index and the secret's deletion"


# a Secret Service locked for a while ---------------------------------------------------------------


@pytest.fixture
def keyring_cli(cli, private_bus):
    """The CLI on a box whose Secret Service (a real gnome-keyring) is there, unlocked."""
    service = private_bus()
    service.start_keyring()
    cli.env.pop("PYTHON_KEYRING_BACKEND")
    cli.env.pop("EXCHANGE_TUI_MASTER_PASSWORD")
    cli.env["DBUS_SESSION_BUS_ADDRESS"] = service.address
    return cli, service


def in_keyring(service, user: str) -> bool:
    return bool(service.lookup(user))


@pytest.mark.slow
def test_a_locked_keyring_stops_its_accounts_instead_of_splitting_them(keyring_cli, key_json):
    cli, service = keyring_cli
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    assert index_of(cli)["secret_backend"] == "os-keyring" and in_keyring(service, "bitget:main")
    service.lock_default_collection()
    with_a_password = {"EXCHANGE_TUI_MASTER_PASSWORD": "would-open-a-file"}

    checked = cli("check", "main", env=with_a_password)
    removed = cli("remove", "main", "--yes", env=with_a_password)
    added = cli("add", "bitget", "spare", stdin=key_json("demo-withdraw"), env=with_a_password)

    assert [a["label"] for a in cli("accounts", "--json", env=with_a_password).json["accounts"]] == ["main"]
    for result in (checked, removed, added):
        assert result.code == 4, result.stderr
        assert "kept in the OS keyring, which cannot be used now" in result.stderr and "unlock it" in result.stderr
        assert "Removed" not in result.stdout
    assert not secrets_file(cli).exists()
    assert "unavailable now" in cli("locate", "--json").json["secret_backend_detail"]

    service.daemon.kill()
    service.daemon.wait()
    service.start_keyring()  # unlocked again, as by logging in
    assert in_keyring(service, "bitget:main")
    assert [a["label"] for a in cli("accounts", "--json").json["accounts"]] == ["main"]
    assert cli("remove", "main", "--yes").code == 0
    assert not in_keyring(service, "bitget:main")
    assert index_of(cli)["secret_backend"] is None  # nothing left to pin


@pytest.mark.slow
def test_accounts_in_the_file_stay_there_when_a_keyring_appears(keyring_cli, key_json):
    cli, service = keyring_cli
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "EXCHANGE_TUI_MASTER_PASSWORD": "pw-1"}
    assert cli("add", "bitget", "main", stdin=key_json(), env=no_keyring).code == 0

    listed = cli("accounts", "--json", env={"EXCHANGE_TUI_MASTER_PASSWORD": "pw-1"})
    located = cli("locate", "--json").json

    assert [a["label"] for a in listed.json["accounts"]] == ["main"]
    assert located["secret_backend"] == "encrypted-file" and "accounts are kept there" in located["secret_backend_detail"]
    assert not in_keyring(service, "bitget:main")


# doctor ---------------------------------------------------------------------------------------------


def test_doctor_reports_then_repairs_without_losing_a_key(cli, key_json, bitget):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    assert cli("add", "bitget", "spare", stdin=key_json("demo-withdraw")).code == 0
    index_file = cli.home / "exchange-tui" / "data" / "index.json"
    document = json.loads(index_file.read_text())
    document["accounts"] = [a for a in document["accounts"] if a["label"] != "spare"]  # the index lost one
    index_file.write_text(json.dumps(document))
    index_file.chmod(0o644)
    (cli.home / "exchange-tui" / "state" / "index.lock").chmod(0o640)

    found = cli("doctor")
    assert found.code == 4
    assert "a secret for bitget:spare is not listed" in found.stdout
    assert "index.json has mode 0644" in found.stdout and "index.lock has mode 0640" in found.stdout
    assert "doctor --repair" in found.stdout

    repaired = cli("doctor", "--repair", "--json")
    assert repaired.code == 0, repaired.stdout
    assert repaired.json["adopted"] == ["spare"] and all(problem["fixed"] for problem in repaired.json["modes"])
    assert index_file.stat().st_mode & 0o777 == 0o600
    assert cli("check", "spare", "--json").json["uid"] == bitget.state.account("demo-withdraw").uid
    again = cli("doctor")
    assert again.code == 0 and "All is well." in again.stdout
