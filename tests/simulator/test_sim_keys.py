"""A second API key for an account, and deleting the first, as a rotation does on Bitget."""

import httpx
from sim_requests import bitget_error, signed_get

ASSETS = "/api/v2/spot/account/assets?coin=USDT"


async def test_a_new_key_reads_the_same_account_until_the_old_one_is_deleted(simulator):
    state = simulator.state
    old = state.account("demo")
    new = state.add_key("demo")
    assert (new.uid, new.label) == (old.uid, "demo") and new.api_key != old.api_key
    assert state.account("demo") == new
    state.set_balance("demo", "USDT", "7")
    async with httpx.AsyncClient(base_url=simulator.url) as client:
        for key in (old, new):
            answer = await signed_get(client, key, ASSETS)
            assert answer.json()["data"][0]["available"] == "7"
        state.delete_key(old.api_key)
        assert bitget_error(await signed_get(client, old, ASSETS))[1] == "40037"
        assert (await signed_get(client, new, ASSETS)).status_code == 200


async def test_keys_over_the_control_endpoints(simulator):
    async with httpx.AsyncClient(base_url=simulator.url) as client:
        added = await client.post("/_sim/keys", json={"label": "demo"})
        assert added.status_code == 200 and added.json()["api_key"] == simulator.state.account("demo").api_key
        first = simulator.state.account("demo-readonly")
        assert (await client.post("/_sim/keys/delete", json={"api_key": first.api_key})).json() == {"deleted": True}
        assert simulator.state.account_by_key(first.api_key) is None
        unknown = await client.post("/_sim/keys/delete", json={"api_key": "bg_nothing"})
        assert unknown.status_code == 404
