"""An add killed between its two Vault writes (the key, then the account's details) leaves a half-written
secret: never an account, and never a label locked for good. Adding it again finishes it, removing it
deletes it, reconcile reports it. Each box is a process of its own on a real OpenBao, as in production.
"""

import signal
import subprocess
import sys
from pathlib import Path

import hvac.exceptions
import pytest

from exchange_tui.store.vault import VaultAccountStore, VaultSettings

HOOK = Path(__file__).parent


def killed_add(box, label, key):
    """``exchange-tui add bitget LABEL``, killed with SIGKILL right after the key lands in Vault (cut_short.py)."""
    env = box.env | {"PYTHONPATH": str(HOOK)}
    cmd = [sys.executable, "-m", "cut_short", "add", "bitget", label]
    done = subprocess.run(cmd, input=key, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stderr)
    assert done.stdout == done.stderr == ""


def metadata(root, path):
    return root.secrets.kv.v2.read_secret_metadata(path)["data"]


def test_adding_again_finishes_a_half_written_account(boxes, key_json, bitget, root, prefix):
    box = boxes("box-one")
    killed_add(box, "Main", key_json("demo"))
    left = metadata(root, f"{prefix}bitget/main")
    assert (left["current_version"], left["custom_metadata"]) == (1, None), "the key landed, its details did not"

    assert box("accounts", "--json").json == {"accounts": []}
    check = box("check", "main")
    assert check.code == 2 and "cut short while being added" in check.stderr and "add it again" in check.stderr

    new = bitget.state.account("demo-withdraw")
    added = box("add", "bitget", "Main", "--json", stdin=key_json("demo-withdraw"))
    assert added.code == 0, added.stderr
    assert [(a["label"], a["key_prefix"]) for a in box("accounts", "--json").json["accounts"]] == [("Main", new.api_key[:7] + "…")]
    finished = metadata(root, f"{prefix}bitget/main")
    assert finished["current_version"] == 2 and finished["custom_metadata"]["label"] == "Main"
    stored = root.secrets.kv.v2.read_secret_version(f"{prefix}bitget/main", raise_on_deleted_version=True)["data"]["data"]
    assert stored["api_key"] == new.api_key
    assert box("check", "main", "--json").json["uid"] == new.uid
    old = bitget.state.account("demo")
    assert not [s for s in (old.secret_key, old.passphrase, new.secret_key, new.passphrase) if s in check.stderr + added.stdout]


def test_removing_deletes_a_half_written_account(boxes, key_json, bitget, root, prefix):
    box = boxes("box-one")
    killed_add(box, "main", key_json("demo"))
    removed = box("remove", "main", "--yes", "--json")
    assert removed.code == 0, removed.stderr
    gone = removed.json["removed"]
    assert (gone["label"], gone["exchange"], gone["key_prefix"]) == ("main", "bitget", bitget.state.account("demo").api_key[:7] + "…")
    with pytest.raises(hvac.exceptions.InvalidPath):
        metadata(root, f"{prefix}bitget/main")
    assert box("remove", "main", "--yes").code == 2
    assert box("add", "bitget", "main", stdin=key_json("demo")).code == 0


def test_reconcile_reports_a_half_written_secret_and_repair_deletes_it(boxes, key_json, root, prefix):
    box = boxes("box-one")
    assert box("add", "bitget", "kept", stdin=key_json("demo-withdraw")).code == 0
    killed_add(box, "main", key_json("demo"))
    store = VaultAccountStore.open(VaultSettings.from_env(box.env))
    found = store.reconcile()
    assert (found.orphan_secrets, found.consistent) == (["bitget:main"], False)
    assert metadata(root, f"{prefix}bitget/main")["current_version"] == 1, "reported, not deleted"

    repaired = store.reconcile(repair=True)
    assert repaired.orphan_secrets == ["bitget:main"] and repaired.messages() == []
    assert repaired.recovered() == ["an interrupted add or remove of bitget:main was finished"] and repaired.settled
    with pytest.raises(hvac.exceptions.InvalidPath):
        metadata(root, f"{prefix}bitget/main")
    assert store.reconcile().consistent
    assert [record.label for record in store.accounts()] == ["kept"]
