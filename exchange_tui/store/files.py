"""Private files written atomically, and advisory locks with a timeout."""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .errors import StoreFileUnavailable
from .locations import PRIVATE_FILE_MODE

_FIRST_RETRY = 0.005
_LONGEST_RETRY = 0.1


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a reader, or a crash, sees the old file or the new one.

    The temporary file is made 0600 in the same folder (so the rename cannot cross file
    systems), flushed to disk, renamed over ``path``, and the folder is synced so the rename
    itself survives a power cut. A failure (a full disk, a read-only file system, a folder's
    modes) is ``StoreFileUnavailable`` naming ``path`` and the cause.
    """
    try:
        tmp = _complete_temporary(path, data)
        try:
            os.replace(tmp, path)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        fsync_dir(path.parent)
    except OSError as error:
        raise StoreFileUnavailable("write", path, error) from None


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``, complete or not at all; ``FileExistsError`` if it exists already.

    Like :func:`atomic_write`, but the finished temporary file is hard-linked into place, which,
    unlike a rename, never replaces a file that is there. Any other failure is ``StoreFileUnavailable``.
    """
    try:
        tmp = _complete_temporary(path, data)
        try:
            os.link(tmp, path)
        finally:
            with suppress(FileNotFoundError):
                os.unlink(tmp)
        fsync_dir(path.parent)
    except FileExistsError:
        raise
    except OSError as error:
        raise StoreFileUnavailable("create", path, error) from None


def _complete_temporary(path: Path, data: bytes) -> str:
    """A 0600 temporary file beside ``path`` holding ``data``, flushed to disk."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def file_lock(path: Path, timeout: float, on_timeout: Callable[[], Exception]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created 0600, never deleted) for the block.

    ``flock`` has no timeout of its own, so we retry a non-blocking attempt with a short,
    growing pause until ``timeout`` has passed, then raise ``on_timeout()``. The lock is
    released when the file is closed, also when the process dies.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    except OSError as exc:
        raise StoreFileUnavailable("open the lock file", path, exc) from None
    try:
        if not _acquire(fd, timeout):
            raise on_timeout()
        yield
    finally:
        os.close(fd)


def _acquire(fd: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    pause = _FIRST_RETRY
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, _LONGEST_RETRY)

