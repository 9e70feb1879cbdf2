"""Where accounts are kept: secrets in the OS keyring (or an encrypted file), the rest in an index.

Plain Python, no Textual.
"""

from .errors import (
    CorruptSecret,
    SecretStoreError,
    SecretStoreTimeout,
    SecretStoreUnavailable,
    StoreError,
    WrongMasterPassword,
)
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
    "CorruptSecret",
    "KeyringSecretStore",
    "Locations",
    "OsKeyring",
    "PasswordSource",
    "SecretStore",
    "SecretStoreError",
    "SecretStoreTimeout",
    "SecretStoreUnavailable",
    "StoreError",
    "WrongMasterPassword",
    "describe_secret_backend",
    "find_os_keyring",
    "master_password_from_env_or_terminal",
    "open_encrypted_file",
    "open_secret_store",
]
