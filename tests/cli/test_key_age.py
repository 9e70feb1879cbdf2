"""A key's age and expiry as a box sees them: ``accounts`` shows them without asking the exchange, ``check``
warns, ``key_max_age_days`` sets the limit. Keys are aged by writing their times into the index through the
store's own API, never by waiting."""

import json
from datetime import datetime, timedelta

import pytest

from exchange_tui.simulator import ThreadedSimulator, new_state
from exchange_tui.store import AccountIndex, Locations

AGE_WARNING = "key is 100 days old, past key_max_age_days=90: rotate it (exchange-tui rotate main)"


def backdate(cli, ago: timedelta, *, check: bool = False, label: str = "main") -> None:
    """Set the account's key ``ago`` into the past, or (``check``) its last check and use with all they learned."""
    index = AccountIndex(Locations.from_env(cli.env))
    with index.edit() as document:
        record = document.find(label)
        if check:
            last = record.last_check
            moved = {name: getattr(last, name) - ago for name in ("checked_at", "last_used", "expires_at")}
            document.put(record.model_copy(update={"last_check": last.model_copy(update=moved)}))
        else:
            document.put(record.model_copy(update={"created": record.created - ago}))


@pytest.fixture
def old_key(cli, key_json):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    backdate(cli, timedelta(days=100, hours=1))
    return cli


def test_a_key_past_the_limit_is_flagged_in_the_list(old_key):
    (listed,) = old_key("accounts", "--json").json["accounts"]
    assert listed["age_days"] >= 100 and listed["key_max_age_days"] == 90 and listed["too_old"] is True
    assert listed["expires_at"] is None, "this exchange has no expiry rule: nothing is shown"
    text = old_key("accounts").stdout.splitlines()
    assert max(map(len, text)) <= 80, text
    header, row, note = text
    assert row.split()[4] == "100d!" and header.split()[4] == "AGE"
    assert note == "  ! key 100 days old, past key_max_age_days=90: exchange-tui rotate main"


def test_check_warns_of_the_age_in_json_and_in_text(old_key):
    checked = old_key("check", "main", "--json")
    assert checked.code == 0 and checked.json["warnings"][-1] == AGE_WARNING
    assert f"  ! {AGE_WARNING}" in old_key("check", "main").stdout.splitlines()


def test_a_young_key_is_not_flagged(cli, key_json):
    assert cli("add", "bitget", "main", stdin=key_json()).code == 0
    (listed,) = cli("accounts", "--json").json["accounts"]
    assert (listed["age_days"], listed["too_old"]) == (0, False)
    assert cli("accounts").stdout.splitlines()[1].split()[4] == "0d"
    assert not any("days old" in w for w in cli("check", "main", "--json").json["warnings"])


def test_the_limit_comes_from_the_config_file_and_the_environment_over_it(old_key, config):
    config("key_max_age_days = 200\n")
    (listed,) = old_key("accounts", "--json").json["accounts"]
    assert (listed["key_max_age_days"], listed["too_old"]) == (200, False)
    assert len(old_key("accounts").stdout.splitlines()) == 2, "no note under the row"
    assert not any("days old" in w for w in old_key("check", "main", "--json").json["warnings"])
    (listed,) = old_key("accounts", "--json", env={"EXCHANGE_TUI_KEY_MAX_AGE_DAYS": "30"}).json["accounts"]
    assert (listed["key_max_age_days"], listed["too_old"]) == (30, True)


@pytest.mark.parametrize("value", ["0", "-3", "1.5", "true", '"soon"', '"12d"'])
def test_a_bad_limit_in_the_file_exits_2_in_one_line(cli, config, value):
    path = config(f"key_max_age_days = {value}\n")
    refused = cli("accounts")
    assert refused.code == 2 and refused.stdout == ""
    (line,) = refused.stderr.splitlines()
    assert "key_max_age_days" in line and str(path) in line


@pytest.mark.parametrize("value", ["0", "ninety", "", " 90x"])
def test_a_bad_limit_in_the_environment_exits_2_in_one_line(cli, value):
    refused = cli("accounts", env={"EXCHANGE_TUI_KEY_MAX_AGE_DAYS": value})
    assert refused.code == 2
    (line,) = refused.stderr.splitlines()
    assert line.startswith("exchange-tui: EXCHANGE_TUI_KEY_MAX_AGE_DAYS: expected a positive whole number of days")


@pytest.fixture(scope="module")
def unused_expiry():
    with ThreadedSimulator(new_state("okx")) as simulator:
        yield simulator


@pytest.fixture
def okx_box(cli, unused_expiry):
    unused_expiry.state.reset()
    cli.env["EXCHANGE_TUI_OKX_URL"] = unused_expiry.url
    key = unused_expiry.scenario.key("connects")
    stdin = json.dumps({"api_key": key.api_key, "secret_key": key.secret_key, "passphrase": key.passphrase})
    added = cli("add", "okx", "main", "--json", stdin=stdin)
    assert added.code == 0, added.stderr
    return cli, added.json


def test_an_expiry_counted_from_the_last_use_moves_with_a_balance_read(okx_box):
    cli, added = okx_box
    assert added["ips"] == [] and "trade" in added["permissions"]
    expires = datetime.fromisoformat(added["expires_at"])
    assert expires == datetime.fromisoformat(added["checked_at"]) + timedelta(days=14)
    (line,) = [w for w in added["warnings"] if "14 days" in w]
    assert line.startswith("OKX deletes this key on ") and "last use this box saw" in line
    backdate(cli, timedelta(days=5), check=True)
    (listed,) = cli("accounts", "--json").json["accounts"]
    assert datetime.fromisoformat(listed["expires_at"]) == expires - timedelta(days=5), "as the last check learned"
    note = cli("accounts").stdout.splitlines()[2]
    assert note.startswith("  ! OKX deletes this key on ") and note.endswith("UTC (in 8 days)")
    assert cli("balance", "main").code == 0
    (listed,) = cli("accounts", "--json").json["accounts"]
    moved = datetime.fromisoformat(listed["expires_at"])
    assert timedelta(0) <= moved - expires < timedelta(minutes=5), "the balance read is the key's last use"
    note = cli("accounts").stdout.splitlines()[2]
    assert note.startswith("  ! OKX deletes this key on ") and note.endswith("UTC (in 13 days)")
