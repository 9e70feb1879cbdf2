"""``exchange-tui passwd``: the encrypted file's master password changed for real, in processes of their
own; killed at every step that writes, the file opens with exactly one of the two passwords and every
secret reads back; ``doctor`` finds what was left and ``doctor --repair`` clears it. And the reset of a
forgotten password."""

from __future__ import annotations

import json
import os
import pty
import select

import pytest
from cli_support import COMMAND, MASTER_PASSWORD, kill_when, kill_when_it_lands, this_checkout
from pydantic import SecretStr

from exchange_tui.store import Locations
from exchange_tui.store.encrypted_file import EncryptedFileKeyring, staged_path

NEW_PASSWORD = "a-new-master-password"
ATTEMPTS = 5
LABELS = ["main", "spare"]


def secrets_file(cli):
    return Locations.from_env(cli.env).secrets_file


def change(old: str = MASTER_PASSWORD, new: str = NEW_PASSWORD) -> str:
    return json.dumps({"old": old, "new": new})


def with_password(password: str) -> dict[str, str]:
    return {"EXCHANGE_TUI_MASTER_PASSWORD": password}


@pytest.fixture
def two_accounts(cli, key_json):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    assert cli("add", "bitget", "spare", stdin=key_json("demo-withdraw")).code == 0
    return cli


def opens_with(cli, password: str) -> bool:
    """Whether ``password`` opens the store, every account's secret reading back and its key accepted."""
    checks = [cli("check", label, env=with_password(password)) for label in LABELS]
    if all(result.code == 4 and "does not open" in result.stderr for result in checks):
        return False
    assert [result.code for result in checks] == [0, 0], [result.stderr for result in checks]
    return True


def the_one_password(cli) -> str:
    """The one password of the two that opens the store; the other must not."""
    opening = [password for password in (MASTER_PASSWORD, NEW_PASSWORD) if opens_with(cli, password)]
    assert len(opening) == 1, opening
    return opening[0]


def doctor(cli, password: str, *args: str) -> dict:
    result = cli("doctor", "--json", *args, env=with_password(password))
    assert result.code in (0, 4), result.stderr
    return result.json


def test_passwd_reencrypts_every_entry(two_accounts):
    cli = two_accounts
    changed = cli("passwd", "--json", stdin=change())
    assert changed.code == 0, changed.stderr
    assert changed.json == {"changed": True, "entries": 2}
    assert the_one_password(cli) == NEW_PASSWORD
    assert doctor(cli, NEW_PASSWORD)["healthy"]


def test_the_old_password_may_come_from_its_usual_source(two_accounts):
    cli = two_accounts
    assert cli("passwd", stdin=json.dumps({"new": NEW_PASSWORD})).code == 0
    assert the_one_password(cli) == NEW_PASSWORD


def test_a_wrong_old_password_is_one_line_exit_4_and_the_file_byte_for_byte_the_same(two_accounts):
    cli = two_accounts
    before = secrets_file(cli).read_bytes()
    wrong = cli("passwd", stdin=change(old="not-the-password"))
    assert wrong.code == 4
    assert wrong.stderr.count("\n") == 1 and "does not open" in wrong.stderr and "nothing was changed" in wrong.stderr
    assert secrets_file(cli).read_bytes() == before
    assert not staged_path(secrets_file(cli)).exists()


@pytest.mark.parametrize(
    ("stdin", "says"),
    [
        ("not json", "not one JSON object"),
        (json.dumps({"old": MASTER_PASSWORD}), 'needs "new"'),
        (json.dumps({"old": MASTER_PASSWORD, "new": ""}), "non-empty string"),
        (change(new=MASTER_PASSWORD), "the old one"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(two_accounts, stdin, says):
    cli = two_accounts
    before = secrets_file(cli).read_bytes()
    refused = cli("passwd", stdin=stdin)
    assert refused.code == 2 and says in refused.stderr and refused.stderr.count("\n") == 1
    assert secrets_file(cli).read_bytes() == before


def test_no_master_password_where_the_store_is_not_the_file(cli):
    for env in ({}, {"EXCHANGE_TUI_STORE": "vault"}):
        refused = cli("passwd", stdin=change(), env=env)
        assert refused.code == 2 and "no master password to change" in refused.stderr, refused.stderr


@pytest.mark.slow
def test_no_master_password_where_the_secrets_are_in_the_os_keyring(cli, key_json, private_bus):
    service = private_bus()
    service.start_keyring()
    keyring = {"PYTHON_KEYRING_BACKEND": None, "DBUS_SESSION_BUS_ADDRESS": service.address}
    assert cli("add", "bitget", "main", stdin=key_json(), env=keyring).code == 0
    refused = cli("passwd", stdin=change(), env=keyring)
    assert refused.code == 2 and "Secret Service" in refused.stderr and "no master password to change" in refused.stderr


def on_a_terminal(cli, answers: list[tuple[bytes, str]], *args: str) -> tuple[int, str]:
    """``passwd`` on a pseudo-terminal with no password source, each prompt answered once it shows;
    its exit code and everything it showed."""
    env = this_checkout({k: v for k, v in cli.env.items() if k != "EXCHANGE_TUI_MASTER_PASSWORD"})
    pid, terminal = pty.fork()
    if pid == 0:
        os.execve(COMMAND[0], [*COMMAND, "passwd", *args], env)
    screen, unread = b"", b""
    for prompt, answer in [*answers, (None, "")]:
        while prompt is None or prompt not in unread:
            assert select.select([terminal], [], [], 30)[0], f"no {prompt!r} in {screen!r}"
            try:
                chunk = os.read(terminal, 1024)
            except OSError:  # the command has ended and closed the terminal
                chunk = b""
            if not chunk:
                assert prompt is None, f"no {prompt!r} in {screen!r}"
                break
            screen, unread = screen + chunk, unread + chunk
        if prompt is not None:
            unread = unread.split(prompt, 1)[1]
            os.write(terminal, answer.encode() + b"\n")
    os.close(terminal)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), screen.decode()


def test_on_a_terminal_the_new_password_is_asked_again_when_the_two_differ(two_accounts):
    cli = two_accounts
    code, screen = on_a_terminal(
        cli,
        [
            (b"Current master password", MASTER_PASSWORD),
            (b"New master password", NEW_PASSWORD),
            (b"The same password again", "a-typo"),
            (b"New master password", NEW_PASSWORD),
            (b"The same password again", NEW_PASSWORD),
        ],
    )
    assert code == 0, screen
    assert "differ" in screen and "was changed: 2 entries" in screen
    assert NEW_PASSWORD not in screen and MASTER_PASSWORD not in screen  # no echo
    assert the_one_password(cli) == NEW_PASSWORD


def test_on_a_terminal_three_mismatches_change_nothing(two_accounts):
    cli = two_accounts
    before = secrets_file(cli).read_bytes()
    typos = [(b"New master password", NEW_PASSWORD), (b"The same password again", "a-typo")] * 3
    code, screen = on_a_terminal(cli, [(b"Current master password", MASTER_PASSWORD), *typos])
    assert code == 2 and "not typed the same twice" in screen
    assert secrets_file(cli).read_bytes() == before


# kill -9 -------------------------------------------------------------------------------------------


def repaired(cli, password: str, left: bool) -> None:
    """``doctor`` reports a leftover exactly when there is one; ``--repair`` clears it; all is well."""
    found = doctor(cli, password)
    assert bool(found["leftover_files"]) == left, found
    assert found["healthy"] == (not left)
    assert found["missing_secrets"] == [] and found["unreadable_secrets"] == []
    fixed = doctor(cli, password, "--repair")
    assert fixed["healthy"] and all(leftover["removed"] for leftover in fixed["leftover_files"])
    assert doctor(cli, password)["leftover_files"] == []


def killed_passwd(cli, landed) -> tuple[bool, str] | None:
    """Start ``passwd``, SIGKILL it when ``landed(cli)``; then the password that opens the store, or
    ``None`` if passwd finished first."""
    process = cli.start("passwd", stdin=change())
    if not kill_when(process, lambda: landed(cli), "passwd never got there"):
        changed_back(cli, process)
        return None
    return the_one_password(cli)


def changed_back(cli, finished) -> None:
    """After a ``passwd`` that finished before the kill: the old password again, for the next attempt."""
    assert finished.wait() == 0, finished.stderr.read()
    assert cli("passwd", stdin=change(old=NEW_PASSWORD, new=MASTER_PASSWORD)).code == 0


@pytest.mark.slow
def test_passwd_killed_as_the_new_file_lands_leaves_the_old_one_working(two_accounts):
    cli = two_accounts
    staged = staged_path(secrets_file(cli))
    for _ in range(ATTEMPTS):
        opening = killed_passwd(cli, lambda cli: staged.exists())
        if opening is None:
            continue
        assert opening == MASTER_PASSWORD  # the new file was never swapped in
        repaired(cli, MASTER_PASSWORD, left=staged.exists())
        return
    pytest.fail("passwd always finished before its new file landed")


@pytest.mark.slow
def test_passwd_killed_while_the_new_file_is_written_leaves_the_old_one_working(two_accounts):
    cli = two_accounts
    folder = secrets_file(cli).parent
    for _ in range(ATTEMPTS):
        opening = killed_passwd(cli, lambda cli: any(folder.glob(".secrets.cfg.new.*.tmp")))
        if opening is None:
            continue
        left = any(folder.glob(".secrets.cfg.new.*.tmp")) or staged_path(secrets_file(cli)).exists()
        assert opening == MASTER_PASSWORD
        repaired(cli, MASTER_PASSWORD, left=left)
        return
    pytest.fail("passwd always finished before it began its new file")


@pytest.mark.slow
def test_passwd_killed_as_the_swap_lands_leaves_the_new_one_working(two_accounts):
    cli = two_accounts
    path = secrets_file(cli)
    for _ in range(ATTEMPTS):
        process = cli.start("passwd", stdin=change())
        if not kill_when_it_lands(process, path):
            changed_back(cli, process)
            continue
        assert the_one_password(cli) == NEW_PASSWORD
        repaired(cli, NEW_PASSWORD, left=False)
        return
    pytest.fail("passwd always finished before its swap landed")


# a forgotten password ------------------------------------------------------------------------------


def test_reset_without_a_terminal_needs_yes_and_changes_nothing(two_accounts):
    cli = two_accounts
    before = secrets_file(cli).read_bytes()
    refused = cli("passwd", "--reset", stdin=json.dumps({"new": NEW_PASSWORD}))
    assert refused.code == 2 and "--yes" in refused.stderr
    assert "main (bitget, key " in refused.stdout and "spare (bitget, key " in refused.stdout
    assert secrets_file(cli).read_bytes() == before


def test_reset_keeps_the_old_file_the_labels_and_rotate_puts_each_key_back(two_accounts, key_json, bitget):
    cli = two_accounts
    before = secrets_file(cli).read_bytes()
    reset = cli("passwd", "--reset", "--yes", "--json", stdin=json.dumps({"new": NEW_PASSWORD}))
    assert reset.code == 0, reset.stderr
    assert reset.json["secrets_missing"] == LABELS and reset.json["unlisted_secrets"] == []
    kept = Locations.from_env(cli.env).data / reset.json["kept"].rsplit("/", 1)[1]
    assert kept.read_bytes() == before and kept.stat().st_mode & 0o777 == 0o600
    recovered = EncryptedFileKeyring(kept, SecretStr(MASTER_PASSWORD), lock_path=kept.with_suffix(".lock"))
    assert recovered.get_password("exchange-tui", "bitget:main") is not None

    new = with_password(NEW_PASSWORD)
    assert [a["label"] for a in cli("accounts", "--json", env=new).json["accounts"]] == LABELS
    checked = cli("check", "main", env=new)
    assert checked.code == 4 and "secret missing" in checked.stderr and "exchange-tui rotate main" in checked.stderr
    found = cli("doctor", env=new)
    assert found.code == 4 and "add the key again with exchange-tui rotate spare" in found.stdout

    rotated = cli("rotate", "main", "--json", stdin=key_json("demo-withdraw"), env=new)
    assert rotated.code == 0, rotated.stderr
    assert cli("check", "main", "--json", env=new).json["uid"] == bitget.state.account("demo-withdraw").uid
    assert doctor(cli, NEW_PASSWORD)["missing_secrets"] == ["spare"]
    assert cli("check", "main", env=with_password(MASTER_PASSWORD)).code == 4


def test_on_a_terminal_reset_asks_first_then_for_the_new_password_twice(two_accounts):
    cli = two_accounts
    declined, screen = on_a_terminal(cli, [(b"Start a new file?", "n")], "--reset")
    assert declined == 0 and "Nothing changed." in screen and "main (bitget, key " in screen
    assert the_one_password(cli) == MASTER_PASSWORD
    answers = [
        (b"Start a new file?", "y"),
        (b"New master password", NEW_PASSWORD),
        (b"The same password again", NEW_PASSWORD),
    ]
    code, screen = on_a_terminal(cli, answers, "--reset")
    assert code == 0, screen
    assert "secrets.cfg.forgotten-" in screen and "exchange-tui rotate spare" in screen
    assert cli("check", "main", env=with_password(NEW_PASSWORD)).code == 4
    assert doctor(cli, NEW_PASSWORD)["missing_secrets"] == LABELS


@pytest.mark.slow
def test_reset_killed_as_its_new_file_lands_leaves_one_password_and_doctor_clears_the_rest(two_accounts):
    """The window between the new empty file landing and the swap is short: the kill leaves the old
    file (and the new one beside it, never swapped in) or the new file in place; either is whole."""
    cli = two_accounts
    path = secrets_file(cli)
    staged = staged_path(path)
    for _ in range(ATTEMPTS):
        process = cli.start("passwd", "--reset", "--yes", stdin=json.dumps({"new": NEW_PASSWORD}))
        if kill_when(process, staged.exists, "reset never wrote its new file"):
            break
        assert process.wait() == 0, process.stderr.read()
        os.replace(next(path.parent.glob("secrets.cfg.forgotten-*")), path)  # undone, for the next attempt
    else:
        pytest.fail("the reset always finished before the kill")
    checks = {password: cli("check", "main", env=with_password(password)) for password in (MASTER_PASSWORD, NEW_PASSWORD)}
    opening = [password for password, result in checks.items() if "does not open" not in result.stderr]
    assert len(opening) == 1, {password: result.stderr for password, result in checks.items()}
    if opening == [MASTER_PASSWORD]:
        assert checks[MASTER_PASSWORD].code == 0  # every secret still there
    else:
        assert "secret missing" in checks[NEW_PASSWORD].stderr
    left = [leftover["path"] for leftover in doctor(cli, opening[0])["leftover_files"]]
    assert left == ([str(staged)] if staged.exists() else [])
    removed = doctor(cli, opening[0], "--repair")["leftover_files"]
    assert [leftover["path"] for leftover in removed if leftover["removed"]] == left and not staged.exists()
