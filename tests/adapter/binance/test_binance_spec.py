"""Binance's spec: its key's parts, URLs, environments, format rule, guide and demo keys."""

import pytest
from binance_examples import ED25519_PEM, ED25519_PUBLIC_PEM, VECTOR_API_KEY, VECTOR_SECRET
from pydantic import SecretStr

from exchange_tui.exchanges.base import Environment
from exchange_tui.exchanges.binance.spec import SPEC
from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.guide import Role
from exchange_tui.models import Credentials
from exchange_tui.validation import InvalidInput, check_credentials


def test_registered_with_its_parts_urls_and_environments():
    assert EXCHANGES["binance"] is SPEC and SPEC.name == "Binance" and not SPEC.has_passphrase
    assert [(f.name, f.env, f.pem) for f in SPEC.credentials] == [
        ("api_key", "BINANCE_API_KEY", False),
        ("secret_key", "BINANCE_API_SECRET", True),
    ]
    assert [(u.name, u.env("binance"), u.rest) for u in SPEC.urls] == [
        ("url", "EXCHANGE_TUI_BINANCE_URL", True),
        ("futures_url", "EXCHANGE_TUI_BINANCE_FUTURES_URL", True),
        ("ws_api_url", "EXCHANGE_TUI_BINANCE_WS_API_URL", False),
        ("futures_ws_url", "EXCHANGE_TUI_BINANCE_FUTURES_WS_URL", False),
    ]
    assert SPEC.environments == (Environment.LIVE, Environment.DEMO, Environment.TESTNET)
    assert "30 days" in SPEC.key_expiry.rule and "no IP restriction" in SPEC.key_expiry.rule


def test_an_hmac_key_of_binance_shape_passes_quietly():
    assert check_credentials(SPEC, SecretStr(VECTOR_API_KEY), SecretStr(VECTOR_SECRET)).warnings == []


def test_an_ed25519_private_key_is_a_secret():
    checked = check_credentials(SPEC, SecretStr(VECTOR_API_KEY), SecretStr(ED25519_PEM))
    assert checked.warnings == [] and checked.credentials.secret_key.get_secret_value() == ED25519_PEM


def test_a_public_key_is_refused_naming_the_private_one():
    with pytest.raises(InvalidInput) as refused:
        check_credentials(SPEC, SecretStr(VECTOR_API_KEY), SecretStr(ED25519_PUBLIC_PEM))
    assert refused.value.field == "secret_key" and "private key" in str(refused.value)


def test_a_pem_that_is_not_a_key_is_refused_without_its_text():
    with pytest.raises(InvalidInput) as refused:
        check_credentials(SPEC, SecretStr(VECTOR_API_KEY), SecretStr("-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----"))
    assert "QUJD" not in str(refused.value)


def test_odd_shapes_are_warnings():
    warnings = SPEC.check_format(Credentials(api_key="short", secret_key="also-short"))
    assert len(warnings) == 2 and "64 letters and digits" in warnings[0]


def test_the_guide_has_every_role_a_check_can_judge():
    roles = {step.role for step in SPEC.guide.steps}
    assert {Role.ACCOUNT, Role.TWO_FACTOR, Role.ENVIRONMENT, Role.PERMISSIONS, Role.FUTURES, Role.IP, Role.COPY, Role.CONNECT} <= roles
    assert "Ed25519" in " ".join(step.title + step.detail for step in SPEC.guide.steps)


def test_the_demo_keys_name_the_simulator_accounts():
    assert [(k.label, k.account, k.demo_trading, k.wrong) for k in SPEC.demo_keys] == [
        ("demo", "demo", False, None),
        ("demo-readonly", "demo-readonly", False, None),
        ("demo-withdraw", "demo-withdraw", False, None),
        ("demo-ip-restricted-elsewhere", "demo-ip-restricted-elsewhere", False, None),
        ("demo-trading", "demo-trading", True, None),
        ("demo-ed25519", "demo-ed25519", False, None),
        ("demo-rsa", "demo-rsa", False, None),
        ("demo-badsecret", "demo", False, "secret_key"),
    ]
