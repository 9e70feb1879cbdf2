"""``python -m exchange_tui ARGS`` with a probe inside, for test_hardening.py: run as a script.

Core dumps are allowed first, as on a box where they are on (the soft RLIMIT_CORE raised to the
hard one). At the first opening of a file whose name ends with ``PROBE_FILE_NAME`` (the moment a
secret is about to be read), an audit hook writes one JSON line to the file descriptor
``PROBE_FD``: whether the process is dumpable and its RLIMIT_CORE then, and the same before the app
started, so a test can tell the app changed them. The probe asks the kernel itself: it uses none
of the app's code.
"""

import ctypes
import json
import os
import resource
import runpy
import sys

PR_GET_DUMPABLE = 3

libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
report = os.fdopen(int(os.environ.pop("PROBE_FD")), "w")
file_name = os.environ.pop("PROBE_FILE_NAME")


def state() -> dict:
    return {"dumpable": libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), "rlimit_core": list(resource.getrlimit(resource.RLIMIT_CORE))}


_, hard = resource.getrlimit(resource.RLIMIT_CORE)
resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
before = state()
reported = False


def on_open(event: str, args: tuple) -> None:
    global reported
    if event != "open" or reported or not isinstance(args[0], str | bytes | os.PathLike):
        return
    if os.fsdecode(args[0]).endswith(file_name):
        reported = True
        report.write(json.dumps({"before": before, "at_open": state()}) + "\n")
        report.flush()


sys.addaudithook(on_open)
runpy.run_module("exchange_tui", run_name="__main__", alter_sys=True)
