"""The encrypted file's master password changed (every entry re-encrypted, read back, swapped in), and
started afresh when it is forgotten; what a killed run leaves, found and removed."""

from __future__ import annotations

import stat
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from exchange_tui.store import AccountStore, Locations, WrongMasterPassword, open_encrypted_file
from exchange_tui.store.encrypted_file import EncryptedFileKeyring, leftover_files, remove_leftovers, staged_path
from exchange_tui.store.passwd import (
    NoMasterPassword,
    change_master_password,
    change_open_store_password,
    reset_master_password,
    what_a_reset_loses,
)

from .support import MASTER_PASSWORD, credentials

pytestmark = pytest.mark.usefixtures("no_os_keyring")

OLD, NEW = SecretStr(MASTER_PASSWORD), SecretStr("a-new-master-password")


def password(value: SecretStr):
    return lambda path, new: value


@pytest.fixture
def locations() -> Locations:
    return Locations.from_env().ensure()


@pytest.fixture
def two_accounts(locations):
    store = AccountStore.open(locations, password_source=password(OLD))
    store.add("bitget", "main", credentials("MAIN"))
    store.add("bitget", "spare", credentials("SPARE"))
    return store


def test_a_changed_password_opens_every_entry_and_the_old_one_opens_nothing(locations, two_accounts):
    assert change_master_password(locations, OLD, NEW) == 2

    reopened = AccountStore.open(locations, password_source=password(NEW))
    assert reopened.credentials("main") == credentials("MAIN")
    assert reopened.credentials("spare") == credentials("SPARE")
    with pytest.raises(WrongMasterPassword):
        AccountStore.open(locations, password_source=password(OLD))
    assert leftover_files(locations.secrets_file) == []
    assert stat.S_IMODE(locations.secrets_file.stat().st_mode) == 0o600


def test_a_wrong_old_password_changes_nothing(locations, two_accounts):
    before = locations.secrets_file.read_bytes()
    with pytest.raises(WrongMasterPassword):
        change_master_password(locations, SecretStr("not-it"), NEW)
    assert locations.secrets_file.read_bytes() == before
    assert leftover_files(locations.secrets_file) == []


def test_a_process_still_holding_the_old_key_neither_reads_nor_writes_the_new_file(locations, two_accounts):
    """The app opened the file before a passwd elsewhere: its next write would seal an entry with the
    old key inside the new file, unreadable for good. It stops instead, saying why."""
    change_master_password(locations, OLD, NEW)
    for call in (
        lambda: two_accounts.credentials("main"),
        lambda: two_accounts.add("bitget", "third", credentials("THIRD")),
    ):
        with pytest.raises(Exception, match="changed by another process"):
            call()
    reopened = AccountStore.open(locations, password_source=password(NEW))
    assert [record.label for record in reopened.accounts()] == ["main", "spare"]


def test_the_open_store_changes_its_own_password_and_goes_on_working(locations, two_accounts):
    with pytest.raises(WrongMasterPassword):
        change_open_store_password(two_accounts, SecretStr("not-it"), NEW)
    assert change_open_store_password(two_accounts, OLD, NEW) == 2
    two_accounts.add("bitget", "third", credentials("THIRD"))
    reopened = AccountStore.open(locations, password_source=password(NEW))
    assert reopened.credentials("third") == credentials("THIRD")
    assert reopened.credentials("main") == credentials("MAIN")


def test_a_leftover_staged_file_is_found_left_alone_by_an_open_and_removed_under_the_lock(locations, two_accounts):
    staged = staged_path(locations.secrets_file)
    staged.write_bytes(b"a killed run's copy")
    assert AccountStore.open(locations, password_source=password(OLD)).credentials("main") == credentials("MAIN")
    assert leftover_files(locations.secrets_file) == [staged]
    assert remove_leftovers(locations.secrets_file, lock_path=locations.secrets_lock) == [staged]
    assert not staged.exists()


def test_the_next_change_replaces_a_leftover_staged_file(locations, two_accounts):
    staged_path(locations.secrets_file).write_bytes(b"a killed run's copy")
    assert change_master_password(locations, OLD, NEW) == 2
    assert leftover_files(locations.secrets_file) == []


def test_a_reset_keeps_the_old_file_and_the_labels_and_a_rotate_puts_a_key_back(locations, two_accounts):
    two_accounts.secrets.write("bitget:unlisted", credentials("UNLISTED"))
    loss = what_a_reset_loses(locations)
    assert [record.label for record in loss.accounts] == ["main", "spare"] and loss.unlisted == ["bitget:unlisted"]

    kept = reset_master_password(locations, NEW, datetime(2026, 12, 1, 14, 0, tzinfo=UTC))

    assert kept.name == "secrets.cfg.forgotten-20261201T140000000000Z"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    recovered = EncryptedFileKeyring(kept, OLD, lock_path=locations.secrets_lock)
    assert recovered.get_password("exchange-tui", "bitget:main") is not None
    store = AccountStore.open(locations, password_source=password(NEW))
    assert [record.label for record in store.accounts()] == ["main", "spare"]
    assert store.reconcile().missing_secrets == ["main", "spare"]
    with pytest.raises(Exception, match="rotate main"):
        store.credentials("main")
    store.replace_credentials("main", credentials("NEWKEY"))
    assert store.credentials("main") == credentials("NEWKEY")
    assert store.reconcile().missing_secrets == ["spare"]


def test_an_os_keyring_or_no_file_has_no_master_password(locations):
    with pytest.raises(NoMasterPassword, match="no encrypted file"):
        change_master_password(locations, OLD, NEW)
    store = open_encrypted_file(locations, password(OLD), "test")
    store.write("bitget:x", credentials("X"))
    assert change_master_password(locations, OLD, NEW) == 1
