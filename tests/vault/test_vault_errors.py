"""When Vault cannot serve a box: one line naming the fix and exit 4 (the store's code); and AppRole."""

import json
import queue
import subprocess
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from cli_support import Result

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


@dataclass
class Watch:
    """``exchange-tui balance main --watch --json`` running on a box, its JSON lines gathered as they come."""

    process: subprocess.Popen
    lines: queue.Queue

    def reading(self, after: datetime | None = None) -> dict:
        """The next reading without an error (taken at ``after`` or later); fail on a failed one."""
        while True:
            line = self.lines.get(timeout=30)
            assert line["error"] is None, line
            if after is None or datetime.fromisoformat(line["at"]) >= after:
                return line

    def end(self) -> Result:
        """Wait for the watch to exit by itself."""
        code = self.process.wait(60)
        result = Result(code, "", self.process.stderr.read())
        assert "Traceback" not in result.stderr, result.stderr
        return result


@pytest.fixture
def watch():
    """``watch(box, *options)`` starts a watch; one still running when the test ends is killed."""
    started = []

    def start(box, *args: str) -> Watch:
        process = box.start("balance", "main", "--watch", "--json", *args)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(json.loads(line)) for line in process.stdout], daemon=True).start()
        started.append(process)
        return Watch(process, lines)

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


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


def test_a_token_revoked_during_a_watch_ends_it_with_4_and_one_line(boxes, root, prefix, key_json, watch):
    token = token_with(root, prefix)
    box = boxes("box-one", VAULT_TOKEN=token)
    assert box("add", "bitget", "main", stdin=key_json("demo")).code == 0
    watching = watch(box)
    watching.reading()
    root.auth.token.revoke(token)
    ended = watching.end()
    one_line_exit_4(ended, "the Vault token is expired or revoked", "VAULT_TOKEN")
    assert token not in ended.stderr


def test_a_watch_waits_out_an_unreachable_vault_for_its_timeout_then_exits_4(boxes, fresh_bao, key_json, bitget, watch):
    box = boxes("box-one", server=fresh_bao)
    assert box("add", "bitget", "main", stdin=key_json("demo")).code == 0
    bitget.state.faults.ws_refuse_login = True
    try:
        watching = watch(box, "--timeout", "3", "--interval", "0.3")
        watching.reading()
        fresh_bao.stop()
        stopped = datetime.now(UTC)
        watching.reading(after=stopped)
        ended = watching.end()
    finally:
        bitget.state.faults.ws_refuse_login = False
    assert ended.code == 4, ended.stderr
    about_vault = [line for line in ended.stderr.splitlines() if "Vault" in line]
    assert len(about_vault) == 2, ended.stderr
    warning, final = about_vault
    assert "trying again for 3 s with the key in use" in warning and "cannot reach Vault" in warning
    assert final.startswith("exchange-tui: secret store unavailable: cannot reach Vault at")


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


def test_an_approle_watch_logs_in_again_and_exits_4_once_it_cannot(boxes, fresh_bao, approle, key_json, bitget, watch):
    role_id, secret_id = approle
    login = {"VAULT_TOKEN": "", "EXCHANGE_TUI_VAULT_ROLE_ID": role_id, "EXCHANGE_TUI_VAULT_SECRET_ID": secret_id}
    box = boxes("box-one", server=fresh_bao, EXCHANGE_TUI_VAULT_PREFIX="exchange-tui/", **login)
    admin = boxes("box-admin", server=fresh_bao, EXCHANGE_TUI_VAULT_PREFIX="exchange-tui/")
    assert box("add", "bitget", "main", stdin=key_json("demo")).code == 0
    watching = watch(box)
    watching.reading()
    vault = fresh_bao.client()
    vault.sys.revoke_prefix("auth/approle/login")
    bitget.state.add_key("demo")
    rotated_at = datetime.now(UTC)
    assert admin("rotate", "main", stdin=key_json("demo")).code == 0
    watching.reading(after=rotated_at)  # the watch logged in again, saw the new key and reconnected with it

    vault.auth.approle.destroy_secret_id("boxes", secret_id)
    vault.sys.revoke_prefix("auth/approle/login")
    ended = watching.end()
    one_line_exit_4(ended, "Vault refused the AppRole login", "EXCHANGE_TUI_VAULT_SECRET_ID")
    assert secret_id not in ended.stderr
