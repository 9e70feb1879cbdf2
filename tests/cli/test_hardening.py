"""Core dumps are off in every process that may hold a secret: the CLI's commands, the app and the demo (issue 11).

Each runs as ``python -m exchange_tui`` under ``dump_probe.py``, which allows core dumps first and
reports, from inside the process, the moment the encrypted secrets file is first opened (the app
with ``--master-password-fd`` opens it only if the descriptor reached it). And a
``balance --watch`` killed by SIGABRT, with core dumps allowed, leaves no core where a plain
Python process does leave one.
"""

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import COMMAND, this_checkout

PROBE = Path(__file__).with_name("dump_probe.py")
TIMEOUT = 60
ALLOW_CORES = ["sh", "-c", 'ulimit -S -c "$(ulimit -H -c)" && exec "$@"', "allow-cores"]
"""Runs the command after it with the soft core-size limit raised to the hard one."""


def probed(cli, args: list[str], *, password_fd: bool, file_name: str = "secrets.cfg") -> dict:
    """Run ``exchange-tui ARGS`` under the probe until it opens ``file_name``; what the probe saw then.

    ``password_fd``: the master password comes from ``--master-password-fd``, not the environment.
    """
    env = dict(cli.env)
    read_end, write_end = os.pipe()
    given = [write_end]
    if password_fd:
        password, feed = os.pipe()
        os.write(feed, env.pop("EXCHANGE_TUI_MASTER_PASSWORD").encode())
        os.close(feed)
        args, given = ["--master-password-fd", str(password), *args], [*given, password]
    process = subprocess.Popen(
        [sys.executable, str(PROBE), *args],
        env=this_checkout(env | {"PROBE_FD": str(write_end), "PROBE_FILE_NAME": file_name}),
        pass_fds=given,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for fd in given:
        os.close(fd)
    with os.fdopen(read_end) as report:
        try:
            assert select.select([report], [], [], TIMEOUT)[0], f"nothing opened {file_name} within {TIMEOUT} s"
            line = report.readline()
        finally:
            process.kill()
            process.wait()
    errors = process.stderr.read()
    assert line, f"the process ended before it opened {file_name}: {errors}"
    assert "Traceback" not in errors, errors
    return json.loads(line)


@pytest.mark.parametrize(
    ("args", "password_fd"),
    [(["doctor"], False), (["doctor"], True), ([], False), ([], True), (["--demo"], False)],
    ids=["command", "command, password on a descriptor", "app", "app, password on a descriptor", "demo"],
)
def test_no_core_dump_once_a_secret_may_be_read(cli, args, password_fd):
    seen = probed(cli, args, password_fd=password_fd)
    assert seen["before"]["dumpable"] == 1 and seen["before"]["rlimit_core"][0] != 0, (
        f"core dumps were not allowed to start with, so this test would prove nothing: {seen['before']}"
    )
    assert seen["at_open"] == {"dumpable": 0, "rlimit_core": [0, 0]}


def test_an_aborted_watch_leaves_no_core(cli, key_json, tmp_path):
    control = tmp_path / "control"
    control.mkdir()
    subprocess.run([*ALLOW_CORES, sys.executable, "-c", "import os; os.abort()"], cwd=control, timeout=TIMEOUT)
    if not any(control.iterdir()):
        pytest.skip("a process aborted here leaves no core in its folder (see /proc/sys/kernel/core_pattern)")
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    folder = tmp_path / "watch"
    folder.mkdir()
    watch = subprocess.Popen(
        [*ALLOW_CORES, *COMMAND, "balance", "main", "--watch"],
        cwd=folder,
        env=this_checkout(cli.env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert select.select([watch.stdout], [], [], TIMEOUT)[0] and "USDT" in watch.stdout.readline()
        watch.send_signal(signal.SIGABRT)
        assert watch.wait(TIMEOUT) == -signal.SIGABRT
    finally:
        watch.kill()
        watch.wait()
    assert list(folder.iterdir()) == []
