"""No core dumps from a process that may hold a secret.

A ``balance --watch`` aborted with core dumps allowed wrote a 57 MB core holding the API secret,
the passphrase and the master password (issue 11). So, before any secret is read, the CLI and
the app call :func:`forbid_core_dumps`:

- ``RLIMIT_CORE`` goes to 0, soft and hard, so nothing in the process can raise it again;
- on Linux, ``prctl(PR_SET_DUMPABLE, 0)`` as well: a ``core_pattern`` that pipes cores to a helper
  (systemd-coredump, apport) is not bound by ``RLIMIT_CORE`` (the kernel lifts it for pipes), but
  a process that is not dumpable is never dumped. It also makes ``/proc/PID/environ`` and the
  process's memory unreadable to the user's other processes (root still reads them).

Plain Python, two system calls: no Textual, nothing of the app imported.
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys

PR_SET_DUMPABLE = 4
"""From <linux/prctl.h>."""


def forbid_core_dumps() -> None:
    """Core dumps off for the rest of the process's life.

    Where the system refuses, one warning line on stderr and the process goes on: a sandbox that
    filters ``prctl`` should not stop the app, and it is told that a crash could leave a core.
    """
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if sys.platform.startswith("linux"):
            _not_dumpable()
    except OSError as problem:
        print(
            f"exchange-tui: warning: core dumps could not be turned off ({problem.strerror or problem}): "
            "a crash could write secrets to disk",
            file=sys.stderr,
        )


def _not_dumpable() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    if prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"prctl(PR_SET_DUMPABLE, 0): {os.strerror(code)}")
