"""A small real file system for one test, to fill up or make read-only: a tmpfs mounted in a folder.

Mounting needs root (the tests run as root in a container). Where the machine refuses, the test is
skipped, saying why: a full disk is not faked.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHUNK = bytes(4096)


class Disk:
    """The mounted tmpfs at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.filler = root / "filler"

    def fill(self) -> None:
        """Take every free block, so the next write of any data fails with ENOSPC."""
        with open(self.filler, "ab", buffering=0) as filler:
            try:
                while True:
                    filler.write(CHUNK)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise

    def free(self) -> None:
        self.filler.unlink()

    def read_only(self) -> None:
        _run("mount", "-o", "remount,ro", str(self.root))


@contextmanager
def small_disk(folder: Path, size: str = "1m") -> Iterator[Disk]:
    """A tmpfs of ``size`` mounted at ``folder`` (made here) for the block; unmounted afterwards."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        reason = mounted.stderr.strip() or f"mount exited {mounted.returncode}"
        pytest.skip(f"this machine refuses to mount a tmpfs (uid {os.geteuid()}: {reason}), so no real full disk")
    try:
        yield Disk(folder)
    finally:
        _run("umount", "--lazy", str(folder))


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)
