"""The encrypted file's master password: where it comes from, read once, a ``SecretStr`` throughout.

Its sources, the first one given wins:

1. ``--master-password-fd N``: a file descriptor the caller opened (``3<<<"$password"``, a pipe
   from a password manager), read to its end when the store first needs it, then closed;
2. ``EXCHANGE_TUI_MASTER_PASSWORD_FILE``: the path of a file holding it, such as the one systemd's
   ``LoadCredential=`` puts in ``$CREDENTIALS_DIRECTORY``. Like ssh with a private key, a file that
   anyone but this user and root may read or change is refused: it has leaked already, or someone
   else may choose the password of a new store. That is a file owned by another user, or with a
   read or write bit for others, or for its group or a user or group of its POSIX access list.
   (systemd gives the service's user read access by such a list on a root-owned 0400 file, which
   ``stat`` shows as mode 0440: the group bits are then the list's mask, so the list is read.)
3. ``EXCHANGE_TUI_MASTER_PASSWORD``: taken out of ``os.environ`` once read (so no child process and
   no crash report's locals see it), though the kernel's copy in ``/proc/PID/environ`` stays for
   the life of the process;
4. a no-echo prompt on a terminal (the app asks in a modal instead).

From a descriptor or a file exactly one trailing newline is dropped (``echo`` and editors add
one). Every value is decoded as UTF-8; one that is not, or that is empty, is refused in one line
naming its source and never showing a character of it.
"""

from __future__ import annotations

import getpass
import os
import stat
import struct
import sys
from collections.abc import MutableMapping
from pathlib import Path

from pydantic import SecretStr

from .errors import SecretStoreUnavailable
from .locations import display_path

MASTER_PASSWORD_ENV = "EXCHANGE_TUI_MASTER_PASSWORD"
MASTER_PASSWORD_FILE_ENV = "EXCHANGE_TUI_MASTER_PASSWORD_FILE"
MASTER_PASSWORD_FD_OPTION = "--master-password-fd"
MAX_BYTES = 64 * 1024
"""More than this from a descriptor or a file is not a password (``/dev/zero``, a wrong path)."""
ACCESS_LIST = "system.posix_acl_access"
"""The extended attribute holding a file's POSIX access list: a version, then (tag, permissions, id) entries."""
ACL_USER, ACL_GROUP_OBJ, ACL_GROUP, ACL_MASK = 0x02, 0x04, 0x08, 0x10
READ_OR_WRITE = 0o6
HOW_TO_GIVE = (
    f"pass {MASTER_PASSWORD_FD_OPTION} N, point {MASTER_PASSWORD_FILE_ENV} at a file, "
    f"set {MASTER_PASSWORD_ENV}, or run in a terminal to be asked for it"
)


class MasterPassword:
    """This process's master password from its first source given; also the store's ``PasswordSource``.

    ``fd`` is ``--master-password-fd``'s descriptor, if any. What the descriptor, the file or the
    environment gives is read once and kept, so asking again (the app, after a wrong password)
    reads nothing more.
    """

    def __init__(self, fd: int | None = None, environ: MutableMapping[str, str] | None = None) -> None:
        self.fd = fd
        self._environ = os.environ if environ is None else environ
        self._given: SecretStr | None = None
        self._read = False

    def given(self) -> SecretStr | None:
        """The password from the descriptor, the file or the environment; ``None`` if none is given."""
        if not self._read:
            self._given = self._first_given()
            self._read = True
        return self._given

    def __call__(self, path: Path, new: bool) -> SecretStr | None:
        """The given password, else a no-echo prompt if stdin is a terminal, else ``None``."""
        given = self.given()
        return given if given is not None else from_terminal(path, new)

    def _first_given(self) -> SecretStr | None:
        if self.fd is not None:
            return from_fd(self.fd)
        path = self._environ.get(MASTER_PASSWORD_FILE_ENV)
        if path:
            return from_file(Path(path))
        if not self._environ.get(MASTER_PASSWORD_ENV):
            return None
        return _decoded(os.fsencode(self._environ.pop(MASTER_PASSWORD_ENV)), MASTER_PASSWORD_ENV)


def master_password_from_env_or_terminal(path: Path, new: bool) -> SecretStr | None:
    """The store's default ``PasswordSource``: the file or the variable the environment names, else a
    prompt on a terminal, else ``None``."""
    return MasterPassword()(path, new)


def from_fd(fd: int) -> SecretStr:
    """Everything descriptor ``fd`` gives until its end, less one trailing newline; ``fd`` is closed."""
    source = f"{MASTER_PASSWORD_FD_OPTION} {fd}"
    return _decoded(_less_one_newline(_read(fd, source), source), source)


def from_file(path: Path) -> SecretStr:
    """The file's content less one trailing newline, if only its owner (this user or root) may use it."""
    source = f"{MASTER_PASSWORD_FILE_ENV}={path}"
    return _decoded(_less_one_newline(_read(path, source, private=True), source), source)


def _read(opened: int | Path, source: str, *, private: bool = False) -> bytes:
    """Up to one byte more than a password may have, from a descriptor or a path; with ``private``,
    only from a file no one else may use. The bytes go straight to the caller's next call, never
    into a local of a frame that an error could show in a traceback."""
    try:
        with open(opened, "rb") as stream:
            if private:
                _check_private(stream.fileno(), source, Path(opened))
            return stream.read(MAX_BYTES + 1)
    except OSError as problem:
        raise SecretStoreUnavailable(f"cannot read the master password from {source}: {problem.strerror}") from None


def from_terminal(path: Path, new: bool) -> SecretStr | None:
    """A no-echo prompt (twice for a new file) if stdin is a terminal, else ``None``."""
    if sys.stdin is None or not sys.stdin.isatty():
        return None
    if not new:
        return SecretStr(getpass.getpass(f"Master password for {display_path(path)}: "))
    password = SecretStr(getpass.getpass(f"New master password for {display_path(path)} (it cannot be recovered): "))
    if SecretStr(getpass.getpass("The same password again: ")) != password:
        raise SecretStoreUnavailable("the two master passwords differ: run the command again")
    return password


def _check_private(fd: int, source: str, path: Path) -> None:
    """Refuse the open file ``fd`` if anyone but this user and root may read or change it."""
    status = os.fstat(fd)
    if status.st_uid not in (os.geteuid(), 0):
        raise SecretStoreUnavailable(
            f"the master password is refused: {source} belongs to user {status.st_uid}, not to this user or root"
        )
    others = _others_who_may_use(stat.S_IMODE(status.st_mode), _access_list(fd))
    if others is not None:
        who, fix = others
        raise SecretStoreUnavailable(f"the master password is refused: {who} may read or change {source}: {fix} {path}")


def _others_who_may_use(mode: int, entries: list[tuple[int, int, int]]) -> tuple[str, str] | None:
    """Who besides the owner, this user and root may read or write, and the command that stops it."""
    if mode & READ_OR_WRITE:
        return f"every user (mode {mode:04o})", "chmod 600"
    if not entries:
        return (f"its group (mode {mode:04o})", "chmod 600") if (mode >> 3) & READ_OR_WRITE else None
    mask = next((permissions for tag, permissions, _ in entries if tag == ACL_MASK), 0o7)
    for tag, permissions, qualifier in entries:
        if not permissions & mask & READ_OR_WRITE:
            continue
        if tag in (ACL_GROUP_OBJ, ACL_GROUP):
            return "a group, by the file's access list,", "setfacl -b"
        if tag == ACL_USER and qualifier not in (os.geteuid(), 0):
            return f"user {qualifier}, by the file's access list,", "setfacl -b"
    return None


def _access_list(fd: int) -> list[tuple[int, int, int]]:
    """The file's POSIX access list entries, ``(tag, permissions, id)``; none where it has no list."""
    getxattr = getattr(os, "getxattr", None)  # Linux only
    if getxattr is None:
        return []
    try:
        data = getxattr(fd, ACCESS_LIST)
    except OSError:  # no list, or a file system without them
        return []
    return list(struct.iter_unpack("<HHI", data[4:]))


def _less_one_newline(raw: bytes, source: str) -> bytes:
    if len(raw) > MAX_BYTES:
        del raw  # the frame goes into the error's traceback, which must not show the bytes
        raise SecretStoreUnavailable(f"the master password is refused: {source} gives more than {MAX_BYTES} bytes")
    return raw[:-1] if raw.endswith(b"\n") else raw


def _decoded(raw: bytes, source: str) -> SecretStr:
    """``raw`` as text. Neither the decoding error (it would hold the bytes) nor the bytes are kept
    by the frame an error is raised from."""
    try:
        text = SecretStr(raw.decode("utf-8"))
    except UnicodeDecodeError:
        text = None
    del raw
    if text is None:
        raise SecretStoreUnavailable(f"the master password is not valid text: {source} holds bytes that are not UTF-8")
    if not text.get_secret_value():
        raise SecretStoreUnavailable(f"the master password is empty: {source} gives nothing")
    return text
