"""Typed errors of the store. Every message is one line a person can act on, and none holds a secret."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises on purpose."""


class SecretStoreUnavailable(StoreError):
    """No secret store can be used in this session (the CLI exits with code 4)."""


class WrongMasterPassword(SecretStoreUnavailable):
    """The master password does not open the encrypted secrets file."""


class SecretStoreTimeout(SecretStoreUnavailable):
    """The OS keyring did not answer in time (for example a locked desktop session, reached over SSH)."""


class SecretStoreError(StoreError):
    """The secret store is usable but one operation on it failed."""


class CorruptSecret(SecretStoreError):
    """The stored document of one account is not the JSON we write."""
