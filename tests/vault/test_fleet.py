"""The fleet: 20 boxes watch one account in a shared Vault; one rotates; every box switches on its own."""

import pytest
from vault_support import Fleet

BOXES = 20
EVERY = 8.0


def longest_error_run(events):
    longest = run = 0
    for event in events:
        run = run + 1 if event["event"] == "error" else 0 if event["event"] == "balance" else run
        longest = max(longest, run)
    return longest


@pytest.mark.slow
def test_twenty_boxes_switch_to_the_rotated_key_and_never_stay_on_the_deleted_one(
    boxes, key_json, bitget, bao, tmp_path
):
    state = bitget.state
    admin = boxes("box-admin")
    assert admin("add", "bitget", "main", stdin=key_json("demo")).code == 0
    fleet = Fleet()
    homes = []
    try:
        for number in range(BOXES):
            box = boxes(f"box-{number:02}")
            homes.append(box)
            fleet.start(box.env, "main", every=EVERY, log=tmp_path / f"box-{number:02}.log")
        fleet.wait_until(lambda events: any(e["event"] == "ready" and e["version"] == 1 for e in events), 60)

        old, new = state.account("demo"), state.add_key("demo")
        rotated = admin("rotate", "main", stdin=key_json("demo"))
        assert rotated.code == 0, rotated.stderr
        state.delete_key(old.api_key)

        def switched(events):
            rotation = [e for e in events if e["event"] == "rotation" and e["version"] == 2]
            return rotation and any(e["event"] == "balance" and e["version"] == 2 for e in events)

        fleet.wait_until(switched, 60)
    finally:
        fleet.stop()

    assert all(e["version"] in (1, 2) for events in fleet.seen for e in events if "version" in e)
    refused = [e for events in fleet.seen for e in events if e["event"] == "error" and e["code"] in ("40012", "40037")]
    assert refused == [], "a box met the deleted key without switching at once"
    errors = [e for events in fleet.seen for e in events if e["event"] == "error"]
    assert max(longest_error_run(events) for events in fleet.seen) <= 1, f"errors seen: {errors}"

    secrets = [old.secret_key, old.passphrase, new.secret_key, new.passphrase, new.api_key]
    logs = [path.read_text() for path in tmp_path.glob("box-*.log")] + [bao.logs()]
    assert not [secret for secret in secrets for text in logs if secret in text]
    assert [path for box in homes for path in box.files()] == []
