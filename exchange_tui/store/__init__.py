"""Where accounts are kept: secrets in the OS keyring (or an encrypted file), the rest in an index.

Plain Python, no Textual. The account service builds on :class:`AccountStore`.
"""

from .accounts import AccountStore, Reconciliation
from .errors import (
    AccountBusy,
    AccountExists,
    AccountNotFound,
    CorruptSecret,
    IndexCorrupt,
    IndexTooNew,
    InvalidAccountName,
    LockTimeout,
    SecretMissing,
    SecretStoreError,
    SecretStoreTimeout,
    SecretStoreUnavailable,
    StoreError,
    WrongMasterPassword,
)
from .index import AccountIndex, AccountRecord, CheckStatus, CheckSummary, IndexDocument, account_id
from .locations import Locations
from .secret_store import (
    MASTER_PASSWORD_ENV,
    SERVICE,
    KeyringSecretStore,
    OsKeyring,
    PasswordSource,
    SecretStore,
    describe_secret_backend,
    find_os_keyring,
    master_password_from_env_or_terminal,
    open_encrypted_file,
    open_secret_store,
)

__all__ = [
    "MASTER_PASSWORD_ENV",
    "SERVICE",
    "AccountBusy",
    "AccountExists",
    "AccountIndex",
    "AccountNotFound",
    "AccountRecord",
    "AccountStore",
    "CheckStatus",
    "CheckSummary",
    "CorruptSecret",
    "IndexCorrupt",
    "IndexDocument",
    "IndexTooNew",
    "InvalidAccountName",
    "KeyringSecretStore",
    "Locations",
    "LockTimeout",
    "OsKeyring",
    "PasswordSource",
    "Reconciliation",
    "SecretMissing",
    "SecretStore",
    "SecretStoreError",
    "SecretStoreTimeout",
    "SecretStoreUnavailable",
    "StoreError",
    "WrongMasterPassword",
    "account_id",
    "describe_secret_backend",
    "find_os_keyring",
    "master_password_from_env_or_terminal",
    "open_encrypted_file",
    "open_secret_store",
]
