"""Where the secrets live: a small protocol, its keyring implementation, and the choice of backend.

One entry per account: service ``exchange-tui``, user ``<exchange>:<label>`` (lower case), value a
small JSON document ``{"api_key", "secret_key", "passphrase"}``, so an update is one write.

The backend is chosen here, never by keyring's default chain (design.md §5): keyring's choice
(``keyring.get_keyring()``, which honours ``PYTHON_KEYRING_BACKEND`` and keyring's config file) is
taken only when it is a real OS store, or a chain whose first member is one; we then talk to that
store directly, after a first call bounded by a timeout. Otherwise the secrets go to the
encrypted file in our data folder, opened with a master password we obtain ourselves. A
plaintext backend is never used.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import NamedTuple, Protocol, TypeVar

import keyring
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyring.backends.fail import Keyring as FailKeyring
from keyring.errors import InitError, KeyringLocked, PasswordDeleteError
from pydantic import SecretStr, ValidationError

from exchange_tui.models import Credentials

from .encrypted_file import EncryptedFileKeyring, secrets_file_exists
from .errors import CorruptSecret, SecretStoreError, SecretStoreTimeout, SecretStoreUnavailable, StoreError
from .locations import Locations, display_path
from .master_password import HOW_TO_GIVE, master_password_from_env_or_terminal

SERVICE = "exchange-tui"
DEFAULT_TIMEOUT = 5.0
PROBE_USER = "probe"
OS_KEYRING = "os-keyring"
ENCRYPTED_FILE = "encrypted-file"
PINNED_REASON = "this box's accounts are kept there"

OS_KEYRINGS = {
    "keyring.backends.SecretService.Keyring": "Secret Service",
    "keyring.backends.libsecret.Keyring": "Secret Service (libsecret)",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Locker",
}

PasswordSource = Callable[[Path, bool], SecretStr | None]
"""Gives the master password of the encrypted file at ``path`` (``new``: the file is about to be
created, so a prompt should ask twice), or ``None`` when there is no way to get one."""

T = TypeVar("T")


class SecretStore(Protocol):
    """One account's secret document: read, write, delete; and the list of accounts where possible."""

    @property
    def kind(self) -> str:
        """A short name for scripts: ``os-keyring`` or ``encrypted-file``."""

    @property
    def description(self) -> str:
        """One line for people: the backend in use and why it was chosen."""

    def read(self, account_id: str) -> Credentials | None:
        """The account's credentials, ``None`` if there are none; ``CorruptSecret`` if unreadable."""

    def write(self, account_id: str, credentials: Credentials) -> None:
        """Create or replace the account's credentials in one write."""

    def delete(self, account_id: str) -> bool:
        """Delete the account's credentials; ``False`` if there were none."""

    def account_ids(self) -> frozenset[str] | None:
        """Every account id with a secret, or ``None`` where the backend cannot enumerate."""


class KeyringSecretStore:
    """A :class:`SecretStore` on one keyring backend, spoken to directly (never through a chain)."""

    def __init__(
        self,
        backend: KeyringBackend,
        *,
        kind: str,
        description: str,
        timeout: float | None,
        lister: Callable[[], frozenset[str]] | None = None,
    ) -> None:
        self.backend = backend
        self.kind = kind
        self.description = description
        self._timeout = timeout
        self._lister = lister

    def __repr__(self) -> str:
        return f"<KeyringSecretStore {self.description}>"

    def read(self, account_id: str) -> Credentials | None:
        found = self._call(f"reading {account_id}", lambda: _decode(self.backend.get_password(SERVICE, account_id)))
        if found is _UNREADABLE:
            raise CorruptSecret(f"the secret stored for {account_id} is not readable: replace the key or remove the account")
        return found

    def write(self, account_id: str, credentials: Credentials) -> None:
        self._call(f"writing {account_id}", lambda: self.backend.set_password(SERVICE, account_id, _encode(credentials)))

    def delete(self, account_id: str) -> bool:
        def delete() -> bool:
            try:
                self.backend.delete_password(SERVICE, account_id)
            except PasswordDeleteError:
                return False
            return True

        return self._call(f"deleting {account_id}", delete)

    def account_ids(self) -> frozenset[str] | None:
        if self._lister is None:
            return None
        return self._call("listing accounts", self._lister)

    def probe(self) -> None:
        """A first read, to learn now (and within the timeout) whether the store answers."""
        self._call("a first read", lambda: self.backend.get_password(SERVICE, PROBE_USER))

    def _call(self, action: str, operation: Callable[[], T]) -> T:
        try:
            if self._timeout is None:
                return operation()
            return call_with_timeout(operation, self._timeout, f"{action} in the {self.description}")
        except StoreError:
            raise
        except (InitError, KeyringLocked) as exc:
            raise SecretStoreUnavailable(
                f"the {self.description} is locked or cannot ask to be unlocked here ({_one_line(exc)})"
            ) from None
        except Exception as exc:
            raise SecretStoreError(f"{action} in the {self.description} failed: {_one_line(exc)}") from None


class OsKeyring(NamedTuple):
    """keyring's choice when it is a usable OS store; else ``store`` is ``None`` and ``reason`` says why."""

    store: KeyringSecretStore | None
    reason: str


def find_os_keyring(timeout: float = DEFAULT_TIMEOUT) -> OsKeyring:
    """keyring's choice, if it is (or a chain led by) a real OS store that answers a first read in time."""
    try:
        found = call_with_timeout(lambda: _detect_os_keyring(timeout), timeout, "keyring's backend detection")
    except SecretStoreTimeout as exc:
        return OsKeyring(None, str(exc))
    if found.store is None:
        return found
    try:
        found.store.probe()
    except StoreError as exc:
        return OsKeyring(None, str(exc))
    return found


def open_secret_store(
    locations: Locations | None = None,
    *,
    password_source: PasswordSource | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    pinned: str | None = None,
) -> KeyringSecretStore:
    """The secret store for this process: a usable OS keyring, else the encrypted file.

    ``pinned`` (the index's ``secret_backend``) names the store the box's accounts already live
    in: that one is used, or none. A pinned OS keyring that is locked or does not answer is
    ``SecretStoreUnavailable`` saying to unlock it, never a fall back to the file.

    Raises ``SecretStoreUnavailable`` (one line saying how to fix it) when there is neither;
    ``WrongMasterPassword`` when the given master password does not open the file.
    ``password_source`` defaults to :func:`master_password_from_env_or_terminal`.
    """
    locations = (locations or Locations.from_env()).ensure()
    password_source = password_source or master_password_from_env_or_terminal
    if pinned == ENCRYPTED_FILE:
        return open_encrypted_file(locations, password_source, PINNED_REASON)
    os_keyring = find_os_keyring(timeout)
    if os_keyring.store is not None:
        return os_keyring.store
    if pinned == OS_KEYRING:
        raise SecretStoreUnavailable(_keyring_needed(os_keyring.reason))
    return open_encrypted_file(locations, password_source, os_keyring.reason)


def describe_secret_backend(
    locations: Locations | None = None, timeout: float = DEFAULT_TIMEOUT, *, pinned: str | None = None
) -> tuple[str, str]:
    """``(kind, description)`` of the store :func:`open_secret_store` would use, without asking
    for a master password (for ``exchange-tui locate``)."""
    path = (locations or Locations.from_env()).secrets_file
    if pinned == ENCRYPTED_FILE:
        return ENCRYPTED_FILE, _encrypted_file_description(path, PINNED_REASON)
    os_keyring = find_os_keyring(timeout)
    if os_keyring.store is not None:
        return os_keyring.store.kind, os_keyring.store.description
    if pinned == OS_KEYRING:
        return OS_KEYRING, f"OS keyring, unavailable now: {_keyring_needed(os_keyring.reason)}"
    return ENCRYPTED_FILE, _encrypted_file_description(path, os_keyring.reason)


def _keyring_needed(reason: str) -> str:
    return (
        f"this box's accounts are kept in the OS keyring, which cannot be used now ({reason}): "
        "unlock it (log in on the desktop, or unlock the login keyring) and try again"
    )


def open_encrypted_file(locations: Locations, password_source: PasswordSource, reason: str) -> KeyringSecretStore:
    """The encrypted-file store in our data folder; ``reason`` says why no OS keyring is used."""
    path = locations.ensure().secrets_file
    password = password_source(path, not secrets_file_exists(path))
    if password is None:
        raise SecretStoreUnavailable(
            f"no usable OS keyring ({reason}) and no master password for the encrypted file {display_path(path)}: "
            f"{HOW_TO_GIVE}"
        )
    backend = EncryptedFileKeyring(path, password, lock_path=locations.secrets_lock)
    return KeyringSecretStore(
        backend,
        kind=ENCRYPTED_FILE,
        description=_encrypted_file_description(path, reason),
        timeout=None,
        lister=lambda: backend.usernames(SERVICE),
    )


def _encrypted_file_description(path: Path, reason: str) -> str:
    return f"encrypted file {display_path(path)} ({reason})"


def call_with_timeout(operation: Callable[[], T], timeout: float, what: str) -> T:
    """Run ``operation`` in a daemon thread and give up after ``timeout`` seconds.

    A keyring call can wait forever (an unlock prompt on a locked desktop, reached over SSH).
    The abandoned thread is a daemon, so it never keeps the process alive.
    """
    outcome: dict[str, object] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = operation()
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="exchange-tui-keyring", daemon=True).start()
    if not done.wait(timeout):
        raise SecretStoreTimeout(f"{what} did not answer within {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


# backend choice -------------------------------------------------------------------------


def _detect_os_keyring(timeout: float) -> OsKeyring:
    """keyring's choice if it is (or a chain led by) a real OS store, else ``None`` and the reason."""
    try:
        chosen = keyring.get_keyring()
    except Exception as exc:
        return OsKeyring(None, f"keyring could not choose a backend: {_one_line(exc)}")
    candidate = chosen
    if isinstance(chosen, ChainerBackend):
        members = chosen.backends
        candidate = members[0] if members else FailKeyring()
    name = os_keyring_name(candidate)
    if name is None:
        return OsKeyring(None, _why_not_os_keyring(candidate))
    if name == "Secret Service":
        daemon = _secret_service_daemon()
        description = f"Secret Service ({daemon}) via D-Bus" if daemon else "Secret Service via D-Bus"
        lister = functools.partial(_secret_service_users, candidate)
    else:
        description, lister = name, None
    return OsKeyring(KeyringSecretStore(candidate, kind=OS_KEYRING, description=description, timeout=timeout, lister=lister), "")


def os_keyring_name(backend: KeyringBackend) -> str | None:
    """The name of the OS store ``backend`` talks to, or ``None`` if it is not one."""
    for cls in type(backend).__mro__:
        name = OS_KEYRINGS.get(f"{cls.__module__}.{cls.__qualname__}")
        if name:
            return name
    return None


def _why_not_os_keyring(backend: KeyringBackend) -> str:
    chosen = f"{type(backend).__module__}.{type(backend).__qualname__}"
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return f"PYTHON_KEYRING_BACKEND selects {chosen}"
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        try:
            from keyring.backends.SecretService import Keyring as SecretService

            _ = SecretService.priority  # reading it raises, with the reason, when it is not usable
        except OSError as exc:
            address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
            return f"no Secret Service: cannot reach the D-Bus session {address} ({exc.strerror or exc})"
        except Exception as exc:
            return f"no Secret Service: {' '.join(str(exc).split()) or type(exc).__name__}"
    return f"keyring chose {chosen}, which is not an OS keyring (see keyring's configuration)"


def _secret_service_daemon() -> str | None:
    """The program that owns the Secret Service name (``gnome-keyring``, ``keepassxc`` …), if we can tell."""
    try:
        import secretstorage
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import Proxy

        with closing(secretstorage.dbus_init()) as connection:
            (pid,) = Proxy(message_bus, connection).GetConnectionUnixProcessID("org.freedesktop.secrets")
        program = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
    except Exception:
        return None
    return Path(program).name.removesuffix("-daemon") or None


def _secret_service_users(backend: KeyringBackend) -> frozenset[str]:
    collection = backend.get_preferred_collection()
    scheme = backend.schemes[backend.scheme]
    with closing(collection.connection):
        items = collection.search_items({scheme["service"]: SERVICE})
        users = {item.get_attributes().get(scheme["username"], "") for item in items}
    return frozenset(users - {""})


# the stored document --------------------------------------------------------------------

_UNREADABLE = object()


def _encode(credentials: Credentials) -> str:
    return json.dumps(credentials.document(), separators=(",", ":"))


def _decode(document: str | None):
    """The credentials in ``document``; ``_UNREADABLE`` (never an exception that could carry it) if broken."""
    if document is None:
        return None
    try:
        fields = json.loads(document)
        return Credentials.from_document(fields)
    except (ValueError, TypeError, KeyError, ValidationError):
        return _UNREADABLE


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
