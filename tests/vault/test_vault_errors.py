"""When Vault cannot serve a box: one line naming the fix and exit 4 (the store's code); and AppRole."""

import threading

import pytest

from exchange_tui.simulator import RequestArrived
from exchange_tui.store import VaultTokenInvalid
from exchange_tui.store.vault import VaultAccountStore, VaultSettings

CHECK_PATH = "/api/v2/spot/account/info"
KV_POLICY = """
path "secret/data/{prefix}*" {{ capabilities = [{data}] }}
path "secret/metadata/{prefix}*" {{ capabilities = ["read", "list", "patch", "delete"] }}
"""


def one_line_exit_4(result, *needles):
    assert result.code == 4, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert all(needle in result.stderr for needle in needles), result.stderr


def token_with(client, prefix, data='"create", "read", "update"', **options):
    client.sys.create_or_update_policy(f"p-{prefix[:-1]}-{len(data)}", KV_POLICY.format(prefix=prefix, data=data))
    return client.auth.token.create(policies=[f"p-{prefix[:-1]}-{len(data)}"], **options)["auth"]["client_token"]


def test_server_stopped_mid_rotate_exits_4_and_leaves_the_old_key(boxes, fresh_bao, key_json, bitget):
    box = boxes("box-one", server=fresh_bao)
    assert box("add", "bitget", "main", stdin=key_json("demo")).code == 0
    verifying = threading.Event()
    bitget.state.faults.latency_ms = 500
    unsubscribe = bitget.state.subscribe(
        lambda event: isinstance(event, RequestArrived) and event.path == CHECK_PATH and verifying.set()
    )
    try:
        rotating = box.start("rotate", "main", stdin=key_json("demo-withdraw"))
        assert verifying.wait(30)
        fresh_bao.stop()
        stopped = box.finish(rotating)
    finally:
        unsubscribe()
        bitget.state.faults.latency_ms = 0
    one_line_exit_4(stopped, "cannot reach Vault at", fresh_bao.address, "VAULT_ADDR")
    one_line_exit_4(box("accounts"), "cannot reach Vault")


def test_a_revoked_token_exits_4_saying_so(boxes, root, prefix, key_json):
    token = token_with(root, prefix)
    box = boxes("box-one", VAULT_TOKEN=token)
    assert box("add", "bitget", "main", stdin=key_json("demo")).code == 0
    root.auth.token.revoke(token)
    one_line_exit_4(box("accounts"), "token is expired or revoked", "VAULT_TOKEN")


def test_a_policy_without_write_names_the_path_it_needs(boxes, root, prefix, key_json):
    assert boxes("box-admin")("add", "bitget", "main", stdin=key_json("demo")).code == 0
    reader = boxes("box-reader", VAULT_TOKEN=token_with(root, prefix, data='"read"'))
    assert reader("accounts", "--json").json["accounts"][0]["label"] == "main"
    refused = reader("rotate", "main", stdin=key_json("demo-withdraw"))
    one_line_exit_4(refused, "'update'", f'path "secret/data/{prefix}*"')
    added = reader("add", "bitget", "second", stdin=key_json("demo-withdraw"))
    one_line_exit_4(added, "'create'", f"secret/data/{prefix}bitget/second")


def test_a_sealed_vault_exits_4(boxes, fresh_bao):
    fresh_bao.client().sys.seal()
    one_line_exit_4(boxes("box-one", server=fresh_bao)("accounts"), "sealed")


def test_a_kv_version_1_mount_exits_4(boxes, fresh_bao):
    fresh_bao.client().sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"})
    one_line_exit_4(boxes("box-one", server=fresh_bao, EXCHANGE_TUI_VAULT_MOUNT="kv1")("accounts"), "KV version 1")


def test_no_address_or_no_way_to_log_in_exits_4(boxes):
    one_line_exit_4(boxes("box-one", VAULT_ADDR="")("accounts"), "VAULT_ADDR")
    one_line_exit_4(boxes("box-two", VAULT_TOKEN="")("accounts"), "VAULT_TOKEN", "EXCHANGE_TUI_VAULT_ROLE_ID")


@pytest.fixture
def approle(fresh_bao):
    """An AppRole on a fresh server whose policy covers the default prefix; its role id and a secret id."""
    client = fresh_bao.client()
    client.sys.enable_auth_method("approle")
    client.sys.create_or_update_policy(
        "exchange-tui",
        KV_POLICY.format(prefix="exchange-tui/", data='"create", "read", "update"'),
    )
    client.auth.approle.create_or_update_approle("boxes", token_policies=["exchange-tui"], token_ttl="1h")
    role_id = client.auth.approle.read_role_id("boxes")["data"]["role_id"]
    secret_id = client.auth.approle.generate_secret_id("boxes")["data"]["secret_id"]
    return role_id, secret_id


def test_approle_boxes_share_accounts_and_never_show_the_secret_id(boxes, fresh_bao, approle, key_json):
    role_id, secret_id = approle
    login = {"VAULT_TOKEN": "", "EXCHANGE_TUI_VAULT_ROLE_ID": role_id, "EXCHANGE_TUI_VAULT_SECRET_ID": secret_id}
    one = boxes("box-one", server=fresh_bao, EXCHANGE_TUI_VAULT_PREFIX="exchange-tui/", **login)
    two = boxes("box-two", server=fresh_bao, EXCHANGE_TUI_VAULT_PREFIX="exchange-tui/", **login)
    added = one("add", "bitget", "main", stdin=key_json("demo"))
    assert added.code == 0, added.stderr
    assert [a["label"] for a in two("accounts", "--json").json["accounts"]] == ["main"]
    located = two("locate", "--json")
    assert located.json["vault_auth"].startswith("approle") and role_id[:8] in located.json["vault_auth"]
    assert secret_id not in located.stdout + added.stdout + added.stderr

    wrong = boxes("box-three", server=fresh_bao, **(login | {"EXCHANGE_TUI_VAULT_SECRET_ID": "not-a-secret-id"}))
    one_line_exit_4(wrong("accounts"), "AppRole login", "EXCHANGE_TUI_VAULT_SECRET_ID")


def test_an_approle_box_logs_in_again_when_its_token_is_revoked(fresh_bao, approle):
    role_id, secret_id = approle
    settings = VaultSettings.from_env(
        {
            "VAULT_ADDR": fresh_bao.address,
            "EXCHANGE_TUI_VAULT_ROLE_ID": role_id,
            "EXCHANGE_TUI_VAULT_SECRET_ID": secret_id,
        }
    )
    store = VaultAccountStore.open(settings)
    first_token = store.client.token
    fresh_bao.client().auth.token.revoke(first_token)
    assert store.accounts() == []
    assert store.client.token != first_token
    fresh_bao.client().auth.approle.destroy_secret_id("boxes", secret_id)
    fresh_bao.client().auth.token.revoke(store.client.token)
    with pytest.raises(VaultTokenInvalid, match="AppRole login"):
        store.accounts()
