"""The encrypted-file fallback: keyrings.cryptfile's file format, read and written by us.

The file format is the library's own (Argon2id key derivation, AES-GCM with the service and
user as associated data), so the stock library can still read it. What we change:

- The file is opened explicitly, and only a file that does not exist is ever created. Any other
  failure to open it (permissions, an owner that is not us, too many open files) makes the store
  unavailable, naming the file and the cause; a file that exists but does not parse, or lacks
  its password reference, is refused as damaged. Nothing is ever written over a file we could
  not read: the library's ``configparser.read()`` silently skips such a file, and a store that
  then initialised itself over it lost every key.
- The file lives where we say (our data folder) and is rewritten atomically (temp file,
  fsync, rename) under a lock, so a crash or a second process never truncates it or loses
  an update; the stock backend rewrites it in place.
- The master password comes only from us and stays a ``SecretStr`` until the one expression
  that encodes it for Argon2. Failures there (a password that is not valid text, Argon2 out of
  memory) become a store error raised from a frame that holds no password, so no traceback or
  crash report (Textual's prints every local) can show it. A wrong password raises
  ``WrongMasterPassword``; the library would otherwise ask on the terminal with ``getpass``.
- Argon2 runs once per process. The stock backend draws a fresh salt for every entry and so
  derives a key (about 0.45 s here) on every read and write. We reuse the salt of the
  file's password reference for the entries we write and keep each derived key, so opening
  the file pays one derivation and later reads and writes pay none. Every encryption still
  gets its own random 128-bit GCM nonce.
"""

from __future__ import annotations

import configparser
import hmac
import io
import json
import os
from base64 import decodebytes, encodebytes
from datetime import UTC, datetime
from pathlib import Path

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw
from Crypto.Cipher import AES
from keyring.compat import properties
from keyring.errors import PasswordDeleteError
from keyrings.cryptfile.cryptfile import CryptFileKeyring
from keyrings.cryptfile.escape import escape, unescape
from pydantic import SecretStr

from .errors import SecretStoreError, SecretStoreUnavailable, StoreFileUnavailable, WrongMasterPassword
from .files import atomic_write, file_lock, fsync_dir, write_new

_SETTINGS = "keyring-setting"
_REFERENCE = "password reference"
_REFERENCE_VALUE = "password reference value"
_SALT_BYTES = 16
_KEY_BYTES = 16


def secrets_file_exists(path: Path) -> bool:
    """Whether the file is there; ``SecretStoreUnavailable`` if we cannot even tell (a folder we may not enter)."""
    try:
        path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise SecretStoreUnavailable(_cannot_open(path, exc)) from None
    return True


class EncryptedFileKeyring(CryptFileKeyring):
    """The encrypted file at ``path``, opened (or, if it does not exist, created) with ``password``."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("exchange-tui constructs this backend itself; keyring must not pick it")

    def __init__(self, path: Path, password: SecretStr, *, lock_path: Path, lock_timeout: float = 10.0) -> None:
        self._setup(path, password, lock_path, lock_timeout)
        config = self._read_config(missing_ok=True)
        if config is None:
            config = self._create()
        self._unlock(config)

    def _setup(self, path: Path, password: SecretStr, lock_path: Path, lock_timeout: float) -> None:
        super().__init__()
        self.file_path = str(path)
        self._path = path
        self._lock_path = lock_path
        self._lock_timeout = lock_timeout
        self._password = password
        self._keys: dict[bytes, bytes] = {}
        self._salt = b""
        if not password.get_secret_value().strip():
            raise SecretStoreUnavailable(f"the master password for {path} is empty: set a non-empty one")

    @classmethod
    def _unopened(cls, path: Path, password: SecretStr, lock_path: Path) -> EncryptedFileKeyring:
        """An instance that seals with ``password`` and has touched no file (for a file still to be written)."""
        keyring = cls.__new__(cls)
        keyring._setup(path, password, lock_path, 0)
        return keyring

    @property
    def keyring_key(self):
        raise RuntimeError("the master password is kept as a SecretStr; the library's keyring_key is never used")

    # the entries -----------------------------------------------------------------------

    def get_password(self, service: str, username: str) -> str | None:
        config = self._current_config()
        try:
            return self._plain(config, service, username)
        except (configparser.NoSectionError, configparser.NoOptionError):
            return None

    def set_password(self, service: str, username: str, password: str) -> None:
        value = self._sealed(service, username, password)
        del password  # the plain document: not in this frame when a failed write's traceback shows it
        with self._locked():
            config = self._current_config()
            self._set(config, service, username, value)
            self._write_config(config)

    def delete_password(self, service: str, username: str) -> None:
        with self._locked():
            config = self._current_config()
            section = escape(service)
            if not config.has_section(section) or not config.remove_option(section, escape(username)):
                raise PasswordDeleteError("Password not found")
            self._write_config(config)

    def usernames(self, service: str) -> frozenset[str]:
        """Every user stored under ``service`` (the file keeps them lower-cased)."""
        config = self._current_config()
        section = escape(service)
        if not config.has_section(section):
            return frozenset()
        return frozenset(unescape(option) for option in config.options(section))

    def encrypt(self, password: bytes, assoc: bytes | None = None) -> bytes:
        cipher = AES.new(self._key(self._salt), self._get_mode(self.aesmode))
        if assoc is not None:
            cipher.update(assoc)
        data, mac = cipher.encrypt_and_digest(password)
        fields = {"salt": self._salt, "data": data, "mac": mac, "nonce": cipher.nonce}
        return json.dumps({name: encodebytes(value).decode()[:-1] for name, value in fields.items()}).encode()

    def decrypt(self, password_encrypted: bytes, assoc: bytes | None = None) -> bytes:
        fields = {name: decodebytes(value.encode()) for name, value in json.loads(password_encrypted.decode()).items()}
        cipher = AES.new(self._key(fields["salt"]), self._get_mode(self.aesmode), fields["nonce"])
        if assoc is not None:
            cipher.update(assoc)
        return cipher.decrypt_and_verify(fields["data"], fields["mac"])

    # the master password ---------------------------------------------------------------

    def change_password(self, old: SecretStr, new: SecretStr) -> int:
        """Re-encrypt every entry with ``new`` (and a new salt) into the staged file beside this one,
        read each back from it with ``new``, then rename it over this one; the number of entries.
        ``WrongMasterPassword``, and nothing changed, if ``old`` is not the password this file opened with.

        All under the file's lock, so no writer comes between. A kill leaves this file as it was
        (perhaps with the staged file beside it, never swapped in: the swap is its rename) or the
        new file in its place.
        """
        if not hmac.compare_digest(old.get_secret_value().encode(), self._password.get_secret_value().encode()):
            raise WrongMasterPassword(f"that is not the master password of {self.file_path}: nothing was changed")
        with self._locked():
            config = self._current_config()
            plain = {key: SecretStr(self._plain(config, *key)) for key in _entries(config)}
            staged = staged_path(self._path)
            sealer = EncryptedFileKeyring._unopened(staged, new, self._lock_path)
            content = sealer._fresh_config()
            for (service, username), value in plain.items():
                sealer._set(content, service, username, sealer._sealed(service, username, value.get_secret_value()))
            _stage(staged, _text(content))
            try:
                written = EncryptedFileKeyring(staged, new, lock_path=self._lock_path)
                read_back = written._read_config()
                if {key: SecretStr(written._plain(read_back, *key)) for key in _entries(read_back)} != plain:
                    raise SecretStoreError(
                        f"the re-encrypted copy of {self.file_path} did not read back the same: nothing was changed"
                    )
                _swap_in(staged, self._path)
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
        self._password, self._salt, self._keys = new, sealer._salt, dict(sealer._keys)
        return len(plain)

    # opening ---------------------------------------------------------------------------

    def _create(self) -> configparser.RawConfigParser:
        """A new file with its password reference; if another process created one meanwhile, that one."""
        with self._locked():
            config = self._read_config(missing_ok=True)
            if config is not None:
                return config
            config = self._fresh_config()
            try:
                write_new(self._path, _text(config))
            except FileExistsError:
                created = self._read_config()
            else:
                return config
        return created

    def _fresh_config(self) -> configparser.RawConfigParser:
        """A file's content with no entries: a new salt and its password reference."""
        self._salt = os.urandom(_SALT_BYTES)
        config = configparser.RawConfigParser()
        self._set(config, _SETTINGS, _REFERENCE, self._sealed(_SETTINGS, _REFERENCE, _REFERENCE_VALUE))
        self._set(config, _SETTINGS, "scheme", self.scheme)
        self._set(config, _SETTINGS, "version", self.version)
        return config

    def _unlock(self, config: configparser.RawConfigParser) -> None:
        self._salt = self._reference_salt(config)
        try:
            opened = self._entry(config, _SETTINGS, _REFERENCE) == _REFERENCE_VALUE
        except ValueError:
            opened = False
        if not opened:
            self._keys.clear()
            raise WrongMasterPassword(
                f"the master password does not open {self.file_path}: "
                "check what --master-password-fd, EXCHANGE_TUI_MASTER_PASSWORD_FILE or EXCHANGE_TUI_MASTER_PASSWORD "
                "gave, or what you typed"
            )

    def _key(self, salt: bytes) -> bytes:
        """The AES key for ``salt``, derived once. The password is encoded inside the call and held
        by no local, and a failure is raised from here, after the frames that saw it are gone."""
        key = self._keys.get(salt)
        if key is not None:
            return key
        problem = None
        try:
            key = hash_secret_raw(
                secret=self._password.get_secret_value().encode(self.password_encoding),
                salt=salt,
                time_cost=self.time_cost,
                memory_cost=self.memory_cost,
                parallelism=self.parallelism,
                hash_len=_KEY_BYTES,
                type=Type.ID,
            )
        except UnicodeEncodeError:
            problem = (
                "the master password is not valid text (it came from a terminal or environment in another "
                "encoding than UTF-8): type it again in a UTF-8 terminal, or pass it from a UTF-8 file"
            )
        except (HashingError, MemoryError):
            problem = (
                f"the key of {self.file_path} could not be derived: Argon2 needs {self.memory_cost // 1024} MiB "
                "of memory (check ulimit -v and the memory left)"
            )
        if problem is not None:
            raise SecretStoreUnavailable(problem)
        self._keys[salt] = key
        return key

    # the file --------------------------------------------------------------------------

    def _read_config(self, *, missing_ok: bool = False) -> configparser.RawConfigParser | None:
        """The file's content, checked: our reference is there and the scheme is ours.

        ``None`` if the file does not exist and ``missing_ok``; every other failure is an error.
        """
        problem = None
        try:
            with open(self._path, encoding="utf-8") as file:
                text = file.read()
        except FileNotFoundError:
            if missing_ok:
                return None
            problem = f"the encrypted secrets file {self.file_path} has disappeared: restore it from a backup"
        except UnicodeDecodeError:
            problem = self._damaged("it is not text")
        except OSError as exc:
            problem = _cannot_open(self._path, exc)
        if problem is not None:
            raise SecretStoreUnavailable(problem)
        config = configparser.RawConfigParser()
        try:
            config.read_string(text, source=self.file_path)
        except configparser.Error as exc:
            raise SecretStoreUnavailable(self._damaged(type(exc).__name__)) from None
        if not config.has_option(escape(_SETTINGS), escape(_REFERENCE)):
            raise SecretStoreUnavailable(self._damaged("it has no password reference"))
        self._check_scheme_of(config)
        return config

    def _check_scheme_of(self, config: configparser.RawConfigParser) -> None:
        try:
            self._check_scheme(config)
        except AttributeError:
            pass  # files of old library versions carry no scheme; the library accepts them too
        except ValueError as exc:
            raise SecretStoreUnavailable(
                f"the encrypted secrets file {self.file_path} uses another encryption scheme ({exc})"
            ) from None
        self._check_version(config)

    def _damaged(self, reason: str) -> str:
        return (
            f"the encrypted secrets file {self.file_path} is damaged ({reason}): "
            "restore it from a backup or move it away; it was left as it is"
        )

    def _write_config(self, config: configparser.RawConfigParser) -> None:
        atomic_write(self._path, _text(config))

    def _reference_salt(self, config: configparser.RawConfigParser) -> bytes:
        try:
            sealed = decodebytes(config.get(escape(_SETTINGS), escape(_REFERENCE)).encode())
            return decodebytes(json.loads(sealed)["salt"].encode())
        except (configparser.Error, ValueError, KeyError, TypeError, AttributeError):
            raise SecretStoreUnavailable(self._damaged("its password reference is not readable")) from None

    def _current_config(self) -> configparser.RawConfigParser:
        """The file's content, if it is still the file this process opened: after ``exchange-tui passwd``
        swapped in a file with another salt and password, nothing is read or written with the old key."""
        config = self._read_config()
        if self._reference_salt(config) != self._salt:
            raise SecretStoreUnavailable(
                f"the master password of {self.file_path} was changed by another process (exchange-tui passwd): "
                "start again with the new one"
            )
        return config

    def _plain(self, config: configparser.RawConfigParser, service: str, username: str) -> str:
        """An entry's text, also of one sealed without associated data (the library's own fallback)."""
        try:
            return self._entry(config, service, username)
        except ValueError:
            return self._entry(config, service, username, assoc=False)

    def _entry(self, config: configparser.RawConfigParser, service: str, username: str, *, assoc: bool = True) -> str:
        sealed = decodebytes(config.get(escape(service), escape(username)).encode())
        return self.decrypt(sealed, self._generate_assoc(service, username) if assoc else None).decode("utf-8")

    def _sealed(self, service: str, username: str, value: str) -> str:
        encrypted = self.encrypt(value.encode("utf-8"), self._generate_assoc(service, username))
        return "\n" + encodebytes(encrypted).decode()

    def _locked(self):
        return _file_lock(self._path, self._lock_path, self._lock_timeout)

    @staticmethod
    def _set(config: configparser.RawConfigParser, service: str, key: str, value: str) -> None:
        section = escape(service)
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, escape(key), value)


def staged_path(path: Path) -> Path:
    """Where ``exchange-tui passwd`` writes the file's successor before renaming it into place."""
    return path.with_name(f"{path.name}.new")


def forgotten_path(path: Path, when: datetime) -> Path:
    """Where ``exchange-tui passwd --reset`` keeps the file whose password was forgotten."""
    return path.with_name(f"{path.name}.forgotten-{when.astimezone(UTC):%Y%m%dT%H%M%S%fZ}")


def leftover_files(path: Path) -> list[Path]:
    """What a killed run left beside the file: the staged successor (never swapped in, as the swap is
    its rename, so the file in place is still the one in use) and unfinished temporary files."""
    staged = staged_path(path)
    return ([staged] if staged.exists() else []) + sorted(path.parent.glob(f".{path.name}.*.tmp"))


def remove_leftovers(path: Path, *, lock_path: Path, lock_timeout: float = 10.0) -> list[Path]:
    """Delete :func:`leftover_files` under the file's lock (so none belongs to a run still going)."""
    with _file_lock(path, lock_path, lock_timeout):
        found = leftover_files(path)
        for leftover in found:
            leftover.unlink(missing_ok=True)
        if found:
            fsync_dir(path.parent)
    return found


def start_afresh(path: Path, new: SecretStr, *, lock_path: Path, when: datetime, lock_timeout: float = 10.0) -> Path:
    """For a forgotten password: keep the file as :func:`forgotten_path` (its entries stay sealed with
    the old password there) and put an empty file opened by ``new`` in its place; where it was kept."""
    sealer = EncryptedFileKeyring._unopened(path, new, lock_path)
    with _file_lock(path, lock_path, lock_timeout):
        staged = staged_path(path)
        _stage(staged, _text(sealer._fresh_config()))
        aside = forgotten_path(path, when)
        try:
            os.link(path, aside)
            _swap_in(staged, path)
        except OSError as error:
            staged.unlink(missing_ok=True)
            raise StoreFileUnavailable("move aside", path, error) from None
    return aside


def _stage(staged: Path, data: bytes) -> None:
    """Write the staged file complete; one there already is a killed run's (the caller holds the lock)."""
    try:
        write_new(staged, data)
    except FileExistsError:
        staged.unlink()
        write_new(staged, data)


def _swap_in(staged: Path, path: Path) -> None:
    try:
        os.replace(staged, path)
        fsync_dir(path.parent)
    except OSError as error:
        raise StoreFileUnavailable("replace", path, error) from None


def _file_lock(path: Path, lock_path: Path, timeout: float):
    return file_lock(
        lock_path,
        timeout,
        lambda: SecretStoreUnavailable(f"the encrypted secrets file {path} is locked by another exchange-tui process"),
    )


def _entries(config: configparser.RawConfigParser) -> list[tuple[str, str]]:
    """``(service, user)`` of every entry but the file's own settings."""
    return [
        (unescape(section), unescape(option))
        for section in config.sections()
        if section != escape(_SETTINGS)
        for option in config.options(section)
    ]


def _text(config: configparser.RawConfigParser) -> bytes:
    text = io.StringIO()
    config.write(text)
    return text.getvalue().encode("utf-8")


def _cannot_open(path: Path, exc: OSError) -> str:
    return (
        f"the encrypted secrets file {path} cannot be opened ({exc.strerror or type(exc).__name__}): "
        "it must be yours and readable by you (mode 0600); nothing was changed"
    )
