"""AccountStore: index and secrets stay consistent through failures, crashes and rival processes."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import exchange_tui.store.index as index_module
from exchange_tui.models import ErrorInfo, KeyReport
from exchange_tui.store import (
    AccountBusy,
    AccountExists,
    AccountNotFound,
    AccountStore,
    CheckStatus,
    CheckSummary,
    InvalidAccountName,
    Locations,
    SecretMissing,
    SecretStoreError,
    SecretStoreUnavailable,
)
from exchange_tui.store.index import PendingRotation, key_fingerprint

from .support import MASTER_PASSWORD, credentials, master_password

OLD, NEW = credentials("old"), credentials("new")

ROTATE_WHEN_TOLD = """
import sys
from exchange_tui.store import AccountStore
from tests.store.support import credentials
store = AccountStore.open()
with store.lock("main"):
    print("locked", flush=True)
    sys.stdin.readline()
    store.replace_credentials("main", credentials("new"))
"""


class FailingSecrets:
    """A real secret store whose named operations fail, as a locked or broken keyring would."""

    def __init__(self, inner, *failing: str) -> None:
        self.inner = inner
        self.failing = set(failing)
        self.kind = inner.kind
        self.description = inner.description

    def _maybe_fail(self, operation: str) -> None:
        if operation in self.failing:
            raise SecretStoreError(f"injected failure: {operation}")

    def read(self, account_id):
        self._maybe_fail("read")
        return self.inner.read(account_id)

    def write(self, account_id, credentials):
        self._maybe_fail("write")
        self.inner.write(account_id, credentials)

    def delete(self, account_id):
        self._maybe_fail("delete")
        return self.inner.delete(account_id)

    def account_ids(self):
        return self.inner.account_ids()


@pytest.fixture
def store(secrets, isolated) -> AccountStore:
    return AccountStore(secrets, Locations.from_env(), lock_timeout=0.2)


def failing(store: AccountStore, *operations: str) -> AccountStore:
    return AccountStore(FailingSecrets(store.secrets, *operations), store.locations, lock_timeout=0.2)


def fail_index_write(monkeypatch, call: int) -> None:
    """The ``call``-th write of the index from now on fails (a full disk, say)."""
    real = index_module.atomic_write
    calls = []

    def write(path, data):
        calls.append(path)
        if len(calls) == call:
            raise OSError("injected: disk full")
        real(path, data)

    monkeypatch.setattr(index_module, "atomic_write", write)


def test_add_then_read(store):
    record = store.add("bitget", "Main", OLD, demo_trading=True)

    assert (record.label, record.exchange, record.account_id) == ("Main", "bitget", "bitget:main")
    assert record.key_prefix == OLD.key_prefix and record.demo_trading and record.rotated is None
    assert store.accounts() == [record]
    assert store.get("main") == record
    assert store.credentials("MAIN") == OLD
    assert store.index.load().purge == []


def test_labels_are_unique_regardless_of_case(store):
    store.add("bitget", "main", OLD)

    with pytest.raises(AccountExists, match="'main' already exists"):
        store.add("bitget", "MAIN", NEW)
    assert store.credentials("main") == OLD


@pytest.mark.parametrize(("exchange", "label"), [("bitget", "a b"), ("bitget", "x:y"), ("bitget", ""), ("Bit get", "ok")])
def test_names_the_store_cannot_hold_are_refused(store, exchange, label):
    with pytest.raises(InvalidAccountName):
        store.add(exchange, label, OLD)


def test_add_whose_secret_write_fails_leaves_nothing(store):
    with pytest.raises(SecretStoreError, match="injected"):
        failing(store, "write").add("bitget", "main", OLD)

    assert store.accounts() == []
    assert store.secrets.read("bitget:main") is None
    assert store.index.load().purge == []


def test_add_whose_index_write_fails_rolls_back_the_secret(store, monkeypatch):
    fail_index_write(monkeypatch, call=2)

    with pytest.raises(OSError, match="disk full"):
        store.add("bitget", "main", OLD)

    assert store.accounts() == []
    assert store.secrets.read("bitget:main") is None
    assert store.index.load().purge == []


def test_replace_swaps_the_secret_and_notes_when(store):
    store.add("bitget", "main", OLD)

    record = store.replace_credentials("main", NEW)

    assert store.credentials("main") == NEW
    assert record.key_prefix == NEW.key_prefix and record.rotated is not None
    assert store.get("main") == record


def test_replace_whose_secret_write_fails_keeps_the_old_key(store):
    store.add("bitget", "main", OLD)

    with pytest.raises(SecretStoreError):
        failing(store, "write").replace_credentials("main", NEW)

    assert store.credentials("main") == OLD
    assert store.get("main").rotated is None
    # Every write fails, the old key's too, so whether the new one landed is not known here: the
    # noted swap stays for the next open, which finds the old key and drops it.
    assert store.recover().dropped_rotations == ["main"] and store.index.load().rotations == []


def test_replace_whose_index_write_fails_puts_the_old_key_back(store, monkeypatch):
    """The index write after the new secret landed (the first notes the swap) fails."""
    store.add("bitget", "main", OLD)
    fail_index_write(monkeypatch, call=2)

    with pytest.raises(OSError, match="disk full"):
        store.replace_credentials("main", NEW)

    assert store.credentials("main") == OLD
    assert store.get("main").key_prefix == OLD.key_prefix
    assert store.index.load().rotations == []


def test_a_swap_whose_old_key_cannot_be_put_back_is_finished_by_the_next_open(store, monkeypatch):
    store.add("bitget", "main", OLD)
    fail_index_write(monkeypatch, call=2)
    writes = []
    real_write = store.secrets.write

    def write_once(account_id, credentials):
        writes.append(account_id)
        if len(writes) > 1:
            raise SecretStoreError("injected: the keyring went away")
        real_write(account_id, credentials)

    monkeypatch.setattr(store.secrets, "write", write_once)

    with pytest.raises(OSError, match="disk full") as caught:
        store.replace_credentials("main", NEW)

    assert "the next open of the store finishes or drops it" in " ".join(caught.value.__notes__)
    assert store.recover().finished_rotations == ["main"]
    assert store.get("main").key_prefix == NEW.key_prefix and store.credentials("main") == NEW


def test_remove_deletes_entry_and_secret(store):
    store.add("bitget", "main", OLD)

    store.remove("MAIN")

    assert store.accounts() == []
    assert store.secrets.read("bitget:main") is None
    with pytest.raises(AccountNotFound, match="no account labelled 'main'"):
        store.remove("main")


def test_remove_whose_secret_delete_fails_changes_nothing(store):
    store.add("bitget", "main", OLD)

    with pytest.raises(SecretStoreError):
        failing(store, "delete").remove("main")

    assert store.credentials("main") == OLD
    assert store.index.load().purge == []


def test_record_check(store):
    store.add("bitget", "main", OLD)
    report = KeyReport(
        exchange="bitget",
        connected=False,
        checked_at=datetime(2025, 5, 6, tzinfo=UTC),
        total_usdt=Decimal("12.50"),
        error=ErrorInfo(kind="authentication", code="40012", message="passphrase error", hint="re-enter it"),
    )

    store.record_check("main", CheckSummary.from_report(report))

    check = store.get("main").last_check
    assert (check.status, check.error_code, check.total_usdt) == (CheckStatus.FAILED, "40012", Decimal("12.50"))
    with pytest.raises(AccountNotFound):
        store.record_check("ghost", check)


def test_crash_during_add_is_finished_by_reconcile(store):
    """Killed after writing the secret of a new account, before listing it."""
    with store.index.edit() as document:
        document.mark_for_purge("bitget:main")
    store.secrets.write("bitget:main", OLD)

    report = store.reconcile()

    assert report.purged == ["bitget:main"]
    assert store.secrets.read("bitget:main") is None
    assert store.index.load().purge == [] and report.consistent


def test_crash_during_remove_is_finished_by_reconcile(store):
    """Killed after taking the account out of the index, before deleting its secret."""
    store.add("bitget", "main", OLD)
    with store.index.edit() as document:
        document.drop("main")
        document.mark_for_purge("bitget:main")

    assert store.accounts() == []
    assert store.reconcile().purged == ["bitget:main"]
    assert store.secrets.read("bitget:main") is None


def test_reconcile_reports_a_missing_secret_and_never_hides_the_account(store):
    store.add("bitget", "main", OLD)
    store.secrets.delete("bitget:main")

    with pytest.raises(SecretMissing, match="add the key again with exchange-tui rotate main"):
        store.credentials("main")
    report = store.reconcile(repair=True)

    assert report.missing_secrets == ["main"] and not report.consistent
    assert report.messages() == ["account 'main': secret missing: add the key again with exchange-tui rotate main"]
    assert [record.label for record in store.accounts()] == ["main"]


def test_reconcile_finds_orphans_and_stale_prefixes_and_repairs_them_without_losing_a_key(store):
    store.add("bitget", "main", OLD)
    store.secrets.write("bitget:main", NEW)  # a rotate killed before it updated the index
    store.secrets.write("bitget:ghost", OLD)  # a secret nobody lists

    found = store.reconcile()
    assert (found.stale_key_prefixes, found.orphan_secrets, found.can_list_secrets) == (["main"], ["bitget:ghost"], True)

    repaired = store.reconcile(repair=True)
    assert store.get("main").key_prefix == NEW.key_prefix
    assert repaired.adopted == ["ghost"] and store.credentials("ghost") == OLD  # listed again, never deleted
    assert store.reconcile().consistent


def test_lock_is_reentrant_and_excludes_other_threads(store):
    store.add("bitget", "main", OLD)
    holding, release = threading.Event(), threading.Event()
    outcome = []

    def rotate():
        with store.lock("main"):
            holding.set()
            release.wait()
            outcome.append(store.replace_credentials("main", NEW))

    rival = threading.Thread(target=rotate)
    rival.start()
    holding.wait()
    with pytest.raises(AccountBusy, match="account 'main' is busy"):
        store.remove("main")
    release.set()
    rival.join()

    assert outcome and store.credentials("main") == NEW


@pytest.mark.slow
def test_another_process_rotating_blocks_remove(isolated, monkeypatch):
    """Two processes, one encrypted file: the rotating one holds the account; remove waits, then fails."""
    monkeypatch.setenv("EXCHANGE_TUI_MASTER_PASSWORD", MASTER_PASSWORD)
    store = AccountStore.open(password_source=master_password, lock_timeout=0.2)
    store.add("bitget", "main", OLD)
    rotator = subprocess.Popen(
        [sys.executable, "-c", ROTATE_WHEN_TOLD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        assert rotator.stdout.readline() == "locked\n"
        with pytest.raises(AccountBusy) as caught:
            store.remove("main")
        assert "account 'main' is busy" in str(caught.value)
        assert store.credentials("main") == OLD

        rotator.stdin.write("go\n")
        rotator.stdin.flush()
        assert rotator.wait(timeout=30) == 0
    finally:
        rotator.kill()
        rotator.wait()
    assert store.credentials("main") == NEW
    store.remove("main")
    assert store.accounts() == [] and store.secrets.account_ids() == frozenset()


@pytest.mark.parametrize("landed", [True, False], ids=["new key landed", "old key still there"])
def test_a_swap_cut_short_is_finished_or_dropped_by_the_next_open(store, landed):
    """Killed between noting the swap and showing it: the store says which key the account has."""
    store.add("bitget", "main", OLD)
    with store.index.edit() as document:
        document.start_rotation(
            PendingRotation(
                account_id="bitget:main",
                key_prefix=NEW.key_prefix,
                key_fingerprint=key_fingerprint(NEW),
                started=datetime.now(UTC),
            )
        )
    if landed:
        store.secrets.write("bitget:main", NEW)

    report = store.recover()

    expected = NEW if landed else OLD
    assert store.get("main").key_prefix == expected.key_prefix and store.credentials("main") == expected
    assert (report.finished_rotations, report.dropped_rotations) == ((["main"], []) if landed else ([], ["main"]))
    assert store.index.load().rotations == [] and store.reconcile().consistent
    assert (store.get("main").rotated is not None) is landed


def test_a_remove_whose_secret_survives_the_delete_reports_it_and_keeps_the_account(store):
    store.add("bitget", "main", OLD)

    class DeleteIgnored(FailingSecrets):
        def delete(self, account_id):
            return True  # a backend that says it deleted, and did not

    with pytest.raises(SecretStoreError, match="still in the"):
        AccountStore(DeleteIgnored(store.secrets), store.locations).remove("main")
    assert store.credentials("main") == OLD and [r.label for r in store.accounts()] == ["main"]


def test_the_first_add_pins_the_secret_store_and_another_store_is_refused(store, tmp_path):
    store.add("bitget", "main", OLD)
    assert store.index.load().secret_backend == store.secrets.kind

    class Elsewhere(FailingSecrets):
        def __init__(self, inner):
            super().__init__(inner)
            self.kind = "os-keyring"

    with pytest.raises(SecretStoreUnavailable, match="kept in the encrypted-file store"):
        AccountStore(Elsewhere(store.secrets), store.locations)
    store.remove("main")
    assert store.index.load().secret_backend is None
