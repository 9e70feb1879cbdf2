"""A good key that Bitget will not answer for now is "try later" (exit 3), never "refused" (exit 1)."""

import pytest


@pytest.mark.parametrize(
    "faults",
    [{"rate_limit_next": 100}, {"answer_code": "40015", "answer_code_next": 100}, {"answer_code": "40200", "answer_code_next": 100}],
    ids=["429", "40015", "40200"],
)
def test_an_answer_that_never_clears_exits_3_and_stores_nothing(cli, key_json, bitget, faults):
    bitget.state.update_faults(fault_path="/api/v3/account/info", **faults)
    added = cli("add", "bitget", "main", "--json", stdin=key_json("demo-unified"))
    assert added.code == 3, added.stderr
    assert added.json["status"] == "failed"
    assert cli("accounts", "--json").json["accounts"] == []
