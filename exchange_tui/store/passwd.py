"""``exchange-tui passwd``: the encrypted file's master password changed, or, when it is forgotten,
the file kept aside and a new empty one started under a new password.

A change re-encrypts every entry into ``secrets.cfg.new`` beside the file, reads each back from it
with the new password, and renames it over ``secrets.cfg``, all under the file's lock. So the
files alone always say where things stand: a ``secrets.cfg.new`` was never swapped in (the swap is
its rename), and ``secrets.cfg`` opens with the old password until the rename, with the new one
after it. ``doctor`` reports such a leftover and ``doctor --repair`` (or the next ``passwd``)
deletes it.
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from keyrings.cryptfile.escape import escape, unescape
from pydantic import SecretStr

from .encrypted_file import EncryptedFileKeyring, secrets_file_exists, start_afresh
from .errors import SecretStoreUnavailable, StoreError
from .factory import VAULT, Accounts, store_choice
from .index import AccountIndex, AccountRecord
from .locations import Locations, display_path
from .secret_store import DEFAULT_TIMEOUT, ENCRYPTED_FILE, SERVICE, describe_secret_backend


class NoMasterPassword(StoreError):
    """The store in use has no master password to change: an OS keyring, a Vault, or no file yet."""


def encrypted_file_in_use(
    locations: Locations, environ: Mapping[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Path:
    """The encrypted file this box's secrets are kept in; ``NoMasterPassword`` if they are not in one."""
    if store_choice(environ) == VAULT:
        raise NoMasterPassword("the secrets are kept in OpenBao / Vault: there is no master password to change")
    kind, description = describe_secret_backend(locations, timeout, pinned=AccountIndex(locations).pinned_backend())
    if kind != ENCRYPTED_FILE:
        raise NoMasterPassword(f"the secrets are kept in the {description}: there is no master password to change")
    return _existing_file(locations)


def change_master_password(locations: Locations, old: SecretStr, new: SecretStr) -> int:
    """Re-encrypt the file with ``new``; the number of entries. ``WrongMasterPassword`` (and nothing
    changed) if ``old`` does not open it."""
    opened = EncryptedFileKeyring(_existing_file(locations), old, lock_path=locations.secrets_lock)
    return opened.change_password(old, new)


def change_open_store_password(store: Accounts, old: SecretStr, new: SecretStr) -> int:
    """The same for a store this process has open (the app's), which goes on working with ``new``."""
    backend = getattr(getattr(store, "secrets", None), "backend", None)
    if not isinstance(backend, EncryptedFileKeyring):
        raise NoMasterPassword(f"the secrets are kept in the {store.description}: there is no master password to change")
    return backend.change_password(old, new)


@dataclass
class Loss:
    """What a reset loses: the listed accounts whose secrets are in the file, and unlisted entries."""

    accounts: list[AccountRecord] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"{record.label} ({record.exchange}, key {record.key_prefix})" for record in self.accounts]
        return lines + [f"{account} (a secret no account lists)" for account in self.unlisted]


def what_a_reset_loses(locations: Locations) -> Loss:
    """The file's entries, read without its password (their names are not encrypted), against the index."""
    stored = _account_ids_in(locations.secrets_file)
    records = AccountIndex(locations).load().accounts
    listed = {record.account_id for record in records}
    return Loss(
        accounts=[record for record in records if record.account_id in stored],
        unlisted=sorted(stored - listed),
    )


def reset_master_password(locations: Locations, new: SecretStr, when: datetime | None = None) -> Path:
    """Keep the file aside (``secrets.cfg.forgotten-<time>``, 0600) and start an empty one with ``new``;
    the index keeps its accounts, whose secrets are then missing until each key is put in again."""
    return start_afresh(_existing_file(locations), new, lock_path=locations.secrets_lock, when=when or datetime.now(UTC))


def _existing_file(locations: Locations) -> Path:
    path = locations.secrets_file
    if not secrets_file_exists(path):
        raise NoMasterPassword(
            f"there is no encrypted file {display_path(path)} yet, so no master password to change: "
            "the first add creates it"
        )
    return path


def _account_ids_in(path: Path) -> frozenset[str]:
    config = configparser.RawConfigParser()
    try:
        config.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError, configparser.Error) as problem:
        raise SecretStoreUnavailable(
            f"the encrypted secrets file {display_path(path)} cannot be read ({type(problem).__name__}): nothing was changed"
        ) from None
    section = escape(SERVICE)
    return frozenset(unescape(option) for option in config.options(section)) if config.has_section(section) else frozenset()
