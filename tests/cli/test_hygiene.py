"""Secret hygiene and crash safety of the headless flows, as issue 3 asks for them."""

import stat
import subprocess
import time

import pytest


def test_no_secret_in_any_file_or_output_and_every_file_private(cli, key_json, bitget):
    demo, other = bitget.state.account("demo"), bitget.state.account("demo-withdraw")
    secrets = [demo.secret_key, demo.passphrase, other.secret_key, other.passphrase, "WrongPassphrase1"]
    outputs = [
        cli("add", "bitget", "main", "--json", stdin=key_json("demo")),
        cli("check", "main", "--json"),
        cli("rotate", "main", "--json", stdin=key_json("demo-withdraw", passphrase="WrongPassphrase1")),
        cli("rotate", "main", stdin=key_json("demo-withdraw")),
        cli("balance", "--json"),
        cli("accounts"),
        cli("remove", "main", "--yes"),
    ]
    assert [o.code for o in outputs] == [0, 0, 1, 0, 0, 0, 0]
    for output in outputs:
        assert not any(s in output.stdout or s in output.stderr for s in secrets)
    assert cli.files_containing(secrets) == []
    ours = cli.home / "exchange-tui"
    for path in [ours, *ours.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path} is {oct(mode)}"


@pytest.mark.slow
def test_rotate_killed_at_many_points_leaves_the_old_key_or_the_new_one(cli, key_json, bitget):
    """SIGKILL a rotation at spread-out moments of its run: the key left works and is one of the two."""
    labels = {bitget.state.account(label).uid: label for label in ("demo", "demo-withdraw")}
    assert cli("add", "bitget", "main", stdin=key_json("demo")).code == 0
    started = time.monotonic()
    assert cli("rotate", "main", stdin=key_json("demo-withdraw")).code == 0
    duration = time.monotonic() - started
    uid = bitget.state.account("demo-withdraw").uid
    for point in range(1, 9):
        other = next(label for u, label in labels.items() if u != uid)
        rotate = cli.start("rotate", "main", stdin=key_json(other))
        try:
            rotate.wait(timeout=duration * point / 8)
        except subprocess.TimeoutExpired:
            rotate.kill()
            rotate.wait()
        after = cli("check", "main", "--json")
        assert after.code == 0, f"kill at {point}/8 of a rotation left no working key: {after.stdout}"
        assert after.json["uid"] in labels
        uid = after.json["uid"]
        prefix = cli("accounts", "--json").json["accounts"][0]["key_prefix"]
        assert bitget.state.account(labels[uid]).api_key.startswith(prefix.rstrip("…"))
