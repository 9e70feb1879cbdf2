"""The encrypted-file fallback, where no OS keyring is usable; and the case where there is nothing at all."""

from __future__ import annotations

import io
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from keyrings.cryptfile.cryptfile import CryptFileKeyring
from pydantic import SecretStr

import exchange_tui.store.encrypted_file as encrypted_file
from exchange_tui.store import (
    AccountStore,
    CorruptSecret,
    Locations,
    SecretStoreUnavailable,
    WrongMasterPassword,
    describe_secret_backend,
    open_secret_store,
)

from .support import MASTER_PASSWORD, credentials, files_containing, master_password, secret_values

pytestmark = pytest.mark.usefixtures("no_os_keyring")

PROJECT = Path(__file__).parents[2]

# Runs the default password source on a pseudo-terminal, answering each prompt once it shows.
ON_A_TERMINAL = r"""
import os, pty, sys
typed = sys.argv[1].encode()
pid, terminal = pty.fork()
if pid == 0:
    from exchange_tui.store import open_secret_store
    print("opened", open_secret_store().kind, flush=True)
    os._exit(0)
screen = b""
def wait_for(text):
    global screen
    while text not in screen:
        screen += os.read(terminal, 1024)
for prompt in (b"New master password", b"The same password again"):
    wait_for(prompt)
    os.write(terminal, typed + b"\n")
wait_for(b"opened encrypted-file\r\n")
os.waitpid(pid, 0)
sys.stdout.write(screen.decode())
"""


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_fallback_when_keyring_has_no_os_store(monkeypatch):
    monkeypatch.setenv("EXCHANGE_TUI_MASTER_PASSWORD", MASTER_PASSWORD)
    expected = (
        "encrypted file ~/.local/share/exchange-tui/secrets.cfg "
        "(PYTHON_KEYRING_BACKEND selects keyring.backends.fail.Keyring)"
    )

    assert describe_secret_backend() == ("encrypted-file", expected)
    assert not Locations.from_env().secrets_file.exists()  # describing asks for no password, opens nothing
    store = open_secret_store()
    assert (store.kind, store.description) == ("encrypted-file", expected)


def test_round_trip_with_private_files_and_no_plain_text(isolated):
    """Add, replace and remove with distinctive secrets: every file stays private and opaque."""
    accounts = AccountStore.open(password_source=master_password)
    first, second, other = credentials("ef1"), credentials("ef2"), credentials("ef3")

    accounts.add("bitget", "main", first)
    accounts.add("bitget", "Spare", other)
    accounts.replace_credentials("main", second)

    assert accounts.credentials("main") == second
    assert accounts.secrets.account_ids() == {"bitget:main", "bitget:spare"}
    accounts.remove("Spare")
    assert accounts.secrets.account_ids() == {"bitget:main"}

    locations = accounts.locations
    for folder in (locations.config, locations.data, locations.state, locations.locks):
        assert mode(folder) == 0o700, folder
    written = [path for path in isolated.rglob("*") if path.is_file()]
    assert locations.secrets_file in written and locations.index_file in written
    assert {path: mode(path) for path in written} == {path: 0o600 for path in written}
    leaks = secret_values(first) + secret_values(second) + secret_values(other) + [MASTER_PASSWORD]
    assert files_containing(isolated, leaks) == []
    shown = repr(accounts.secrets) + repr(accounts.credentials("main")) + repr(accounts.accounts())
    assert not [leak for leak in leaks if leak in shown]


def test_argon2_runs_once_per_process(monkeypatch):
    derivations = []
    real = encrypted_file.hash_secret_raw
    monkeypatch.setattr(encrypted_file, "hash_secret_raw", lambda **kw: derivations.append(1) or real(**kw))
    store = open_secret_store(password_source=master_password)

    for n in range(5):
        store.write(f"bitget:a{n}", credentials(f"once{n}"))
    assert [store.read(f"bitget:a{n}") for n in range(5)] == [credentials(f"once{n}") for n in range(5)]
    assert len(derivations) == 1


def test_reopening_asks_for_the_password_of_an_existing_file():
    asked = []

    def source(path, new):
        asked.append((path.name, new))
        return SecretStr(MASTER_PASSWORD)

    open_secret_store(password_source=source).write("bitget:main", credentials("re"))

    assert open_secret_store(password_source=source).read("bitget:main") == credentials("re")
    assert asked == [("secrets.cfg", True), ("secrets.cfg", False)]


@pytest.mark.slow
def test_the_stock_library_reads_our_file():
    open_secret_store(password_source=master_password).write("bitget:main", credentials("stock"))

    stock = CryptFileKeyring()
    stock.file_path = str(Locations.from_env().secrets_file)
    stock.keyring_key = MASTER_PASSWORD
    assert '"passphrase":"Passphrasestock"' in stock.get_password("exchange-tui", "bitget:main")


@pytest.mark.slow
def test_terminal_prompt_asks_twice_for_a_new_file_without_echo(isolated):
    """On a real pseudo-terminal: the prompts appear, what is typed is not echoed, the file opens."""
    typed = "typed-on-the-tty-42"
    result = subprocess.run(
        [sys.executable, "-c", ON_A_TERMINAL, typed], capture_output=True, text=True, timeout=60, cwd=PROJECT
    )

    assert result.returncode == 0, result.stderr
    assert "New master password for ~/.local/share/exchange-tui/secrets.cfg" in result.stdout
    assert "The same password again" in result.stdout
    assert "opened encrypted-file" in result.stdout
    assert typed not in result.stdout
    assert open_secret_store(password_source=lambda path, new: SecretStr(typed)).kind == "encrypted-file"


def test_wrong_master_password_is_a_clear_error():
    open_secret_store(password_source=master_password).write("bitget:main", credentials("wrong"))
    before = Locations.from_env().secrets_file.read_bytes()

    with pytest.raises(WrongMasterPassword) as caught:
        open_secret_store(password_source=lambda path, new: SecretStr("not-the-password"))

    message = str(caught.value)
    assert message.startswith("the master password does not open ")
    assert "EXCHANGE_TUI_MASTER_PASSWORD" in message
    assert "not-the-password" not in message and "\n" not in message
    assert isinstance(caught.value, SecretStoreUnavailable)
    assert Locations.from_env().secrets_file.read_bytes() == before


def test_empty_master_password_is_refused():
    with pytest.raises(SecretStoreUnavailable, match="is empty"):
        open_secret_store(password_source=lambda path, new: SecretStr("  "))


def test_damaged_file_is_reported_not_replaced():
    secrets_file = Locations.from_env().ensure().secrets_file
    secrets_file.write_text("this is not an ini file\n")

    with pytest.raises(SecretStoreUnavailable, match="is damaged"):
        open_secret_store(password_source=master_password)
    assert secrets_file.read_text() == "this is not an ini file\n"


def test_unreadable_entry_raises_without_showing_it(secrets):
    secrets.backend.set_password("exchange-tui", "bitget:main", '{"api_key": "bg_leakme", "secret_key": 5}')

    with pytest.raises(CorruptSecret) as caught:
        secrets.read("bitget:main")

    assert "leakme" not in str(caught.value)
    assert caught.value.__context__ is None and caught.value.__cause__ is None


def test_no_store_at_all_says_how_to_fix_it(isolated, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO())

    with pytest.raises(SecretStoreUnavailable) as caught:
        open_secret_store()

    message = str(caught.value)
    assert "\n" not in message
    assert "PYTHON_KEYRING_BACKEND selects keyring.backends.fail.Keyring" in message
    assert "set EXCHANGE_TUI_MASTER_PASSWORD, or run in a terminal" in message
    assert not Locations.from_env().secrets_file.exists()


def test_keyrings_own_file_backends_are_never_used(isolated, monkeypatch):
    """Without an OS store keyring's chain is CryptFile, Encrypted, Plaintext, all asking on the
    terminal or writing plain text in ~/.local/share/python_keyring: we use none of them."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(isolated / "run"))

    store = open_secret_store(password_source=master_password)
    store.write("bitget:main", credentials("chain"))

    assert store.kind == "encrypted-file"
    assert store.description.endswith(
        f"(no Secret Service: DBUS_SESSION_BUS_ADDRESS is unset and there is no {isolated}/run/bus)"
    )
    assert not (isolated / ".local" / "share" / "python_keyring").exists()


def test_unreachable_d_bus_is_no_secret_service(monkeypatch):
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")

    kind, description = describe_secret_backend()

    assert kind == "encrypted-file"
    assert "(no Secret Service: cannot reach the D-Bus session unix:path=/nonexistent/bus (" in description
