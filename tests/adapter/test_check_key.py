"""check_key() over real TCP against the simulator: what a trader sees for each kind of key."""

from exchange_tui.models import AccountMode, Credentials


async def test_demo_key_connects_with_permissions_balances_and_warnings(connect, simulator):
    report = await connect("demo").check_key()

    assert report.connected and report.error is None
    assert report.uid == simulator.state.account("demo").uid
    assert report.account_mode is AccountMode.CLASSIC
    assert "spot trade (read-write)" in report.permissions
    assert "futures orders (read-write)" in report.permissions
    assert "futures holdings (read-write)" in report.permissions
    assert report.read_only is False and report.can_withdraw is False
    assert report.futures_access == {"USDT-FUTURES": True, "USDC-FUTURES": True, "COIN-FUTURES": True}
    assert report.ips == []
    assert any("No IP is bound" in w for w in report.warnings)
    assert not any("withdraw" in w for w in report.warnings)
    accounts = {b.account for b in report.balances}
    assert {"spot", "usdt-futures"} <= accounts
    assert all(b.usdt_value is not None for b in report.balances)
    assert report.total_usdt == sum(b.usdt_value for b in report.balances)
    assert {t.account for t in report.overview} >= {"spot", "futures"}


async def test_spot_balances_are_valued_at_the_last_price(connect, simulator):
    report = await connect("demo").check_key()
    btc = next(b for b in report.balances if b.account == "spot" and b.coin == "BTC")
    price = simulator.state.usdt_price("BTC")
    assert btc.usdt_value == (btc.available + btc.frozen + btc.locked) * price


async def test_read_only_key_is_flagged(connect):
    report = await connect("demo-readonly").check_key()
    assert report.connected and report.read_only is True
    assert any("read-only" in w for w in report.warnings)
    assert any("Futures Orders and Futures-Holdings" in w for w in report.warnings)


async def test_withdraw_permission_is_flagged_and_bound_ips_listed(connect):
    report = await connect("demo-withdraw").check_key()
    assert report.connected and report.can_withdraw
    assert "withdraw" in report.permissions
    assert any("can withdraw" in w for w in report.warnings)
    assert "127.0.0.1" in report.ips
    assert not any("No IP is bound" in w for w in report.warnings)


async def test_missing_futures_permission_is_confirmed_by_calling(connect):
    report = await connect("demo-spot-only").check_key()
    assert report.connected
    assert report.futures_access == {"USDT-FUTURES": False, "USDC-FUTURES": False, "COIN-FUTURES": False}
    assert any("Futures Orders and Futures-Holdings" in w for w in report.warnings)
    assert {b.account for b in report.balances} == {"spot"}


async def test_ip_not_on_whitelist_fails_with_advice(connect):
    report = await connect("demo-ip-bound").check_key()
    assert not report.connected
    assert report.error.kind == "ip_not_whitelisted" and report.error.code == "40018"
    assert "whitelist" in report.error.hint


async def test_demo_trading_key_without_the_flag_is_corrected(connect):
    client = connect("demo-trading")
    report = await client.check_key()
    assert report.connected and report.demo_trading
    assert "Demo-trading key" in report.warnings[0]
    assert client.demo_trading


async def test_live_key_flagged_as_demo_is_corrected(connect):
    report = await connect("demo", demo_trading=True).check_key()
    assert report.connected and not report.demo_trading
    assert "live key" in report.warnings[0]


async def test_demo_trading_key_with_the_flag_needs_no_correction(connect):
    report = await connect("demo-trading", demo_trading=True).check_key()
    assert report.connected and report.demo_trading
    assert not any("corrected" in w for w in report.warnings)


async def test_wrong_passphrase_says_it_is_the_keys_own(connect, tampered):
    report = await connect(credentials=tampered(passphrase="NotThePassphrase1")).check_key()
    assert not report.connected
    assert (report.error.kind, report.error.code) == ("authentication_failed", "40012")
    assert "passphrase" in report.error.hint and "login password" in report.error.hint


async def test_unknown_key_lists_the_causes(connect, tampered):
    report = await connect(credentials=tampered(api_key="bg_" + "0" * 32)).check_key()
    assert (report.error.kind, report.error.code) == ("authentication_failed", "40037")
    assert "another exchange" in report.error.hint


async def test_wrong_secret_is_a_signature_error(connect, tampered):
    report = await connect(credentials=tampered(secret_key="f" * 64)).check_key()
    assert report.error.code == "40009"
    assert "secret key" in report.error.hint


async def test_refused_connection_is_unavailable(unused_tcp_port):
    from exchange_tui.exchanges.bitget.client import BitgetClient

    credentials = Credentials(api_key="bg_" + "1" * 32, secret_key="2" * 64, passphrase="Passphrase1")
    async with BitgetClient(credentials, base_url=f"http://127.0.0.1:{unused_tcp_port}", max_retries=1, backoff_base=0.001) as client:
        report = await client.check_key()
    assert not report.connected
    assert (report.error.kind, report.error.code) == ("unavailable", "connect")
    assert f"127.0.0.1:{unused_tcp_port}" in report.error.hint


async def test_no_secret_reaches_a_report_or_error(connect, simulator, tampered):
    secret = simulator.state.account("demo").secret_key
    passphrase = "NotThePassphrase1"
    report = await connect(credentials=tampered(passphrase=passphrase)).check_key()
    dumped = report.model_dump_json()
    assert secret not in dumped and passphrase not in dumped
