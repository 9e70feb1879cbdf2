"""Typed errors of the store. Every message is one line a person can act on, and none holds a secret."""

from __future__ import annotations

import errno
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .index import AccountRecord

_NOT_YOURS = (errno.EACCES, errno.EPERM)
"""The causes a chown fixes: the file or folder belongs to someone else."""


class StoreError(Exception):
    """Base of every error the store raises on purpose."""


class SecretStoreUnavailable(StoreError):
    """No secret store can be used in this session (the CLI exits with code 4)."""


class WrongMasterPassword(SecretStoreUnavailable):
    """The master password does not open the encrypted secrets file."""


class SecretStoreTimeout(SecretStoreUnavailable):
    """The OS keyring did not answer in time (for example a locked desktop session, reached over SSH)."""


class StoreFileUnavailable(SecretStoreUnavailable):
    """A file or folder of the store cannot be read or written: a full disk, a read-only file system, its modes."""

    def __init__(self, action: str, path: Path, error: OSError) -> None:
        advice = " (it must be yours: after a sudo exchange-tui, give it back with chown)" if error.errno in _NOT_YOURS else ""
        super().__init__(f"cannot {action} {path}: {error.strerror or str(error) or type(error).__name__}{advice}")
        self.path = path
        self.errno = error.errno


class SecretStoreError(StoreError):
    """The secret store is usable but one operation on it failed."""


class CorruptSecret(SecretStoreError):
    """The stored document of one account is not the JSON we write."""


class InvalidAccountName(StoreError, ValueError):
    """A label or exchange name the store cannot hold."""


class AccountNotFound(StoreError, KeyError):
    def __init__(self, label: str) -> None:
        super().__init__(f"no account labelled {label!r}")
        self.label = label

    def __str__(self) -> str:
        return str(self.args[0])


class HalfWritten(AccountNotFound):
    """The account's key is stored without its details: an add cut short between the two writes.

    Not an account yet: adding the label again finishes it, removing it deletes it. ``record``
    is what is known of it (label, exchange, key prefix), for a remove to name what it deletes.
    """

    def __init__(self, record: AccountRecord) -> None:
        super().__init__(record.label)
        self.args = (
            f"account {record.label!r} was cut short while being added (its key {record.key_prefix} is stored "
            "without its details): add it again to finish it, or remove it",
        )
        self.record = record


class AccountExists(StoreError):
    def __init__(self, label: str) -> None:
        super().__init__(f"an account labelled {label!r} already exists (labels ignore case)")
        self.label = label


class SecretMissing(StoreError):
    """The index lists the account but the secret store has nothing for it."""

    def __init__(self, label: str, backend: str) -> None:
        super().__init__(
            f"account {label!r}: secret missing from the {backend}: "
            f"add the key again with exchange-tui rotate {label} (or remove the account)"
        )
        self.label = label


class IndexCorrupt(StoreError):
    """The account index could not be read; the damaged file was moved aside, never replaced."""

    def __init__(self, path: Path, moved_to: Path, reason: str) -> None:
        super().__init__(
            f"the account index {path} is damaged ({reason}); it was moved to {moved_to} "
            "and a new, empty index will be used: restore it from there or add the accounts again"
        )
        self.path = path
        self.moved_to = moved_to
        self.reason = reason


class IndexTooNew(StoreError):
    def __init__(self, path: Path, version: int) -> None:
        super().__init__(f"the account index {path} was written by a newer exchange-tui (format {version}): upgrade")
        self.path = path
        self.version = version


class LockTimeout(StoreError):
    """Another process (or thread) holds the lock for longer than we are willing to wait."""

    def __init__(self, what: str, path: Path, timeout: float) -> None:
        super().__init__(
            f"{what} is busy: another exchange-tui process holds {path} "
            f"(waited {timeout:g} s); try again when it has finished"
        )
        self.what = what
        self.path = path
        self.timeout = timeout


class AccountBusy(LockTimeout):
    def __init__(self, label: str, path: Path, timeout: float) -> None:
        super().__init__(f"account {label!r}", path, timeout)
        self.label = label


class VaultUnavailable(SecretStoreUnavailable):
    """OpenBao / Vault cannot serve this box: unreachable, sealed, a bad token, a missing policy, a wrong mount."""


class VaultUnreachable(VaultUnavailable):
    pass


class VaultSealed(VaultUnavailable):
    pass


class VaultTokenInvalid(VaultUnavailable):
    """The token is expired or revoked (or was never valid)."""


class VaultPermissionDenied(VaultUnavailable):
    """The token is valid but its policies do not grant ``capability`` on ``path``."""

    def __init__(self, message: str, *, path: str, capability: str) -> None:
        super().__init__(message)
        self.path = path
        self.capability = capability


class VaultWrongEngine(VaultUnavailable):
    """The mount is missing, not a KV engine, or KV version 1 where version 2 is needed."""


class RotatedElsewhere(StoreError):
    """Another box replaced the account's key between our read of its version and our write.

    Nothing was overwritten: the other box's key is in place and ours was not stored.
    """

    def __init__(self, label: str, *, by: str, at: datetime | None, version: int) -> None:
        when = at.strftime("%Y-%m-%d %H:%M:%S UTC") if at else "just now"
        super().__init__(
            f"account {label!r} was rotated elsewhere, by {by} at {when} (version {version}): "
            "its key is in place and yours was not stored; check the account, then rotate again if needed"
        )
        self.label = label
        self.by = by
        self.at = at
        self.version = version
