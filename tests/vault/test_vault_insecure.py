"""A Vault address in plain http:// only on this machine, unless --allow-insecure: the token and the keys cross it.

The refused address is ``0.0.0.0``: not loopback by the rule, yet on Linux a connection to it
reaches this machine, so with ``--allow-insecure`` it reaches the test's own ``bao server -dev``.
"""

import pytest


@pytest.mark.parametrize("variable", ["VAULT_ADDR", "BAO_ADDR"])
def test_a_vault_on_another_host_in_clear_is_refused(boxes, bao, key_json, variable):
    box = boxes("box-one")
    assert box("add", "bitget", "main", stdin=key_json()).code == 0, "loopback http is fine"
    elsewhere = {"VAULT_ADDR": None, "BAO_ADDR": None, variable: bao.address.replace("127.0.0.1", "0.0.0.0")}
    for command in (("accounts",), ("locate",)):
        refused = box(*command, env=elsewhere)
        lines = refused.stderr.strip().splitlines()
        assert refused.code == 2 and len(lines) == 1, refused.stderr
        assert lines[0].startswith(f"exchange-tui: {variable} is http://0.0.0.0, not this machine")
        assert "Use https://" in lines[0] and "--allow-insecure" in lines[0]
    allowed = box("--allow-insecure", "accounts", "--json", env=elsewhere)
    assert allowed.code == 0 and [a["label"] for a in allowed.json["accounts"]] == ["main"]
