"""A store opened lazily reads its index at once and opens its secret store only when a secret is
needed, or when a crash left it work to finish: ``exchange-tui accounts`` on a box whose secrets
are in the encrypted file asks for no master password and derives no key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from exchange_tui.store import AccountStore, Locations, SecretStoreUnavailable

from .support import MASTER_PASSWORD, credentials


class Asked:
    """A master-password source that counts how often the store asked it."""

    def __init__(self) -> None:
        self.times = 0

    def __call__(self, path: Path, new: bool) -> SecretStr:
        self.times += 1
        return SecretStr(MASTER_PASSWORD)


@pytest.fixture
def locations(isolated, no_os_keyring) -> Locations:
    locations = Locations.from_env()
    AccountStore.open(locations, password_source=Asked()).add("bitget", "main", credentials("lazy"))
    return locations


def test_listing_accounts_opens_no_secret_store(locations):
    asked = Asked()
    store = AccountStore.open(locations, password_source=asked, lazy=True)

    assert [record.label for record in store.accounts()] == ["main"]
    assert asked.times == 0


def test_the_first_secret_needed_opens_it_once(locations):
    asked = Asked()
    store = AccountStore.open(locations, password_source=asked, lazy=True)

    assert store.credentials("main") == credentials("lazy")
    assert store.credentials("main") == credentials("lazy")
    assert (asked.times, store.kind) == (1, "encrypted-file")


def test_an_interrupted_remove_is_finished_at_a_lazy_open(locations):
    store = AccountStore.open(locations, password_source=Asked())
    with store.index.edit() as document:  # what a remove killed after taking the entry out leaves
        document.mark_for_purge(document.drop("main").account_id)
    asked = Asked()

    reopened = AccountStore.open(locations, password_source=asked, lazy=True)

    assert asked.times == 1, "the leftover secret had to be deleted"
    assert reopened.secrets.read("bitget:main") is None
    assert reopened.index.load().purge == []


def test_a_store_pinned_elsewhere_is_refused_when_first_opened(locations):
    with AccountStore.open(locations, password_source=Asked()).index.edit() as document:
        document.secret_backend = "os-keyring"
    store = AccountStore.open(locations, password_source=Asked(), lazy=True)

    assert [record.label for record in store.accounts()] == ["main"]
    with pytest.raises(SecretStoreUnavailable, match="kept in the OS keyring"):
        store.credentials("main")
