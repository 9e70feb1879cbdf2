"""Every flow in Vault mode, as boxes run it: separate processes and HOMEs, one real OpenBao, the simulator."""

import threading
from decimal import Decimal

import hvac.exceptions
import pytest

from exchange_tui.simulator import RequestArrived

CHECK_PATH = "/api/v2/spot/account/info"


def secrets_of(bitget, *labels):
    return [part for label in labels for part in (bitget.state.account(label).secret_key, bitget.state.account(label).passphrase)]


def test_every_flow_across_two_boxes(boxes, key_json, bitget, bao, root, prefix):
    one, two = boxes("box-one"), boxes("box-two")
    added = one("add", "bitget", "Main", "--json", stdin=key_json("demo"))
    assert added.code == 0, added.stderr

    listed = two("accounts", "--json").json["accounts"]
    assert [(a["label"], a["exchange"], a["key_prefix"], a["last_check"]["status"]) for a in listed] == [
        ("Main", "bitget", bitget.state.account("demo").api_key[:7] + "…", "connected")
    ]
    assert two("check", "main", "--json").json["uid"] == bitget.state.account("demo").uid
    balance = two("balance", "main", "--json")
    assert balance.code == 0 and Decimal(balance.json["total_usdt"]) > 0

    rotated = one("rotate", "main", "--json", stdin=key_json("demo-withdraw"))
    assert rotated.code == 0, rotated.stderr
    account = two("accounts", "--json").json["accounts"][0]
    assert account["rotated_by"] == "box-one" and account["rotated"] is not None
    assert two("check", "main", "--json").json["uid"] == bitget.state.account("demo-withdraw").uid

    stored = root.secrets.kv.v2.read_secret_metadata(f"{prefix}bitget/main")["data"]
    assert stored["current_version"] == 2
    facts = stored["custom_metadata"]
    assert facts["label"] == "Main" and facts["rotated_by"] == "box-one" and facts["demo_trading"] == "false"
    assert not any(secret in value for value in facts.values() for secret in secrets_of(bitget, "demo", "demo-withdraw"))

    removed = two("remove", "main", "--yes", "--json")
    assert removed.code == 0 and removed.json["removed"]["label"] == "Main"
    assert one("accounts", "--json").json == {"accounts": []}
    with pytest.raises(hvac.exceptions.InvalidPath):
        root.secrets.kv.v2.read_secret_metadata(f"{prefix}bitget/main")

    secrets = secrets_of(bitget, "demo", "demo-withdraw") + [bitget.state.account("demo-withdraw").api_key]
    for box in (one, two):
        assert box.files() == [], "nothing is written to a box's disk in Vault mode"
    outputs = [r.stdout + r.stderr for r in (added, balance, rotated, removed)]
    assert not [secret for secret in secrets for text in [*outputs, bao.logs()] if secret in text]


def test_a_second_label_in_any_case_is_refused(boxes, key_json):
    one = boxes("box-one")
    assert one("add", "bitget", "main", stdin=key_json("demo")).code == 0
    again = boxes("box-two")("add", "bitget", "MAIN", stdin=key_json("demo-withdraw"))
    assert again.code == 2 and "exists" in again.stderr


def test_locate_names_the_vault_never_the_token(boxes, prefix, bao):
    located = boxes("box-one")("locate", "--json")
    assert located.code == 0
    found = located.json
    assert found["secret_backend"] == "vault"
    assert (found["vault_address"], found["vault_mount"], found["vault_prefix"]) == (bao.address, "secret", prefix)
    assert found["vault_auth"].startswith("token")
    text = boxes("box-two")("locate")
    assert bao.address in text.stdout and "vault auth" in text.stdout
    assert "exchange-tui-tests-root" not in located.stdout + text.stdout


def test_a_rotate_that_loses_the_race_says_who_won_and_exits_1(boxes, key_json, bitget, root, prefix):
    one = boxes("box-one")
    assert one("add", "bitget", "main", stdin=key_json("demo")).code == 0
    verifying = threading.Event()
    bitget.state.faults.latency_ms = 1_000
    unsubscribe = bitget.state.subscribe(
        lambda event: isinstance(event, RequestArrived) and event.path == CHECK_PATH and verifying.set()
    )
    try:
        slow_box = boxes("box-slow")
        slow = slow_box.start("rotate", "main", stdin=key_json("demo-withdraw"))
        assert verifying.wait(30)
        winner = bitget.state.account("demo-readonly")
        root.secrets.kv.v2.create_or_update_secret(
            f"{prefix}bitget/main",
            {"api_key": winner.api_key, "secret_key": winner.secret_key, "passphrase": winner.passphrase, "written_by": "box-fast"},
        )
        lost = slow_box.finish(slow)
    finally:
        unsubscribe()
        bitget.state.faults.latency_ms = 0
    assert lost.code == 1, lost.stderr
    assert len(lost.stderr.strip().splitlines()) == 1
    assert "rotated elsewhere, by box-fast at" in lost.stderr and "yours was not stored" in lost.stderr
    stored = root.secrets.kv.v2.read_secret_version(f"{prefix}bitget/main", raise_on_deleted_version=True)["data"]["data"]
    assert stored["api_key"] == winner.api_key


def test_two_boxes_rotate_at_once_exactly_one_wins(boxes, key_json, bitget, root, prefix):
    assert boxes("box-zero")("add", "bitget", "main", stdin=key_json("demo")).code == 0
    bitget.state.faults.latency_ms = 1_500
    try:
        one, two = boxes("box-one"), boxes("box-two")
        racing = {
            "demo-withdraw": one.start("rotate", "main", stdin=key_json("demo-withdraw")),
            "demo-readonly": two.start("rotate", "main", stdin=key_json("demo-readonly")),
        }
        done = {key: one.finish(process) for key, process in racing.items()}
    finally:
        bitget.state.faults.latency_ms = 0
    assert sorted(result.code for result in done.values()) == [0, 1], done
    (winner,) = [key for key, result in done.items() if result.code == 0]
    (loser,) = [result for result in done.values() if result.code == 1]
    assert "rotated elsewhere, by box-" in loser.stderr
    stored = root.secrets.kv.v2.read_secret_version(f"{prefix}bitget/main", raise_on_deleted_version=True)["data"]
    assert stored["data"]["api_key"] == bitget.state.account(winner).api_key
    assert stored["metadata"]["version"] == 2
