"""OKX as the rest of the app sees it: the spec, its format rule, sites and URLs, demo keys and guide."""

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from okx_support import VECTOR_KEY

from exchange_tui.exchanges.base import Environment
from exchange_tui.exchanges.okx.errors import from_code
from exchange_tui.exchanges.okx.spec import SPEC
from exchange_tui.guide import FAILED_STEP, Mark, Role, evaluate
from exchange_tui.models import AccountMode, Credentials, KeyReport
from exchange_tui.validation import InvalidInput


def test_the_spec():
    assert SPEC.id == "okx" and SPEC.name == "OKX" and SPEC.has_passphrase
    assert [(f.name, f.env) for f in SPEC.credentials] == [
        ("api_key", "OKX_API_KEY"),
        ("secret_key", "OKX_API_SECRET"),
        ("passphrase", "OKX_API_PASSPHRASE"),
    ]
    assert [s.env("okx") for s in SPEC.urls] == ["EXCHANGE_TUI_OKX_URL", "EXCHANGE_TUI_OKX_WS_URL", "EXCHANGE_TUI_OKX_DEMO_WS_URL"]
    assert SPEC.environments == (Environment.LIVE, Environment.DEMO)
    assert "14 days" in SPEC.key_expiry.rule and "last use this box saw" in SPEC.key_expiry.rule


def test_the_spec_imports_neither_httpx_nor_websockets():
    probe = "import sys, exchange_tui.exchanges.okx.spec; sys.exit(bool({'httpx', 'websockets'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", probe]).returncode == 0


def test_sites_and_their_rest_hosts():
    assert [(s.id, s.rest_url) for s in SPEC.sites] == [
        ("global", "https://www.okx.com"),
        ("eea", "https://eea.okx.com"),
        ("us", "https://us.okx.com"),
    ]


def test_an_okx_shaped_key_gets_no_warning():
    assert SPEC.check_format(VECTOR_KEY) == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"api_key": "bg_0123456789abcdef0123456789abcdef"}, "UUID"),
        ({"secret_key": "0123456789ABCDEF"}, "32 hex"),
        ({"passphrase": "short"}, "8 to 32"),
    ],
)
def test_an_odd_key_is_a_warning(changes, words):
    (warning,) = SPEC.check_format(Credentials(**(VECTOR_KEY.document() | changes)))
    assert words in warning


def test_what_no_header_can_carry_is_refused_without_being_repeated():
    with pytest.raises(InvalidInput) as refused:
        SPEC.check_format(Credentials(**(VECTOR_KEY.document() | {"passphrase": "Pässphrase123"})))
    assert refused.value.field == "passphrase" and "Pässphrase123" not in str(refused.value)


def test_the_demo_keys_name_the_simulators_accounts():
    labels = [key.label for key in SPEC.demo_keys]
    assert labels[0] == "demo" and SPEC.demo_keys[0].wrong is None and not SPEC.demo_keys[0].demo_trading
    assert {"demo-readonly", "demo-withdraw", "demo-ip-bound", "demo-trading", "demo-eea", "demo-spot-mode"} <= set(labels)
    assert [k.demo_trading for k in SPEC.demo_keys if k.label == "demo-trading"] == [True]
    assert {k.wrong for k in SPEC.demo_keys if k.wrong} == {"passphrase", "secret_key"}


def _report(**fields) -> KeyReport:
    return KeyReport(exchange="okx", connected=True, checked_at=datetime.now(UTC), **fields)


def test_the_guide_has_a_step_for_every_refusal():
    for role in {*FAILED_STEP.values(), Role.CONNECT}:
        assert SPEC.guide.step(role) is not None, role


@pytest.mark.parametrize(
    ("fields", "mark", "words"),
    [
        ({"permissions": ["read", "trade"]}, Mark.DONE, "no withdrawals"),
        ({"permissions": ["read", "trade", "withdraw"], "can_withdraw": True}, Mark.WARNING, "without Withdraw"),
        ({"permissions": ["read"], "read_only": True}, Mark.FAILED, "add Trade"),
    ],
)
def test_the_permissions_step(fields, mark, words):
    judged, note = SPEC.guide.permissions(_report(**fields))
    assert judged is mark and words in note


def test_spot_mode_cannot_hold_futures_and_says_how_to_switch():
    mark, note = SPEC.guide.futures(_report(account_mode=AccountMode.SPOT))
    assert mark is Mark.WARNING and "Futures mode" in note and "switch" in note
    assert SPEC.guide.futures(_report(account_mode=AccountMode.FUTURES))[0] is Mark.DONE
    assert SPEC.guide.futures(_report(account_mode=AccountMode.PORTFOLIO))[0] is Mark.DONE


def test_a_refused_passphrase_points_back_at_its_step():
    refused = KeyReport(exchange="okx", connected=False, checked_at=datetime.now(UTC), error=from_code("50105", "").info())
    failed = [r for r in evaluate(SPEC.guide, refused) if r.mark is Mark.FAILED]
    assert [r.step.role for r in failed] == [Role.PASSPHRASE, Role.CONNECT]
