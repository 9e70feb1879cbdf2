"""Where the secrets live: a small protocol, its keyring implementation, and the choice of backend.

One entry per account: service ``exchange-tui``, user ``<exchange>:<label>`` (lower case), value a
small JSON document ``{"api_key", "secret_key", "passphrase"}``, so an update is one write.

The backend is chosen here, never by keyring's default chain (design.md §5). On Linux, unless
keyring is told otherwise (``PYTHON_KEYRING_BACKEND``, keyring's config file, or a KDE session,
where keyring prefers KWallet), that is the Secret Service, spoken to directly
(:mod:`.secret_service`): it is what keyring would choose there, at a fraction of the cost.
Otherwise keyring's choice (``keyring.get_keyring()``) is taken only when it is a real OS store,
or a chain whose first member is one; we then talk to that store directly, after a first call
bounded by a timeout. Failing both, the secrets go to the encrypted file in our data folder,
opened with a master password we obtain ourselves. A plaintext backend is never used.

keyring, its backends and the encrypted file's ciphers are imported only on the path that uses them.
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
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeVar

from pydantic import SecretStr, ValidationError

from exchange_tui.models import Credentials

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

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend


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
        found = self._call(f"reading {account_id}", lambda: decode(self.backend.get_password(SERVICE, account_id)))
        if found is _UNREADABLE:
            raise CorruptSecret(f"the secret stored for {account_id} is not readable: replace the key or remove the account")
        return found

    def write(self, account_id: str, credentials: Credentials) -> None:
        self._call(f"writing {account_id}", lambda: self.backend.set_password(SERVICE, account_id, encode(credentials)))

    def delete(self, account_id: str) -> bool:
        from keyring.errors import PasswordDeleteError

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
        from keyring.errors import InitError, KeyringLocked

        try:
            if self._timeout is None:
                return operation()
            return call_with_timeout(operation, self._timeout, f"{action} in the {self.description}")
        except StoreError:
            raise
        except (InitError, KeyringLocked) as exc:
            raise locked(self.description, exc) from None
        except Exception as exc:
            raise failed(action, self.description, exc) from None


def locked(description: str, exc: BaseException) -> SecretStoreUnavailable:
    """An OS store that is locked, or would need a prompt nobody can answer here."""
    return SecretStoreUnavailable(f"the {description} is locked or cannot ask to be unlocked here ({one_line(exc)})")


def failed(action: str, description: str, exc: BaseException) -> SecretStoreError:
    """Any other failure of an OS store's call, in one line."""
    return SecretStoreError(f"{action} in the {description} failed: {one_line(exc)}")


class OsKeyring(NamedTuple):
    """The OS store to use, when there is a usable one; else ``store`` is ``None`` and ``reason`` says why."""

    store: SecretStore | None
    reason: str


def find_os_keyring(timeout: float = DEFAULT_TIMEOUT) -> OsKeyring:
    """The Secret Service where it is keyring's choice, else keyring's choice if it is (or a chain
    led by) a real OS store; either only when it answers a first read in time."""
    if _secret_service_is_keyrings_choice():
        from .secret_service import find_secret_service

        return find_secret_service(timeout)
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


def _secret_service_is_keyrings_choice() -> bool:
    """Whether keyring would choose the Secret Service anyway: on Linux, with neither
    ``PYTHON_KEYRING_BACKEND``, keyring's config file nor a KDE session."""
    if not sys.platform.startswith("linux") or os.environ.get("PYTHON_KEYRING_BACKEND"):
        return False
    if "KDE" in os.environ.get("XDG_CURRENT_DESKTOP", "").split(":"):
        return False
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return not (config_home / "python_keyring" / "keyringrc.cfg").exists()


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
    from .encrypted_file import EncryptedFileKeyring, secrets_file_exists

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
    import keyring
    from keyring.backends.chainer import ChainerBackend
    from keyring.backends.fail import Keyring as FailKeyring

    try:
        chosen = keyring.get_keyring()
    except Exception as exc:
        return OsKeyring(None, f"keyring could not choose a backend: {one_line(exc)}")
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
    """The program that owns the Secret Service name, if we can tell (keyring's own route to it)."""
    import secretstorage

    from .secret_service import daemon_name

    try:
        with closing(secretstorage.dbus_init()) as connection:
            return daemon_name(connection)
    except Exception:
        return None


def _secret_service_users(backend: KeyringBackend) -> frozenset[str]:
    collection = backend.get_preferred_collection()
    scheme = backend.schemes[backend.scheme]
    with closing(collection.connection):
        items = collection.search_items({scheme["service"]: SERVICE})
        users = {item.get_attributes().get(scheme["username"], "") for item in items}
    return frozenset(users - {""})


# the stored document --------------------------------------------------------------------

_UNREADABLE = object()


def encode(credentials: Credentials) -> str:
    return json.dumps(credentials.document(), separators=(",", ":"))


def decode(document: str | bytes | None):
    """The credentials in ``document``; ``_UNREADABLE`` (never an exception that could carry it) if broken."""
    if document is None:
        return None
    try:
        fields = json.loads(document)
        return Credentials.from_document(fields)
    except (ValueError, TypeError, KeyError, ValidationError):
        return _UNREADABLE


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
