"""The accounts file and the built-in demo accounts."""

import json
import re
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sim_requests import account_fields

from exchange_tui.simulator.bitget.accounts import demo_accounts, load_accounts, parse_accounts
from exchange_tui.simulator.core.accounts import credentials_line

REQUIRED_LABELS = {
    "demo",
    "demo-readonly",
    "demo-withdraw",
    "demo-spot-only",
    "demo-ip-bound",
    "demo-unified",
    "demo-unified-trade-only",
    "demo-unified-elite",
    "demo-trading",
    "demo-trading-unified",
}
WRITE_CODES = {"stow", "coow", "cpow", "wtow", "wwow", "smow", "ttow", "chow", "p2pw", "pllw", "taxw"}
FUTURES_CODES = {"coor", "coow", "cpor", "cpow"}


def accounts_json(*accounts):
    return json.dumps({"accounts": list(accounts)})


def test_demo_accounts_have_valid_distinct_credentials():
    accounts = {a.label: a for a in demo_accounts()}
    assert REQUIRED_LABELS <= set(accounts)
    for field in ("api_key", "secret_key", "passphrase", "uid"):
        assert len({getattr(a, field) for a in accounts.values()}) == len(accounts), field
    for account in accounts.values():
        assert re.fullmatch(r"bg_[0-9a-f]{32}", account.api_key)
        assert re.fullmatch(r"[0-9a-f]{64}", account.secret_key)
        assert re.fullmatch(r"[A-Za-z0-9]{8,32}", account.passphrase)


def test_demo_accounts_cover_the_cases_a_key_check_meets():
    accounts = {a.label: a for a in demo_accounts()}
    demo = accounts["demo"]
    assert {"stor", "stow"} <= set(demo.authorities) and FUTURES_CODES <= set(demo.authorities)
    assert "wwow" not in demo.authorities and demo.ips == ()
    assert {b.coin for b in demo.spot} >= {"USDT", "BTC", "ETH", "BGB"}
    assert {"USDT-FUTURES", "USDC-FUTURES"} <= set(demo.futures)
    assert not set(accounts["demo-readonly"].authorities) & WRITE_CODES
    assert "wwow" in accounts["demo-withdraw"].authorities
    assert not set(accounts["demo-spot-only"].authorities) & FUTURES_CODES
    assert accounts["demo-ip-bound"].ips == ("203.0.113.7",)
    assert accounts["demo-unified"].mode == "unified" and accounts["demo-unified"].unified.assets
    assert "uta_mgt" not in accounts["demo-unified-trade-only"].unified.permissions
    assert accounts["demo-unified-elite"].unified.classic_api == "info-then-40731"
    assert accounts["demo-trading"].demo and accounts["demo-trading-unified"].mode == "unified"
    assert [a.label for a in demo_accounts() if a.demo] == ["demo-trading", "demo-trading-unified"]


def test_file_uses_bitget_field_names_for_balances(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text(
        accounts_json(
            account_fields(
                spot=[{"coin": "usdt", "available": "1.50", "limitAvailable": 2}],
                futures={"usdt-futures": [{"marginCoin": "USDT", "available": "3", "unionTotalMagin": "9"}]},
                ips=[" 10.0.0.1 "],
            )
        )
    )
    (account,) = load_accounts(path)
    assert account.spot[0].coin == "USDT"
    assert account.spot[0].available == Decimal("1.50")
    assert account.spot[0].limit_available == Decimal(2)
    assert account.futures["USDT-FUTURES"][0].union_total_margin == Decimal(9)
    assert account.ips == ("10.0.0.1",)
    assert account.mode == "classic" and not account.demo


@pytest.mark.parametrize(
    "change",
    [
        {"api_key": "bg_" + "A" * 32},
        {"api_key": "0123456789abcdef0123456789abcdef"},
        {"secret_key": "b" * 63},
        {"passphrase": "short1"},
        {"passphrase": "with space 123"},
        {"uid": "abc"},
        {"ips": ["not-an-ip"]},
        {"mode": "unified"},
        {"unified": {"assets": []}},
        {"futures": {"SPOT": []}},
        {"spot": [{"coin": "BTC", "available": "1"}, {"coin": "btc", "available": "2"}]},
        {"spot": [{"coin": "BTC", "available": "NaN"}]},
        {"unknown_field": 1},
    ],
)
def test_invalid_accounts_are_refused(change):
    with pytest.raises(ValidationError):
        parse_accounts(accounts_json(account_fields(**change)))


def test_labels_and_keys_must_be_unique():
    with pytest.raises(ValidationError, match="label"):
        parse_accounts(accounts_json(account_fields(), account_fields(api_key="bg_" + "c" * 32)))
    with pytest.raises(ValidationError, match="api_key"):
        parse_accounts(accounts_json(account_fields(), account_fields(label="other")))


def test_credentials_line_names_the_four_login_fields():
    (line,) = credentials_line(parse_accounts(accounts_json(account_fields())))
    assert list(line) == ["label", "api_key", "secret_key", "passphrase"]
    assert line["passphrase"] == "Secret123"
