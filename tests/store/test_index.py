"""The account index file: atomic and private, damaged files kept aside, one writer at a time."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

import exchange_tui.store.files as files
from exchange_tui.store import (
    AccountIndex,
    AccountRecord,
    IndexCorrupt,
    IndexTooNew,
    Locations,
    LockTimeout,
    StoreFileUnavailable,
)

CREATED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

HOLD_INDEX_LOCK = """
import sys
from exchange_tui.store import AccountIndex, Locations
with AccountIndex(Locations.from_env()).edit():
    print("locked", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def index(tmp_path, monkeypatch) -> AccountIndex:
    monkeypatch.setenv("EXCHANGE_TUI_HOME", str(tmp_path / "app"))
    return AccountIndex(Locations.from_env().ensure())


def record(label: str = "main", **fields) -> AccountRecord:
    return AccountRecord(**{"label": label, "exchange": "bitget", "key_prefix": "bg_1234…", "created": CREATED, **fields})


def test_missing_index_is_empty(index):
    assert index.load().accounts == []


def test_written_atomically_0600_with_no_leftovers(index):
    with index.edit() as document:
        document.put(record("main", demo_trading=True, base_url="http://127.0.0.1:9"))
        document.put(record("alt"))

    assert [r.label for r in index.load().accounts] == ["alt", "main"]
    assert index.load().find("MAIN").demo_trading is True
    assert stat.S_IMODE(index.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(index.path.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in index.path.parent.iterdir()) == ["index.json"]
    assert json.loads(index.path.read_text())["accounts"][1]["key_prefix"] == "bg_1234…"


def test_a_failed_write_keeps_the_old_index(index, monkeypatch):
    with index.edit() as document:
        document.put(record("main"))
    before = index.path.read_bytes()

    def power_cut(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", power_cut)
    with pytest.raises(StoreFileUnavailable, match=f"cannot write {index.path}: disk full"), index.edit() as document:
        document.put(record("other"))

    assert index.path.read_bytes() == before
    assert sorted(p.name for p in index.path.parent.iterdir()) == ["index.json"]


def test_nothing_is_written_when_the_edit_raises(index):
    with pytest.raises(RuntimeError), index.edit() as document:
        document.put(record("main"))
        raise RuntimeError("changed my mind")

    assert not index.path.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{\"version\": 1, \"accounts\": [", "not JSON"),
        (b"\xff\xfe garbage", "not JSON"),
        (b'{"version": 1, "accounts": [{"label": "main"}]}', "accounts.0.exchange: Field required"),
        (b"[]", "top level"),
    ],
)
def test_damaged_index_is_moved_aside_and_reported(index, content, reason):
    index.path.write_bytes(content)

    with pytest.raises(IndexCorrupt) as caught:
        index.load()

    error = caught.value
    assert reason in error.reason
    assert error.moved_to.name.startswith("index.json.corrupt-")
    assert error.moved_to.read_bytes() == content
    assert not index.path.exists()
    assert str(error.moved_to) in str(error) and "\n" not in str(error)
    assert index.load().accounts == []


def test_two_damaged_indexes_do_not_overwrite_each_other(index):
    moved = []
    for content in (b"first", b"second"):
        index.path.write_bytes(content)
        with pytest.raises(IndexCorrupt) as caught, index.edit():
            pass
        moved.append(caught.value.moved_to)

    assert [path.read_bytes() for path in moved] == [b"first", b"second"]


def test_the_same_label_twice_is_damage(index):
    index.path.write_text(
        json.dumps({"version": 1, "accounts": [json.loads(record("main").model_dump_json()), json.loads(record("Main").model_dump_json())]})
    )

    with pytest.raises(IndexCorrupt, match="the same label appears twice"):
        index.load()


def test_index_from_a_newer_version_is_left_alone(index):
    index.path.write_text('{"version": 2, "accounts": [], "shiny": true}')

    with pytest.raises(IndexTooNew, match="newer exchange-tui"):
        index.load()
    assert index.path.exists()


def test_only_a_key_prefix_fits_in_a_record():
    with pytest.raises(ValidationError):
        record(key_prefix="bg_0123456789abcdef0123456789abcdef")


def test_second_process_waits_for_the_index_lock_then_gives_up(index):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_INDEX_LOCK], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        impatient = AccountIndex(Locations.from_env(), lock_timeout=0.2)

        with pytest.raises(LockTimeout) as caught, impatient.edit():
            pass

        assert "the account index is busy" in str(caught.value)
        holder.stdin.write("done\n")
        holder.stdin.flush()
        assert holder.wait(timeout=10) == 0
        with impatient.edit() as document:
            document.put(record("main"))
    finally:
        holder.kill()
        holder.wait()
    assert index.load().find("main") is not None


def test_the_pin_of_an_index_we_may_not_read_is_none_and_the_file_stays(tmp_path, monkeypatch):
    """locate reads the pin without side effects: an unreadable index is for the command that uses it."""
    import exchange_tui.store.index as index_module

    locations = Locations.from_env({"EXCHANGE_TUI_HOME": str(tmp_path)}).ensure()
    locations.index_file.write_text('{"version": 1, "secret_backend": "encrypted-file"}')
    index = AccountIndex(locations)
    assert index.pinned_backend() == "encrypted-file"

    def refused(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(index_module.Path, "read_bytes", refused)
    assert index.pinned_backend() is None


def test_an_index_written_before_keys_had_an_expiry_still_reads(index):
    last_check = {"status": "connected", "checked_at": CREATED.isoformat(), "total_usdt": "12.5", "uid": "42"}
    record = {"label": "main", "exchange": "okx", "key_prefix": "abcdefg…", "created": CREATED.isoformat()}
    index.path.write_text(json.dumps({"version": 1, "accounts": [record | {"last_check": last_check}]}))
    (loaded,) = index.load().accounts
    check = loaded.last_check
    assert (check.uid, check.key, check.last_used, check.expires_at) == ("42", None, None, None)
    assert loaded.key_set_at == CREATED and loaded.age_days(CREATED.replace(year=2026)) == 365


def test_a_key_is_as_old_as_its_last_replacement():
    rotated = CREATED.replace(month=3)
    record = AccountRecord(label="main", exchange="okx", key_prefix="abcdefg…", created=CREATED, rotated=rotated)
    assert record.key_set_at == rotated and record.age_days(rotated.replace(day=12)) == 10
