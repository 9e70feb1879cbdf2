"""Where accounts are kept: secrets in the OS keyring (or an encrypted file), the rest in an index.

Plain Python, no Textual.
"""

from .errors import (
    CorruptSecret,
    IndexCorrupt,
    IndexTooNew,
    InvalidAccountName,
    LockTimeout,
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
    "AccountIndex",
    "AccountRecord",
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
