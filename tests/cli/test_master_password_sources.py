"""The encrypted file's master password from a file descriptor or a file, not only the environment.

Each command runs in its own process, as a box runs it. A descriptor is the read end of a pipe
holding the bytes, handed over with ``pass_fds``. The ``cli`` fixture's store is made under
``EXCHANGE_TUI_MASTER_PASSWORD``; the tests take that variable away to use the other sources.
"""

import json
import os
import stat
import struct
import subprocess

import pytest
from cli_support import COMMAND, Result, environment, this_checkout

MASTER_ENV = "EXCHANGE_TUI_MASTER_PASSWORD"
FILE_ENV = "EXCHANGE_TUI_MASTER_PASSWORD_FILE"
NOT_UTF8 = "Caf\xe9-Geheimnis-42".encode("latin-1")
LEAKS = ("Caf", "Geheimnis", "xe9", "udce9", "position")
"""What would show the non-UTF-8 password, or where its bad byte is."""


def with_fd(cli, data: bytes, *args: str, env: dict[str, str | None] | None = None) -> Result:
    """Run ``exchange-tui --master-password-fd N ARGS`` with ``data`` waiting on descriptor N."""
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    try:
        done = subprocess.run(
            [*COMMAND, "--master-password-fd", str(read_end), *args],
            env=this_checkout(environment(cli.env, {MASTER_ENV: None} | (env or {}))),
            pass_fds=[read_end],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
        )
    finally:
        os.close(read_end)
    stderr = done.stderr.decode("utf-8", "backslashreplace")
    assert "Traceback" not in stderr, stderr
    return Result(done.returncode, done.stdout.decode(), stderr)


@pytest.fixture
def password(cli) -> str:
    """The master password of the ``cli`` fixture's store."""
    return cli.env[MASTER_ENV]


@pytest.fixture
def stored(cli, key_json):
    """``cli`` with one account, "main", in its encrypted file."""
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    return cli


@pytest.fixture
def password_file(tmp_path):
    """Writes the file ``EXCHANGE_TUI_MASTER_PASSWORD_FILE`` will name, with a mode; its path."""

    def write(data: bytes, mode: int = 0o600):
        path = tmp_path / "credentials" / "master-password"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
        return path

    return write


USER_OBJ, USER, GROUP_OBJ, GROUP, MASK, OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
NO_ID = 0xFFFFFFFF
READ = 4


def give_access_list(path, *entries: tuple[int, int, int]) -> None:
    """Set ``path``'s POSIX access list (``setfacl`` without the program): (tag, permissions, id) entries."""
    data = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *entry) for entry in sorted(entries))  # in tag order
    try:
        os.setxattr(path, "system.posix_acl_access", data)
    except OSError as problem:
        pytest.skip(f"no POSIX access lists on {path.parent}: {problem.strerror}")


def opened(result: Result) -> int:
    """How many accounts ``doctor --json`` found readable: it reads every secret, so the store opened."""
    assert result.code == 0, result.stderr
    assert result.json["healthy"], result.json["problems"]
    return result.json["accounts"]


def one_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_from_a_file_descriptor_less_exactly_one_newline(stored, password):
    assert opened(with_fd(stored, password.encode(), "doctor", "--json")) == 1
    assert opened(with_fd(stored, f"{password}\n".encode(), "doctor", "--json")) == 1
    two_newlines = with_fd(stored, f"{password}\n\n".encode(), "doctor")
    assert two_newlines.code == 4 and "master password does not open" in one_line(two_newlines)


def test_a_new_store_from_a_file_descriptor(cli, key_json):
    new_password = b"a-password-only-the-descriptor-gives\n"
    key = json.loads(key_json())
    env = {"BITGET_API_KEY": key["api_key"], "BITGET_API_SECRET": key["secret_key"], "BITGET_API_PASSPHRASE": key["passphrase"]}
    assert with_fd(cli, new_password, "add", "bitget", "main", env=env).code == 0
    assert opened(with_fd(cli, new_password, "doctor", "--json")) == 1
    assert cli("doctor").code == 4, "the store was made with the descriptor's password, not the environment's"


def test_a_wrong_one_from_a_file_descriptor_exits_4(stored, password):
    wrong = with_fd(stored, b"not-the-master-password", "doctor")
    assert wrong.code == 4 and "master password does not open" in one_line(wrong)
    assert "not-the-master-password" not in wrong.stderr and password not in wrong.stderr


def test_from_a_file_less_exactly_one_newline(stored, password, password_file):
    path = password_file(f"{password}\n".encode())
    assert opened(stored("doctor", "--json", env={MASTER_ENV: None, FILE_ENV: str(path)})) == 1
    path = password_file(f"{password}\n\n".encode())
    two_newlines = stored("doctor", env={MASTER_ENV: None, FILE_ENV: str(path)})
    assert two_newlines.code == 4 and "master password does not open" in one_line(two_newlines)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o602])
def test_a_file_other_users_may_read_or_change_is_refused(stored, password, password_file, mode):
    path = password_file(password.encode(), mode)
    refused = stored("doctor", env={MASTER_ENV: None, FILE_ENV: str(path)})
    line = one_line(refused)
    assert refused.code == 4
    assert str(path) in line and f"mode {mode:04o}" in line and f"chmod 600 {path}" in line
    assert password not in line


def test_a_file_that_cannot_be_read_exits_4_naming_it(stored, tmp_path):
    missing = tmp_path / "no-such-file"
    refused = stored("doctor", env={MASTER_ENV: None, FILE_ENV: str(missing)})
    assert refused.code == 4 and str(missing) in one_line(refused) and "No such file" in refused.stderr


@pytest.mark.parametrize("source", ["descriptor", "file", "environment"])
def test_a_password_that_is_not_utf8_is_one_line_without_it(stored, password_file, source):
    if source == "descriptor":
        refused, named = with_fd(stored, NOT_UTF8, "doctor"), "--master-password-fd"
    elif source == "file":
        path = password_file(NOT_UTF8)
        refused, named = stored("doctor", env={MASTER_ENV: None, FILE_ENV: str(path)}), str(path)
    else:
        env = {key.encode(): value.encode() for key, value in this_checkout(stored.env).items()}
        done = subprocess.run(
            [*COMMAND, "doctor"], env=env | {MASTER_ENV.encode(): NOT_UTF8}, capture_output=True, timeout=60
        )
        refused = Result(done.returncode, done.stdout.decode(), done.stderr.decode("utf-8", "backslashreplace"))
        named = MASTER_ENV
    line = one_line(refused)
    assert refused.code == 4
    assert "the master password is not valid text" in line and named in line and "UTF-8" in line
    assert not [fragment for fragment in LEAKS if fragment in refused.stderr]


def test_the_descriptor_wins_over_the_file_and_the_file_over_the_environment(stored, password, password_file):
    wrong_file = password_file(b"the-file-is-wrong")
    first = with_fd(stored, password.encode(), "doctor", "--json", env={MASTER_ENV: "wrong", FILE_ENV: str(wrong_file)})
    assert opened(first) == 1
    right_file = password_file(password.encode())
    assert opened(stored("doctor", "--json", env={MASTER_ENV: "wrong", FILE_ENV: str(right_file)})) == 1


def test_no_source_says_every_way_to_give_one(stored):
    result = stored("doctor", env={MASTER_ENV: None})
    line = one_line(result)
    assert result.code == 4
    assert all(way in line for way in ("--master-password-fd", FILE_ENV, MASTER_ENV, "terminal"))


def test_not_a_descriptor_is_bad_usage(stored):
    result = stored("--master-password-fd", "three", "doctor")
    assert result.code == 2 and "not a file descriptor" in result.stderr
    closed = stored("--master-password-fd", "97", "doctor", env={MASTER_ENV: None})
    assert closed.code == 4 and "--master-password-fd 97" in one_line(closed) and "Bad file descriptor" in closed.stderr


def test_a_systemd_credential_read_through_its_access_list_is_taken(stored, password, password_file):
    """systemd's LoadCredential= gives a root-owned 0400 file and reads the service's user in by an access list."""
    path = password_file(password.encode(), 0o400)
    give_access_list(
        path, (USER_OBJ, READ, NO_ID), (USER, READ, os.geteuid()), (GROUP_OBJ, 0, NO_ID), (MASK, READ, NO_ID), (OTHER, 0, NO_ID)
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o440, "stat shows the list's mask as the group bits"
    assert opened(stored("doctor", "--json", env={MASTER_ENV: None, FILE_ENV: str(path)})) == 1


@pytest.mark.parametrize(("entry", "who"), [((USER, READ, 65534), "user 65534"), ((GROUP, READ, 65534), "a group")])
def test_an_access_list_that_lets_others_read_is_refused(stored, password, password_file, entry, who):
    path = password_file(password.encode(), 0o400)
    give_access_list(path, (USER_OBJ, READ, NO_ID), entry, (GROUP_OBJ, 0, NO_ID), (MASK, READ, NO_ID), (OTHER, 0, NO_ID))
    refused = stored("doctor", env={MASTER_ENV: None, FILE_ENV: str(path)})
    line = one_line(refused)
    assert refused.code == 4 and who in line and f"setfacl -b {path}" in line and password not in line


def test_a_file_of_another_user_is_refused(stored, password, password_file):
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    path = password_file(password.encode())
    os.chown(path, 65534, 65534)
    refused = stored("doctor", env={MASTER_ENV: None, FILE_ENV: str(path)})
    assert refused.code == 4 and "belongs to user 65534" in one_line(refused)
