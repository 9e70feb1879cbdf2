"""The encrypted-file fallback: keyrings.cryptfile's ``CryptFileKeyring``, constructed by us.

The file format is the library's own (Argon2id key derivation, AES-GCM with the service and
user as associated data), so the stock library can still read it. What we change:

- The file lives where we say (our data folder) and is rewritten atomically (temp file,
  fsync, rename) under a lock, so a crash or a second process never truncates it or loses
  an update; the stock backend rewrites it in place.
- The master password comes only from us. A wrong one raises ``WrongMasterPassword``; the
  library would otherwise ask on the terminal with ``getpass``, or fail with a bare
  ``ValueError``.
- Argon2 runs once per process. The stock backend draws a fresh salt for every entry and so
  derives a key (about 0.45 s here) on every read and write. We reuse the salt of the
  file's password reference for the entries we write and keep each derived key, so opening
  the file pays one derivation and later reads and writes pay none. Every encryption still
  gets its own random 128-bit GCM nonce.
"""

from __future__ import annotations

import configparser
import io
import json
import os
from base64 import decodebytes, encodebytes
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from Crypto.Cipher import AES
from keyring.compat import properties
from keyring.errors import PasswordDeleteError
from keyrings.cryptfile.cryptfile import CryptFileKeyring
from keyrings.cryptfile.escape import escape, unescape
from pydantic import SecretStr

from .errors import SecretStoreUnavailable, WrongMasterPassword
from .files import atomic_write, file_lock

_SETTINGS = "keyring-setting"
_REFERENCE = "password reference"
_REFERENCE_VALUE = "password reference value"
_SALT_BYTES = 16


class EncryptedFileKeyring(CryptFileKeyring):
    """A ``CryptFileKeyring`` at ``path``, opened with ``password``; raises if it cannot be opened."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("exchange-tui constructs this backend itself; keyring must not pick it")

    def __init__(self, path: Path, password: SecretStr, *, lock_path: Path, lock_timeout: float = 10.0) -> None:
        super().__init__()
        self.file_path = str(path)
        self._lock_path = lock_path
        self._lock_timeout = lock_timeout
        self._keys: dict[bytes, bytes] = {}
        self._salt = b""
        if not password.get_secret_value().strip():
            raise SecretStoreUnavailable(f"the master password for {path} is empty: set a non-empty one")
        self.keyring_key = password.get_secret_value()

    def usernames(self, service: str) -> frozenset[str]:
        """Every user stored under ``service`` (the file keeps them lower-cased)."""
        config = self._read_config()
        section = escape(service)
        if not config.has_section(section):
            return frozenset()
        return frozenset(unescape(option) for option in config.options(section))

    # keyrings.cryptfile hooks -----------------------------------------------------------

    def _create_cipher(self, password, salt, nonce=None):
        key = self._keys.get(salt)
        if key is None:
            key = hash_secret_raw(
                secret=password.encode(self.password_encoding),
                salt=salt,
                time_cost=self.time_cost,
                memory_cost=self.memory_cost,
                parallelism=self.parallelism,
                hash_len=16,
                type=Type.ID,
            )
            self._keys[salt] = key
        return AES.new(key, self._get_mode(self.aesmode), nonce)

    def encrypt(self, password, assoc=None):
        cipher = self._create_cipher(self.keyring_key, self._salt)
        if assoc is not None:
            cipher.update(assoc)
        data, mac = cipher.encrypt_and_digest(password)
        fields = {"salt": self._salt, "data": data, "mac": mac, "nonce": cipher.nonce}
        return json.dumps({name: encodebytes(value).decode()[:-1] for name, value in fields.items()}).encode()

    def _check_file(self):
        config = self._read_config()
        if not config.has_option(escape(_SETTINGS), escape(_REFERENCE)):
            return False
        try:
            self._check_scheme(config)
        except AttributeError:
            pass  # files of old library versions carry no scheme; the library accepts them too
        except ValueError as exc:
            raise SecretStoreUnavailable(
                f"the encrypted secrets file {self.file_path} uses another encryption scheme ({exc})"
            ) from None
        self._check_version(config)
        return True

    def _init_file(self):
        with self._locked():
            config = self._read_config()
            if config.has_option(escape(_SETTINGS), escape(_REFERENCE)):
                created_meanwhile = True
            else:
                created_meanwhile = False
                self._salt = os.urandom(_SALT_BYTES)
                self._set(config, _SETTINGS, _REFERENCE, self._sealed(_SETTINGS, _REFERENCE, _REFERENCE_VALUE))
                self._set(config, _SETTINGS, "scheme", self.scheme)
                self._set(config, _SETTINGS, "version", self.version)
                self._write_config(config)
        if created_meanwhile:
            self._unlock()

    def _unlock(self):
        self._salt = self._reference_salt()
        try:
            opened = self.get_password(_SETTINGS, _REFERENCE) == _REFERENCE_VALUE
        except ValueError:
            opened = False
        if not opened:
            self._keys.clear()
            self._keyring_key = None
            raise WrongMasterPassword(
                f"the master password does not open {self.file_path}: "
                "check EXCHANGE_TUI_MASTER_PASSWORD (or what you typed)"
            )

    def _get_new_password(self):
        raise SecretStoreUnavailable("no master password was given for the encrypted secrets file")

    def _write_config_value(self, service, key, value):
        with self._locked():
            config = self._read_config()
            self._set(config, service, key, value)
            self._write_config(config)

    def delete_password(self, service, username):
        with self._locked():
            config = self._read_config()
            section = escape(service)
            if not config.has_section(section) or not config.remove_option(section, escape(username)):
                raise PasswordDeleteError("Password not found")
            self._write_config(config)

    # helpers ---------------------------------------------------------------------------

    def _locked(self):
        return file_lock(
            self._lock_path,
            self._lock_timeout,
            lambda: SecretStoreUnavailable(
                f"the encrypted secrets file {self.file_path} is locked by another exchange-tui process"
            ),
        )

    def _read_config(self) -> configparser.RawConfigParser:
        config = configparser.RawConfigParser()
        try:
            config.read(self.file_path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError) as exc:
            raise SecretStoreUnavailable(
                f"the encrypted secrets file {self.file_path} is damaged ({type(exc).__name__}): "
                "restore it from a backup or move it away"
            ) from None
        return config

    def _write_config(self, config: configparser.RawConfigParser) -> None:
        text = io.StringIO()
        config.write(text)
        atomic_write(Path(self.file_path), text.getvalue().encode("utf-8"))

    def _reference_salt(self) -> bytes:
        config = self._read_config()
        try:
            sealed = decodebytes(config.get(escape(_SETTINGS), escape(_REFERENCE)).encode())
            return decodebytes(json.loads(sealed)["salt"].encode())
        except (configparser.Error, ValueError, KeyError, TypeError, AttributeError):
            raise SecretStoreUnavailable(
                f"the encrypted secrets file {self.file_path} has no readable password reference: "
                "restore it from a backup or move it away"
            ) from None

    def _sealed(self, service: str, username: str, value: str) -> str:
        encrypted = self.encrypt(value.encode("utf-8"), self._generate_assoc(service, username))
        return "\n" + encodebytes(encrypted).decode()

    @staticmethod
    def _set(config: configparser.RawConfigParser, service: str, key: str, value: str) -> None:
        section = escape(service)
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, escape(key), value)
