"""``exchange-tui`` as a trading box runs it, in a process of its own: for the CLI and Vault tests."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MASTER_PASSWORD = "cli-tests-master-password"
"""The master password of the ``cli`` fixture's encrypted file."""

COMMAND = [sys.executable, "-m", "exchange_tui"]
CHECKOUT = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self):
        return json.loads(self.stdout)


def environment(base: dict[str, str], changes: dict[str, str | None] | None) -> dict[str, str]:
    """``base`` with ``changes`` applied: a value sets a variable, ``None`` takes it away."""
    return {name: value for name, value in (base | (changes or {})).items() if value is not None}


def this_checkout(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a process that imports the package from the checkout these tests are in, not from
    whichever checkout is installed (another worktree's, say); a PYTHONPATH it has comes after."""
    return env | {"PYTHONPATH": os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH")]))}


def run(args: tuple[str, ...], env: dict[str, str], stdin: str = "") -> Result:
    """Run one command to its end; it must never print a traceback."""
    done = subprocess.run(
        [*COMMAND, *args], input=stdin, capture_output=True, text=True, env=this_checkout(env), timeout=60
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Result(done.returncode, done.stdout, done.stderr)


def default_sigint() -> None:
    """For ``preexec_fn``: a child takes SIGINT as a terminal would send it. A shell that starts the
    tests as a background job (``&``) has them ignore SIGINT, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt(process: subprocess.Popen, timeout: float = 30) -> int:
    """Ctrl-C for ``process``: SIGINT, then its exit code; killed (and the test failed) if it does not stop."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"{process.args} did not stop on SIGINT within {timeout:g} s") from None


def start(args: tuple[str, ...], env: dict[str, str], stdin: str = "") -> subprocess.Popen:
    """Start a command without waiting for it; :func:`finish` waits."""
    process = subprocess.Popen(
        [*COMMAND, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=this_checkout(env),
        preexec_fn=default_sigint,
    )
    process.stdin.write(stdin)
    process.stdin.close()
    return process


def finish(process: subprocess.Popen, timeout: float = 60) -> Result:
    code = process.wait(timeout)
    result = Result(code, process.stdout.read(), process.stderr.read())
    assert "Traceback" not in result.stderr, result.stderr
    return result


WATCH_TIMEOUT = 30.0


def inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def kill_when_it_lands(process: subprocess.Popen, path: Path) -> bool:
    """SIGKILL ``process`` as soon as ``path`` is replaced (or appears); ``False`` if it ended first."""
    before = inode(path)
    return kill_when(process, lambda: inode(path) != before, f"{path} never changed")


def wait_for(process: subprocess.Popen, happened: Callable[[], bool], never: str) -> bool:
    """Return as soon as ``happened()``, watched without a pause; ``False`` if ``process`` ended first."""
    deadline = time.monotonic() + WATCH_TIMEOUT
    while not happened():
        if process.poll() is not None:
            return False
        assert time.monotonic() < deadline, never
    return True


def kill_when(process: subprocess.Popen, happened: Callable[[], bool], never: str) -> bool:
    """SIGKILL ``process`` as soon as ``happened()``; ``False`` if it ended first."""
    if not wait_for(process, happened, never):
        return False
    process.send_signal(signal.SIGKILL)
    process.wait()
    return True
