"""``exchange-tui migrate`` into and out of a real OpenBao: the README's case (a box's encrypted file into
the fleet's Vault), the way back, and a kill -9 the moment the first copy appears in the Vault."""

from __future__ import annotations

from datetime import datetime

import hvac.exceptions
import pytest
from migrate_support import LABELS, add_all, in_file, index_of, key_of, kill_when, snapshot, statuses

from exchange_tui.models import Credentials
from exchange_tui.store import Locations

MASTER_PASSWORD = "vault-migrate-master-password"


@pytest.fixture
def laptop(boxes):
    """A box that keeps its accounts in its own encrypted file, and knows the fleet's Vault."""
    box = boxes("laptop")
    box.env.pop("EXCHANGE_TUI_STORE")
    box.env["EXCHANGE_TUI_MASTER_PASSWORD"] = MASTER_PASSWORD
    return box


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def in_vault(root, prefix: str, label: str) -> tuple[Credentials, dict] | None:
    """The account's key and facts as the Vault holds them (``None`` if it holds no finished copy)."""
    try:
        data = root.secrets.kv.v2.read_secret_version(f"{prefix}bitget/{label}", raise_on_deleted_version=True)["data"]["data"]
        facts = root.secrets.kv.v2.read_secret_metadata(f"{prefix}bitget/{label}")["data"]["custom_metadata"] or {}
    except hvac.exceptions.InvalidPath:
        return None
    return Credentials.from_document(data), facts


def vault_names(root, prefix: str) -> list[str]:
    try:
        return root.secrets.kv.v2.list_secrets(f"{prefix}bitget")["data"]["keys"]
    except hvac.exceptions.InvalidPath:
        return []


@pytest.mark.slow
def test_a_box_file_into_the_fleet_vault_as_the_readme_says(laptop, key_json, bitget, bao, root, prefix):
    add_all(laptop, key_json, ["main", "spare"])
    created = {account["label"]: when(account["created"]) for account in index_of(laptop.env)["accounts"]}
    locations = Locations.from_env(laptop.env)
    files = [locations.index_file, locations.secrets_file]
    before = snapshot(*files)

    dry = laptop("migrate", "--to", "vault", "--dry-run", "--json")

    assert dry.code == 0, dry.stderr
    assert statuses(dry) == {"main": "to copy", "spare": "to copy"} and (dry.json["from"], dry.json["to"]) == ("encrypted-file", "vault")
    assert snapshot(*files) == before and vault_names(root, prefix) == []

    checked = laptop("migrate", "--to", "vault", "--check", "--json")

    assert checked.code == 0, checked.stderr
    assert statuses(checked) == {"main": "checked", "spare": "checked"} and checked.json["source_kept"] is True
    assert 'store = "vault"' in checked.json["next"] and "EXCHANGE_TUI_STORE=vault" in " ".join(checked.json["next"])
    for label in ("main", "spare"):
        key, facts = in_vault(root, prefix, label)
        assert key == key_of(bitget, LABELS[label]) == in_file(laptop.env, MASTER_PASSWORD, f"bitget:{label}")
        assert when(facts["created"]) == created[label] and facts["label"] == label and '"connected"' in facts["last_check"]

    deleted = laptop("migrate", "--to", "vault", "--delete-source", "--json")

    assert deleted.code == 0, deleted.stderr
    assert statuses(deleted) == {"main": "deleted from source", "spare": "deleted from source"}
    assert all(account["already_there"] for account in deleted.json["accounts"]) and deleted.json["source_kept"] is False
    assert index_of(laptop.env)["accounts"] == [] and index_of(laptop.env)["migration"] is None
    assert in_file(laptop.env, MASTER_PASSWORD, "bitget:main") is None
    on_vault = {"EXCHANGE_TUI_STORE": "vault", "EXCHANGE_TUI_MASTER_PASSWORD": None}
    assert [a["label"] for a in laptop("accounts", "--json", env=on_vault).json["accounts"]] == ["main", "spare"]
    assert laptop("check", "spare", "--json", env=on_vault).json["uid"] == bitget.state.account("demo-withdraw").uid

    secrets = {
        f"{label}'s {part}": getattr(bitget.state.account(label), part) for label in LABELS.values() for part in ("secret_key", "passphrase")
    }  # a failure names what leaked, never the value
    outputs = "".join(r.stdout + r.stderr for r in (dry, checked, deleted)) + bao.logs()
    assert [name for name, secret in secrets.items() if secret in outputs] == []
    assert [path for path in laptop.files() if any(secret.encode() in path.read_bytes() for secret in secrets.values())] == []


@pytest.mark.slow
def test_from_the_vault_to_this_box_file(boxes, key_json, bitget, root, prefix):
    server = boxes("server")
    add_all(server, key_json, ["main", "spare"])
    facts = {label: in_vault(root, prefix, label)[1] for label in ("main", "spare")}

    moved = server("migrate", "--to", "file", "--delete-source", "--json", env={"EXCHANGE_TUI_MASTER_PASSWORD": MASTER_PASSWORD})

    assert moved.code == 0, moved.stderr
    assert (moved.json["from"], moved.json["to"]) == ("vault", "encrypted-file")
    assert statuses(moved) == {"main": "deleted from source", "spare": "deleted from source"}
    assert vault_names(root, prefix) == []
    assert any("EXCHANGE_TUI_STORE out of" in line for line in moved.json["next"])
    index = index_of(server.env)
    assert index["secret_backend"] == "encrypted-file" and index["migration"] is None
    assert {a["label"]: when(a["created"]) for a in index["accounts"]} == {label: when(facts[label]["created"]) for label in facts}
    local = {"EXCHANGE_TUI_STORE": None, "EXCHANGE_TUI_MASTER_PASSWORD": MASTER_PASSWORD}
    assert server("check", "main", "--json", env=local).json["uid"] == bitget.state.account("demo").uid
    assert server("migrate", "--to", "vault", "--dry-run", "--json").code == 2  # Vault is the store it uses still


@pytest.mark.slow
def test_killed_as_the_first_copy_lands_in_the_vault_a_second_run_finishes(laptop, key_json, bitget, root, prefix):
    labels = ["main", "spare", "third"]
    add_all(laptop, key_json, labels)
    first = laptop.start("migrate", "--to", "vault", "--delete-source")
    kill_when(first, lambda: vault_names(root, prefix) != [], "a secret in the Vault")

    for label in labels:
        copy = in_vault(root, prefix, label)
        assert key_of(bitget, LABELS[label]) in (in_file(laptop.env, MASTER_PASSWORD, f"bitget:{label}"), copy and copy[0])
    assert index_of(laptop.env)["migration"]["switched"] is False
    found = laptop("doctor")
    assert found.code == 4 and "cut short while copying" in found.stdout

    again = laptop("migrate", "--to", "vault", "--json")

    assert again.code == 0, again.stderr
    assert statuses(again) == dict.fromkeys(labels, "deleted from source")
    for label in labels:
        key, facts = in_vault(root, prefix, label)
        assert key == key_of(bitget, LABELS[label]) and facts["label"] == label
        assert in_file(laptop.env, MASTER_PASSWORD, f"bitget:{label}") is None
    assert index_of(laptop.env)["accounts"] == [] and index_of(laptop.env)["migration"] is None
    assert laptop("doctor", env={"EXCHANGE_TUI_STORE": "vault"}).code == 0


@pytest.mark.slow
def test_killed_while_deleting_from_the_vault_doctor_repair_finishes(boxes, key_json, bitget, root, prefix):
    labels = ["main", "spare", "third"]
    server = boxes("server", EXCHANGE_TUI_MASTER_PASSWORD=MASTER_PASSWORD)
    add_all(server, key_json, labels)
    first = server.start("migrate", "--to", "file", "--delete-source")
    kill_when(first, lambda: len(vault_names(root, prefix)) < len(labels), "the first delete from the Vault")

    for label in labels:
        copy = in_vault(root, prefix, label)
        assert key_of(bitget, LABELS[label]) in (in_file(server.env, MASTER_PASSWORD, f"bitget:{label}"), copy and copy[0])
    index = index_of(server.env)
    assert index["migration"]["switched"] is True and index["secret_backend"] == "encrypted-file"
    found = server("doctor", "--json")
    assert found.code == 4 and any("after the switch" in problem for problem in found.json["problems"])

    repaired = server("doctor", "--repair")

    assert repaired.code == 0, repaired.stdout + repaired.stderr
    assert "the interrupted move of the accounts to the encrypted-file store was finished" in repaired.stdout
    assert vault_names(root, prefix) == [] and index_of(server.env)["migration"] is None
    for label in labels:
        assert in_file(server.env, MASTER_PASSWORD, f"bitget:{label}") == key_of(bitget, LABELS[label])
    assert sorted(a["label"] for a in index_of(server.env)["accounts"]) == sorted(labels)
