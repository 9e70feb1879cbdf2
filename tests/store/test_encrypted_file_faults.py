"""The encrypted file under faults a box meets: a file we may not read, a damaged one, a process out of
file descriptors or memory, a master password in another encoding. None of them may lose a key:
the file is left exactly as it was, and the command ends with exit 4 and one line.

Modes only stop a normal user: root reads anything through its DAC override capabilities. When the
tests run as root, the CLI runs under ``setpriv`` without those two capabilities, so file modes
and owners apply to it as to any user (``nobody`` could not even reach the Python in /root).
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from pydantic import SecretStr

import exchange_tui.store.encrypted_file as encrypted_file
from exchange_tui.store import AccountStore, Locations, SecretStoreUnavailable, open_encrypted_file, open_secret_store
from exchange_tui.store.errors import StoreFileUnavailable

from .support import MASTER_PASSWORD, credentials, frames_holding, master_password

pytestmark = pytest.mark.usefixtures("no_os_keyring")

OTHER_USER = 65534
WITHOUT_DAC_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
PROJECT = Path(__file__).parents[2]


@pytest.fixture
def box():
    """A HOME holding a store with two accounts."""
    home = Path(tempfile.mkdtemp(prefix="exchange-tui-faults-"))
    locations = Locations.from_env({"EXCHANGE_TUI_HOME": str(home / "exchange-tui")})
    accounts = AccountStore(open_encrypted_file(locations, master_password, "tests"), locations)
    accounts.add("bitget", "main", credentials("f1"))
    accounts.add("bitget", "spare", credentials("f2"))
    yield home, locations
    shutil.rmtree(home)


def box_env(home: Path, password: str = MASTER_PASSWORD) -> dict[str, str]:
    """The environment of a box with no OS keyring whose store is under ``home``."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "EXCHANGE_TUI_HOME": str(home / "exchange-tui"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "EXCHANGE_TUI_MASTER_PASSWORD": password,
        "PYTHONPATH": os.environ.get("PYTHONPATH", str(PROJECT)),
    }


def as_user(home: Path, *args: str, password: str = MASTER_PASSWORD) -> subprocess.CompletedProcess:
    """``exchange-tui ARGS`` as a normal user would run it: modes and owners apply."""
    env = box_env(home, password)
    user = WITHOUT_DAC_OVERRIDE if os.geteuid() == 0 else []
    return subprocess.run(
        [*user, sys.executable, "-m", "exchange_tui", *args], capture_output=True, text=True, env=env, timeout=60
    )


def one_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_file_we_may_not_read_is_unavailable_and_left_alone(box):
    home, locations = box
    secrets_file = locations.secrets_file
    before = secrets_file.read_bytes()
    secrets_file.chmod(0o000)

    result = as_user(home, "doctor")

    assert result.returncode == 4, result
    line = one_line(result)
    assert str(secrets_file) in line and "Permission denied" in line
    assert secrets_file.read_bytes() == before
    secrets_file.chmod(0o600)
    assert as_user(home, "doctor", "--json").returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the file to another user")
def test_a_file_owned_by_another_user_is_unavailable_and_left_alone(box):
    """As after a `sudo exchange-tui …` with HOME kept: the file is someone else's, 0600."""
    home, locations = box
    secrets_file = locations.secrets_file
    os.chown(secrets_file, OTHER_USER, OTHER_USER)
    before = secrets_file.read_bytes()

    result = as_user(home, "doctor", password="whatever the user types now")

    assert result.returncode == 4
    assert "Permission denied" in one_line(result)
    assert secrets_file.read_bytes() == before and secrets_file.stat().st_uid == OTHER_USER


def test_a_file_without_its_password_reference_is_refused_not_rekeyed(box):
    home, locations = box
    secrets_file = locations.secrets_file
    config = configparser.RawConfigParser()
    config.read(secrets_file)
    config.remove_option("keyring_2Dsetting", "password_20reference")  # the names as the file escapes them
    with secrets_file.open("w") as file:
        config.write(file)
    before = secrets_file.read_bytes()

    result = as_user(home, "doctor", password="a-typo-of-the-password")

    assert result.returncode == 4
    assert "is damaged (it has no password reference)" in one_line(result)
    assert secrets_file.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b"[exchange-tui]\nbitget%3Amain = \n\tc2VjcmV0\n"], ids=["empty", "no-settings"])
def test_an_existing_file_is_never_initialised(content):
    secrets_file = Locations.from_env().ensure().secrets_file
    secrets_file.write_bytes(content)

    with pytest.raises(SecretStoreUnavailable, match="is damaged"):
        open_secret_store(password_source=master_password)
    assert secrets_file.read_bytes() == content


# A store opened, then the process runs out of file descriptors just after taking the file's lock,
# so the read of the file in a read-modify-write fails (EMFILE), as it can in a long-running app.
OUT_OF_DESCRIPTORS = r"""
import os, resource, sys
from pydantic import SecretStr
from exchange_tui.store import Locations, SecretStoreUnavailable, open_encrypted_file
from tests.store.support import credentials, master_password

store = open_encrypted_file(Locations.from_env(), master_password, "tests")
used = {int(name) for name in os.listdir("/proc/self/fd")}
spare = os.open(os.devnull, os.O_RDONLY)
for number in range(max(used) + 1):
    if number not in used | {spare}:
        os.dup2(spare, number)
highest = max(max(used), spare)
resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 2, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
try:
    store.write("bitget:third", credentials("f3"))
except SecretStoreUnavailable as problem:
    print(problem)
else:
    print("written")
"""


def test_running_out_of_file_descriptors_mid_write_loses_nothing():
    locations = Locations.from_env()
    accounts = AccountStore(open_encrypted_file(locations, master_password, "tests"), locations)
    accounts.add("bitget", "main", credentials("f1"))
    accounts.add("bitget", "spare", credentials("f2"))
    before = locations.secrets_file.read_bytes()

    child = subprocess.run(
        [sys.executable, "-c", OUT_OF_DESCRIPTORS], capture_output=True, text=True, timeout=60, cwd=PROJECT, env=os.environ
    )

    assert child.returncode == 0, child.stderr
    assert "cannot be opened (Too many open files)" in child.stdout
    assert locations.secrets_file.read_bytes() == before
    assert accounts.credentials("spare") == credentials("f2")


@pytest.mark.parametrize("store", ["new store", "existing store"])
def test_a_master_password_in_another_encoding_is_one_line_without_it(box, store):
    """A Latin-1 box: the environment holds bytes that are not UTF-8, which Python keeps as surrogates."""
    home, locations = box
    if store == "new store":
        locations.secrets_file.unlink()
    password = b"Caf\xe9-Geheimnis-42"
    env = {name.encode(): value.encode() for name, value in box_env(home).items()}
    env |= {b"EXCHANGE_TUI_MASTER_PASSWORD": password, b"LC_ALL": b"C.UTF-8"}

    result = subprocess.run(
        [sys.executable, "-m", "exchange_tui", "doctor"], capture_output=True, env=env, timeout=60
    )

    assert result.returncode == 4
    stderr = result.stderr.decode("utf-8", "backslashreplace")
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert "the master password is not valid text" in stderr
    for fragment in ("Caf", "Geheimnis", "xe9", "udce9", "position"):
        assert fragment not in stderr


# The CLI with its address space capped just above what it uses, so Argon2's 64 MiB cannot be had.
OUT_OF_MEMORY = r"""
import resource, sys
import exchange_tui.cli, exchange_tui.service, exchange_tui.store.encrypted_file
size = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmSize:")) * 1024
resource.setrlimit(resource.RLIMIT_AS, (size + 48 * 2**20, resource.RLIM_INFINITY))
sys.exit(exchange_tui.cli.main(["doctor"]))
"""


def test_argon2_out_of_memory_is_one_line_and_exit_4(box):
    home, _ = box

    result = subprocess.run(
        [sys.executable, "-c", OUT_OF_MEMORY], capture_output=True, text=True, env=box_env(home), timeout=60
    )

    assert result.returncode == 4, result.stderr
    line = one_line(result)
    assert "Argon2 needs 64 MiB of memory" in line
    assert MASTER_PASSWORD not in result.stderr + result.stdout


def test_the_password_is_held_only_as_a_secret_str():
    store = open_secret_store(password_source=lambda path, new: SecretStr(MASTER_PASSWORD))
    backend = store.backend

    held = {name: value for name, value in vars(backend).items() if isinstance(value, str | bytes)}
    assert MASTER_PASSWORD not in repr(held) and MASTER_PASSWORD not in repr(backend)
    assert isinstance(backend._password, SecretStr)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the folders to another user")
@pytest.mark.parametrize("left_behind", ["state/locks", "state/index.lock", "state/secrets.lock"])
def test_folders_and_locks_left_by_a_sudo_are_one_line_and_exit_4(box, left_behind):
    """A `sudo exchange-tui …` with HOME kept leaves root's folders and lock files behind."""
    home, locations = box
    path = home / "exchange-tui" / left_behind
    os.chown(path, OTHER_USER, OTHER_USER)
    if path.is_dir():
        path.chmod(0o755)
    before = locations.secrets_file.read_bytes()

    result = as_user(home, "remove", "main", "--yes")

    assert result.returncode == 4
    line = one_line(result)
    assert str(path) in line and "Permission denied" in line and "chown" in line
    assert locations.secrets_file.read_bytes() == before


def test_a_failed_write_of_a_secret_keeps_it_out_of_every_frame(monkeypatch):
    """A full disk while a secret is written: the error's traceback (what a crash report prints
    with every local) holds neither the secret nor the master password."""
    store = open_secret_store(password_source=master_password)
    secret = credentials("framed")

    def full(path, data):
        raise StoreFileUnavailable("write", path, OSError(28, "No space left on device"))

    monkeypatch.setattr(encrypted_file, "atomic_write", full)
    with pytest.raises(StoreFileUnavailable) as caught:
        store.write("bitget:main", secret)

    for needle in (secret.secret_key.get_secret_value(), secret.passphrase.get_secret_value(), MASTER_PASSWORD):
        assert frames_holding(caught.value, needle.encode()) == []
