"""The Secret Service (gnome-keyring, KeePassXC …) over D-Bus, spoken to directly with SecretStorage.

keyring's own route costs a headless command most of its run: choosing a backend imports and
ranks every backend keyring knows, and each call opens a new D-Bus connection and a new
encrypted session. Here a process opens one connection and one session, on first use, and every
wait for a reply or a prompt ends after the timeout: a frozen daemon or an unlock prompt nobody
can answer (a locked desktop reached over SSH) is bounded by the call itself, with no thread.

The entries are those keyring's SecretService backend writes (the same attributes and label), so
either can read what the other stored: a box that sets ``PYTHON_KEYRING_BACKEND`` keeps its keys.
"""

from __future__ import annotations

import os
import threading
from contextlib import suppress
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import secretstorage
from jeepney import DBusErrorResponse, MatchRule, Message
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, Proxy, open_dbus_connection
from secretstorage.exceptions import LockedException, PromptDismissedException, SecretServiceNotAvailableException

from exchange_tui.models import Credentials

from .errors import CorruptSecret, SecretStoreTimeout, StoreError
from .secret_store import OS_KEYRING, PROBE_USER, SERVICE, OsKeyring, decode, encode, failed, locked, one_line

BUS_NAME = "org.freedesktop.secrets"
APPLICATION = "Python keyring library"
"""keyring's ``appid``, the ``application`` attribute of the entries its SecretService backend writes."""

T = TypeVar("T")


class BoundedConnection:
    """A D-Bus connection on which every wait for a reply or a signal ends after ``timeout`` seconds
    with ``TimeoutError``: what SecretStorage needs of a connection, and no more."""

    def __init__(self, connection: DBusConnection, timeout: float) -> None:
        self._connection = connection
        self._timeout = timeout

    def send_and_get_reply(self, message: Message, *, timeout: float | None = None) -> Message:
        return self._connection.send_and_get_reply(message, timeout=self._bound(timeout))

    def filter(self, rule: MatchRule, **options):
        return self._connection.filter(rule, **options)

    def recv_until_filtered(self, queue, *, timeout: float | None = None) -> Message:
        return self._connection.recv_until_filtered(queue, timeout=self._bound(timeout))

    def close(self) -> None:
        self._connection.close()

    def _bound(self, timeout: float | None) -> float:
        return self._timeout if timeout is None else min(timeout, self._timeout)


class SecretServiceStore:
    """A :class:`~.secret_store.SecretStore` on the session's Secret Service: its default collection,
    through one connection and one session, opened by :func:`find_secret_service` and again (once
    for the call) when a call fails as it does after the daemon restarted."""

    kind = OS_KEYRING

    def __init__(
        self,
        connect: Callable[[], BoundedConnection],
        description: str,
        timeout: float,
        connection: BoundedConnection | None = None,
    ) -> None:
        """``connect`` opens a connection; ``connection``, if given, is the first one."""
        self.description = description
        self._connect = connect
        self._connection = connection or connect()
        self._timeout = timeout
        self._session = None
        self._collection: secretstorage.Collection | None = None
        self._guard = threading.Lock()

    def __repr__(self) -> str:
        return f"<SecretServiceStore {self.description}>"

    def read(self, account_id: str) -> Credentials | None:
        def read() -> object:
            item = self._item(account_id)
            return None if item is None else decode(item.get_secret())

        found = self._call(f"reading {account_id}", read)
        if found is not None and not isinstance(found, Credentials):
            raise CorruptSecret(f"the secret stored for {account_id} is not readable: replace the key or remove the account")
        return found

    def write(self, account_id: str, credentials: Credentials) -> None:
        attributes = {"service": SERVICE, "username": account_id, "application": APPLICATION}
        label = f"Password for '{account_id}' on '{SERVICE}'"
        self._call(
            f"writing {account_id}",
            lambda: self._default_collection().create_item(label, attributes, encode(credentials).encode(), replace=True),
        )

    def delete(self, account_id: str) -> bool:
        def delete() -> bool:
            item = self._item(account_id)
            if item is None:
                return False
            item.delete()
            return True

        return self._call(f"deleting {account_id}", delete)

    def account_ids(self) -> frozenset[str]:
        def users() -> frozenset[str]:
            items = self._default_collection().search_items({"service": SERVICE})
            return frozenset(item.get_attributes().get("username", "") for item in items) - {""}

        return self._call("listing accounts", users)

    def probe(self) -> None:
        """A first read, to learn now (and within the timeout) whether the store answers and is unlocked."""
        self._call("a first read", lambda: self._item(PROBE_USER))

    def _item(self, account_id: str) -> secretstorage.Item | None:
        items = self._default_collection().search_items({"service": SERVICE, "username": account_id})
        return next(iter(items), None)

    def _default_collection(self) -> secretstorage.Collection:
        """The default collection (created, by the daemon's prompt, where there is none), unlocked."""
        if self._collection is None:
            self._session = self._session or secretstorage.util.open_session(self._connection)
            self._collection = secretstorage.get_default_collection(self._connection, self._session)
        if self._collection.is_locked():
            self._collection.unlock()
            if self._collection.is_locked():
                raise LockedException("it stayed locked: nobody answered the unlock prompt here")
        return self._collection

    def _call(self, action: str, operation: Callable[[], T]) -> T:
        try:
            with self._guard:
                try:
                    return operation()
                except (StoreError, TimeoutError, LockedException, PromptDismissedException):
                    raise
                except Exception:
                    # A daemon restarted since (a login, a crash) took our session and collection with
                    # it, and a restarted bus the connection: both once more, fresh.
                    self._reconnect()
                    return operation()
        except StoreError:
            raise
        except TimeoutError:
            raise SecretStoreTimeout(f"{action} in the {self.description} did not answer within {self._timeout:g} s") from None
        except (LockedException, PromptDismissedException) as exc:
            raise locked(self.description, exc) from None
        except Exception as exc:
            raise failed(action, self.description, exc) from None


    def close(self) -> None:
        self._connection.close()

    def _reconnect(self) -> None:
        with suppress(OSError):
            self._connection.close()
        self._connection = self._connect()
        self._session = self._collection = None


def find_secret_service(timeout: float) -> OsKeyring:
    """The session's Secret Service if it answers and is unlocked, else ``None`` and why not.

    The session bus is ``DBUS_SESSION_BUS_ADDRESS``'s, else the one systemd starts for each user
    (``$XDG_RUNTIME_DIR/bus``), as D-Bus's own clients look for it.
    """
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    runtime_bus = Path(os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}") / "bus"
    if not address and not runtime_bus.exists():
        return OsKeyring(None, f"no Secret Service: DBUS_SESSION_BUS_ADDRESS is unset and there is no {runtime_bus}")
    address = address or f"unix:path={runtime_bus}"

    def connect() -> BoundedConnection:
        connection = BoundedConnection(open_dbus_connection(address, auth_timeout=timeout), timeout)
        secretstorage.util.add_match_rules(connection)
        return connection

    try:
        connection = connect()
    except (OSError, ValueError, KeyError, TimeoutError) as exc:
        reason = getattr(exc, "strerror", None) or one_line(exc)
        return OsKeyring(None, f"no Secret Service: cannot reach the D-Bus session {address} ({reason})")
    try:
        if not secretstorage.check_service_availability(connection):
            connection.close()
            return OsKeyring(None, "no Secret Service: The Secret Service daemon is neither running nor activatable through D-Bus")
        daemon = daemon_name(connection)
    except (TimeoutError, SecretServiceNotAvailableException, OSError) as exc:
        connection.close()
        return OsKeyring(None, f"no Secret Service: {one_line(exc)}")
    description = f"Secret Service ({daemon}) via D-Bus" if daemon else "Secret Service via D-Bus"
    store = SecretServiceStore(connect, description, timeout, connection)
    try:
        store.probe()
    except StoreError as exc:
        store.close()
        return OsKeyring(None, str(exc))
    return OsKeyring(store, "")


def daemon_name(connection) -> str | None:
    """The program that owns the Secret Service name (``gnome-keyring``, ``keepassxc`` …), if we can tell."""
    try:
        (pid,) = Proxy(message_bus, connection).GetConnectionUnixProcessID(BUS_NAME)
    except DBusErrorResponse:
        return None  # activatable, not started yet
    try:
        program = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
    except (OSError, UnicodeDecodeError):
        return None
    return Path(program).name.removesuffix("-daemon") or None
