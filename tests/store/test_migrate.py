"""The store while ``migrate`` moves it: nothing changes an account while the copies are made, a store
opened before the switch changes nothing after it, and a failure before the switch leaves the box as it was."""

from __future__ import annotations

import pytest
from exchange_tui.models import Credentials, KeyReport
from exchange_tui.store import AccountStore, Locations, SecretStoreUnavailable, open_encrypted_file
from exchange_tui.store.index import CheckSummary, PendingMigration, now
from exchange_tui.store.migrate import migrate

from .support import credentials, master_password


@pytest.fixture
def box(tmp_path, on_secret_service):
    """A box whose accounts are in its encrypted file, with a Secret Service beside it."""
    locations = Locations.from_env({"EXCHANGE_TUI_HOME": str(tmp_path / "box")})
    store = AccountStore(open_encrypted_file(locations, master_password, "tests"), locations)
    store.add("bitget", "main", credentials("main"))
    return store


def move(box: AccountStore, **options) -> object:
    return migrate(
        "os-keyring", locations=box.locations, password_source=master_password, environ={"HOME": "/nonexistent"}, **options
    )


def note(box: AccountStore, *, switched: bool) -> None:
    with box.index.edit() as document:
        document.migration = PendingMigration(
            source="encrypted-file", destination="os-keyring", switched=switched, started=now()
        )


def changes(box: AccountStore):
    """An add, a rotate and a remove, each to be called."""
    return (
        lambda: box.add("bitget", "spare", credentials("spare")),
        lambda: box.replace_credentials("main", credentials("new")),
        lambda: box.remove("main"),
    )


def test_no_account_changes_while_a_move_copies(box):
    note(box, switched=False)

    for change in changes(box):
        with pytest.raises(SecretStoreUnavailable, match="being moved .* let exchange-tui migrate finish"):
            change()
    assert [record.label for record in box.accounts()] == ["main"]
    assert box.credentials("main") == credentials("main")


def test_after_the_switch_adds_and_removes_go_on_but_no_rotate(box):
    note(box, switched=True)

    box.add("bitget", "spare", credentials("spare"))
    box.remove("spare")
    with pytest.raises(SecretStoreUnavailable, match="being moved"):
        box.replace_credentials("main", credentials("new"))


def test_a_store_opened_before_the_switch_changes_nothing_after_it(box, on_secret_service):
    moved = move(box)

    assert moved.switched and [account.status for account in moved.accounts] == ["copied"]
    for change in changes(box):
        with pytest.raises(SecretStoreUnavailable, match="moved to the os-keyring store"):
            change()
    assert on_secret_service.lookup("bitget:main")


def test_a_failure_while_copying_leaves_the_box_as_it_was(box, on_secret_service):
    def check(record, copy: Credentials) -> tuple[KeyReport, CheckSummary]:
        raise RuntimeError("the exchange's client broke")

    with pytest.raises(RuntimeError, match="client broke"):
        move(box, check=check)

    document = box.index.load()
    assert document.migration is None and document.secret_backend == "encrypted-file"
    assert not on_secret_service.lookup("bitget:main"), "the copy made before the failure was taken out again"
    box.add("bitget", "spare", credentials("spare"))  # the box goes on as before
    assert box.credentials("main") == credentials("main")


def test_a_move_whose_destination_cannot_be_opened_is_called_off(box, monkeypatch):
    note(box, switched=False)  # as a killed move leaves it
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

    with pytest.raises(SecretStoreUnavailable, match="no OS keyring"):
        move(box)

    assert box.index.load().migration is None
    box.add("bitget", "spare", credentials("spare"))
