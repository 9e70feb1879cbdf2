"""The secret store on a real Secret Service (gnome-keyring on a private D-Bus session)."""

from __future__ import annotations

import json
import signal
import time

import pytest
from keyring.backends.SecretService import Keyring as SecretServiceKeyring

from exchange_tui.store import AccountStore, SecretStoreUnavailable, describe_secret_backend, open_secret_store
from exchange_tui.store.secret_service import SecretServiceStore

from .support import credentials, files_containing, master_password, secret_values


def test_the_secret_service_keyring_would_choose_is_spoken_to_directly(on_secret_service):
    store = open_secret_store()

    assert store.kind == "os-keyring"
    assert store.description == "Secret Service (gnome-keyring) via D-Bus"
    assert isinstance(store, SecretServiceStore)
    assert describe_secret_backend() == ("os-keyring", "Secret Service (gnome-keyring) via D-Bus")


def test_keyring_reads_what_the_direct_store_wrote_and_the_other_way_round(on_secret_service):
    """A box that later sets PYTHON_KEYRING_BACKEND (or runs an older exchange-tui) keeps its keys."""
    direct, through_keyring = open_secret_store(), SecretServiceKeyring()
    written, by_keyring = credentials("direct"), credentials("by-keyring")

    direct.write("bitget:main", written)
    through_keyring.set_password("exchange-tui", "okx:spare", json.dumps(by_keyring.document()))

    assert json.loads(through_keyring.get_password("exchange-tui", "bitget:main")) == written.document()
    assert direct.read("okx:spare") == by_keyring
    assert direct.account_ids() == {"bitget:main", "okx:spare"}


def test_keyrings_own_route_is_taken_when_keyring_is_told_to(on_secret_service, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")

    store = open_secret_store()

    assert type(store.backend) is SecretServiceKeyring
    assert store.description == "Secret Service (gnome-keyring) via D-Bus"


def test_one_json_entry_per_account(on_secret_service):
    store = open_secret_store()
    creds = credentials("ss1")

    store.write("bitget:main", creds)

    assert store.read("bitget:main") == creds
    assert json.loads(on_secret_service.lookup("bitget:main")) == {
        "api_key": creds.api_key.get_secret_value(),
        "secret_key": creds.secret_key.get_secret_value(),
        "passphrase": creds.passphrase.get_secret_value(),
    }
    assert store.account_ids() == {"bitget:main"}
    assert store.delete("bitget:main") is True
    assert store.delete("bitget:main") is False
    assert store.read("bitget:main") is None
    assert on_secret_service.lookup("bitget:main") == ""


def test_python_keyring_backend_naming_the_secret_service_is_honoured(on_secret_service, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")

    assert open_secret_store().kind == "os-keyring"


def test_accounts_live_in_the_keyring_and_nothing_secret_touches_the_disk(on_secret_service, isolated):
    store = AccountStore.open()
    first, second = credentials("ss2a"), credentials("ss2b")

    store.add("bitget", "main", first)
    store.replace_credentials("main", second)

    assert store.credentials("main") == second
    assert [record.label for record in store.accounts()] == ["main"]
    assert not store.locations.secrets_file.exists()
    assert files_containing(isolated, secret_values(first) + secret_values(second)) == []
    store.remove("main")
    assert on_secret_service.lookup("bitget:main") == ""
    assert store.reconcile().consistent


def test_a_restarted_daemon_is_spoken_to_again(private_bus, monkeypatch):
    """A login (or a crash) restarts gnome-keyring under a running app: its session and collection
    are gone, and the store opens them again instead of failing until the app restarts."""
    service = private_bus()
    service.start_keyring()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
    store = open_secret_store()
    store.write("bitget:main", credentials("restart"))

    service.daemon.kill()
    service.daemon.wait()
    service.start_keyring()

    assert store.read("bitget:main") == credentials("restart")
    store.write("bitget:main", credentials("after"))
    assert json.loads(service.lookup("bitget:main"))["api_key"] == credentials("after").api_key.get_secret_value()


def test_locked_secret_service_falls_back_to_the_encrypted_file(private_bus, monkeypatch):
    service = private_bus()
    service.start_keyring()
    service.lock_default_collection()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)

    kind, description = describe_secret_backend()

    assert kind == "encrypted-file"
    assert "the Secret Service (gnome-keyring) via D-Bus is locked or cannot ask to be unlocked here" in description
    assert "nobody answered the unlock prompt here" in description


def test_secret_service_that_cannot_prompt_is_unusable(private_bus, monkeypatch):
    """A fresh HOME has no login keyring, and creating one needs a prompt nobody can answer."""
    service = private_bus()
    service.start_keyring(unlock_password=None)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
    monkeypatch.setattr("sys.stdin", None)

    with pytest.raises(SecretStoreUnavailable) as caught:
        open_secret_store()

    message = str(caught.value)
    assert "Prompt dismissed" in message
    assert "EXCHANGE_TUI_MASTER_PASSWORD" in message
    assert "\n" not in message


def test_bus_without_a_secret_service_says_so(private_bus, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_bus().address)

    kind, description = describe_secret_backend()

    assert kind == "encrypted-file"
    assert "(no Secret Service: The Secret Service daemon is neither running nor activatable through D-Bus)" in description


def test_secret_service_that_never_answers_is_abandoned_in_time(private_bus, monkeypatch):
    """A locked desktop reached over SSH: the unlock prompt waits forever. Here the daemon is frozen."""
    service = private_bus()
    service.start_keyring()
    service.daemon.send_signal(signal.SIGSTOP)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)

    started = time.monotonic()
    store = open_secret_store(password_source=master_password, timeout=0.5)

    assert store.kind == "encrypted-file"
    assert "did not answer within 0.5 s" in store.description
    assert time.monotonic() - started < 5
