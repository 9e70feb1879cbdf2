"""``exchange-tui migrate`` between this box's own stores: the encrypted file and a real Secret Service
(gnome-keyring on the session's private D-Bus), in processes of their own, killed where it hurts."""

from __future__ import annotations

import json
import subprocess
from contextlib import closing

import pytest
from cli_support import MASTER_PASSWORD, wait_for
from migrate_support import (
    LABELS,
    add_all,
    in_file,
    index_of,
    key_of,
    kill_when,
    listed,
    note_switched,
    replaced,
    snapshot,
    statuses,
)

from exchange_tui.models import Credentials
from exchange_tui.store import Locations

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture
def box(cli, secret_service):
    """The CLI on a box with both stores: the session's unlocked gnome-keyring and the encrypted file
    (its master password in the environment). What a test leaves in the keyring is deleted after it."""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    cli.env.pop("PYTHON_KEYRING_BACKEND")
    cli.env["DBUS_SESSION_BUS_ADDRESS"] = secret_service.address
    cli.service = secret_service
    yield cli
    with closing(open_dbus_connection(secret_service.address)) as connection:
        for item in secretstorage.get_default_collection(connection).search_items({"service": "exchange-tui"}):
            item.delete()


def in_keyring(box, account: str) -> Credentials | None:
    found = box.service.lookup(account)
    return Credentials.from_document(json.loads(found)) if found else None


def plant_in_keyring(box, account: str, credentials: Credentials) -> None:
    subprocess.run(
        ["secret-tool", "store", "--label", "planted", "service", "exchange-tui", "username", account],
        input=json.dumps(credentials.document()),
        text=True,
        env=box.service.env,
        check=True,
    )


def secrets_file(box):
    return Locations.from_env(box.env).secrets_file


def readable_somewhere(box, bitget, labels) -> None:
    for label in labels:
        account, key = f"bitget:{label}", key_of(bitget, LABELS[label])
        assert key in (in_file(box.env, MASTER_PASSWORD, account), in_keyring(box, account)), label


@pytest.mark.slow
def test_file_to_keyring_keeps_the_file_then_back_deletes_the_keyring(box, key_json, bitget):
    add_all(box, key_json, ["main", "spare"], env=NO_KEYRING)
    assert index_of(box.env)["secret_backend"] == "encrypted-file"

    moved = box("migrate", "--to", "keyring", "--json")

    assert moved.code == 0, moved.stderr
    assert (moved.json["from"], moved.json["to"], moved.json["source_kept"]) == ("encrypted-file", "os-keyring", True)
    assert statuses(moved) == {"main": "copied", "spare": "copied"}
    assert index_of(box.env)["secret_backend"] == "os-keyring" and index_of(box.env)["migration"] is None
    for label in ("main", "spare"):
        key = key_of(bitget, LABELS[label])
        assert in_keyring(box, f"bitget:{label}") == key == in_file(box.env, MASTER_PASSWORD, f"bitget:{label}")
    checked = box("check", "main", "--json", env={"EXCHANGE_TUI_MASTER_PASSWORD": None})
    assert checked.code == 0 and checked.json["uid"] == bitget.state.account("demo").uid

    back = box("migrate", "--to", "file", "--delete-source", "--json")

    assert back.code == 0, back.stderr
    assert statuses(back) == {"main": "deleted from source", "spare": "deleted from source"}
    assert all(account["already_there"] for account in back.json["accounts"]) and back.json["source_kept"] is False
    assert index_of(box.env)["secret_backend"] == "encrypted-file"
    assert in_keyring(box, "bitget:main") is None and in_keyring(box, "bitget:spare") is None
    assert box("check", "spare", "--json").json["uid"] == bitget.state.account("demo-withdraw").uid
    same = box("migrate", "--to", "file")
    assert same.code == 2 and same.stderr.count("\n") == 1 and "already" in same.stderr


@pytest.mark.slow
def test_keyring_to_a_new_file_with_a_check(box, key_json, bitget):
    add_all(box, key_json, ["main"], env={"EXCHANGE_TUI_MASTER_PASSWORD": None})
    assert not secrets_file(box).exists()

    moved = box("migrate", "--to", "file", "--check", "--json", env={"EXCHANGE_TUI_MASTER_PASSWORD": "a-new-one"})

    assert moved.code == 0, moved.stderr
    assert statuses(moved) == {"main": "checked"}
    assert in_file(box.env, "a-new-one", "bitget:main") == key_of(bitget, "demo") == in_keyring(box, "bitget:main")
    assert index_of(box.env)["secret_backend"] == "encrypted-file"
    assert index_of(box.env)["accounts"][0]["last_check"]["status"] == "connected"
    wrong = box("doctor", env={"EXCHANGE_TUI_MASTER_PASSWORD": MASTER_PASSWORD})
    assert wrong.code == 4  # the box uses the new file now, with its own password


@pytest.mark.slow
def test_a_dry_run_changes_nothing(box, key_json):
    add_all(box, key_json, ["main", "spare"], env=NO_KEYRING)
    files = [Locations.from_env(box.env).index_file, secrets_file(box)]
    before = snapshot(*files)

    dry = box("migrate", "--to", "keyring", "--dry-run", "--delete-source", "--json")
    text = box("migrate", "--to", "keyring", "--dry-run")

    assert dry.code == 0 and text.code == 0, dry.stderr + text.stderr
    assert statuses(dry) == {"main": "to copy", "spare": "to copy"} and dry.json["dry_run"] is True
    assert "Dry run: nothing was changed." in text.stdout and "main" in text.stdout and "Secret Service" in text.stdout
    assert snapshot(*files) == before
    assert in_keyring(box, "bitget:main") is None and in_keyring(box, "bitget:spare") is None


@pytest.mark.slow
def test_a_conflict_in_the_destination_is_not_overwritten_and_nothing_is_deleted(box, key_json, bitget):
    add_all(box, key_json, ["main", "spare"], env=NO_KEYRING)
    other = key_of(bitget, "demo-readonly")
    plant_in_keyring(box, "bitget:main", other)

    dry = box("migrate", "--to", "keyring", "--dry-run", "--json")
    moved = box("migrate", "--to", "keyring", "--delete-source")

    assert statuses(dry) == {"main": "conflict", "spare": "to copy"}
    assert moved.code == 1, moved.stderr
    assert [line for line in moved.stdout.splitlines() if "conflict" in line] == [
        "  main            bitget   conflict: the Secret Service (gnome-keyring) via D-Bus holds another key for it: not overwritten"
    ]
    assert "Nothing was switched" in moved.stdout
    assert in_keyring(box, "bitget:main") == other
    assert in_keyring(box, "bitget:spare") is None  # its copy was taken out again
    assert in_file(box.env, MASTER_PASSWORD, "bitget:main") == key_of(bitget, "demo")
    assert in_file(box.env, MASTER_PASSWORD, "bitget:spare") == key_of(bitget, "demo-withdraw")
    assert index_of(box.env)["secret_backend"] == "encrypted-file" and index_of(box.env)["migration"] is None
    assert box("rotate", "spare", stdin=key_json("demo-withdraw")).code == 0  # the box is not held up


@pytest.mark.slow
def test_killed_as_the_destination_write_lands_a_second_run_finishes(box, key_json, bitget):
    labels = ["main", "spare", "third"]
    add_all(box, key_json, labels, env={"EXCHANGE_TUI_MASTER_PASSWORD": None})
    first = box.start("migrate", "--to", "file", "--delete-source")
    assert wait_for(first, secrets_file(box).exists, "the encrypted file never created"), "the first run ended first"  # as the destination is opened
    kill_when(first, replaced(secrets_file(box)), "the first copy landing")

    readable_somewhere(box, bitget, labels)
    assert index_of(box.env)["secret_backend"] == "os-keyring" and index_of(box.env)["migration"]["switched"] is False
    assert box("add", "bitget", "later", stdin=key_json("demo-spot-only")).code == 4  # held until the move is done
    found = box("doctor")
    assert found.code == 4 and "cut short while copying" in found.stdout

    again = box("migrate", "--to", "file", "--json")

    assert again.code == 0, again.stderr
    assert again.json["resumed"] is True and set(statuses(again).values()) == {"deleted from source"}
    assert any(account["already_there"] for account in again.json["accounts"])
    for label in labels:
        assert in_file(box.env, MASTER_PASSWORD, f"bitget:{label}") == key_of(bitget, LABELS[label])
        assert in_keyring(box, f"bitget:{label}") is None
    assert index_of(box.env)["secret_backend"] == "encrypted-file" and index_of(box.env)["migration"] is None
    assert box("doctor").code == 0


@pytest.mark.slow
def test_killed_as_the_index_switches_doctor_repair_finishes(box, key_json, bitget):
    labels = ["main", "spare", "third"]
    add_all(box, key_json, labels, env=NO_KEYRING)
    first = box.start("migrate", "--to", "keyring", "--delete-source")
    kill_when(first, note_switched(box.env), "the switch in the index")

    readable_somewhere(box, bitget, labels)
    assert index_of(box.env)["secret_backend"] == "os-keyring" and index_of(box.env)["migration"]["switched"] is True
    found = box("doctor", "--json")
    assert found.code == 4 and not found.json["healthy"]
    assert "after the switch" in " ".join(found.json["problems"])

    repaired = box("doctor", "--repair", "--json")

    assert repaired.code == 0, repaired.stdout + repaired.stderr
    assert index_of(box.env)["migration"] is None
    for label in labels:
        assert in_keyring(box, f"bitget:{label}") == key_of(bitget, LABELS[label])
        assert in_file(box.env, MASTER_PASSWORD, f"bitget:{label}") is None
    assert listed(box.env) == sorted(labels)


@pytest.mark.slow
def test_killed_during_delete_source_a_second_run_deletes_the_rest(box, key_json, bitget):
    labels = ["main", "spare", "third"]
    add_all(box, key_json, labels, env=NO_KEYRING)
    first = box.start("migrate", "--to", "keyring", "--delete-source")
    kill_when(first, replaced(secrets_file(box)), "the first delete from the file")

    readable_somewhere(box, bitget, labels)
    in_the_file = [label for label in labels if in_file(box.env, MASTER_PASSWORD, f"bitget:{label}")]
    assert len(in_the_file) < len(labels) and index_of(box.env)["migration"]["switched"] is True

    again = box("migrate", "--to", "keyring", "--json")

    assert again.code == 0, again.stderr
    assert statuses(again) == dict.fromkeys(labels, "deleted from source") and again.json["source_kept"] is False
    assert [label for label in labels if in_file(box.env, MASTER_PASSWORD, f"bitget:{label}")] == []
    assert index_of(box.env)["migration"] is None
    assert box("check", "third", "--json").json["uid"] == bitget.state.account("demo-readonly").uid


@pytest.mark.slow
def test_a_key_the_exchange_refuses_under_check_switches_nothing(box, key_json, bitget):
    add_all(box, key_json, ["main", "spare"], env=NO_KEYRING)
    keys = {label: key_of(bitget, LABELS[label]) for label in ("main", "spare")}
    bitget.state.delete_key(keys["spare"].api_key.get_secret_value())

    moved = box("migrate", "--to", "keyring", "--check", "--delete-source", "--json")

    assert moved.code == 1, moved.stderr
    assert statuses(moved) == {"main": "not moved", "spare": "check failed"} and moved.json["switched"] is False
    assert moved.json["source_kept"] is True
    assert index_of(box.env)["secret_backend"] == "encrypted-file" and index_of(box.env)["migration"] is None
    for label, key in keys.items():
        assert in_file(box.env, MASTER_PASSWORD, f"bitget:{label}") == key
        assert in_keyring(box, f"bitget:{label}") is None  # the keyring is as it was
    assert box("rotate", "spare", stdin=key_json("demo-readonly")).code == 0
    assert box("migrate", "--to", "keyring", "--check").code == 0  # the replaced key is no conflict


def test_migrate_offers_every_destination_the_move_knows():
    from exchange_tui.cli import MIGRATE_TO
    from exchange_tui.store.migrate import DESTINATIONS

    assert set(MIGRATE_TO) == set(DESTINATIONS)
