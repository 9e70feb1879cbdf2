"""What a person pastes is cleaned, or refused with a message naming the field and never the value."""

import pytest
from pydantic import SecretStr

from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.validation import InvalidInput, check_credentials, check_label

KEY = "bg_0123456789abcdef0123456789abcdef"
SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"


def checked(api_key=KEY, secret_key=SECRET, passphrase="Passphrase123"):
    return check_credentials(EXCHANGES["bitget"], SecretStr(api_key), SecretStr(secret_key), SecretStr(passphrase))


def test_pasted_newlines_and_spaces_around_are_stripped():
    result = checked(api_key=f"  {KEY}\n", secret_key=f"{SECRET}\r\n", passphrase="\tPassphrase123 ")
    assert result.credentials.api_key.get_secret_value() == KEY
    assert result.credentials.secret_key.get_secret_value() == SECRET
    assert result.credentials.passphrase.get_secret_value() == "Passphrase123"
    assert result.warnings == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"api_key": "  \n"}, "api_key", "API key is empty"),
        ({"secret_key": SECRET[:30] + "\n" + SECRET[30:]}, "secret_key", "line breaks inside"),
        ({"passphrase": "x" * 600}, "passphrase", "too long"),
        ({"secret_key": KEY}, "secret_key", "same as the API key"),
        ({"passphrase": "Pass\0phrase123"}, "passphrase", "control character"),
        ({"api_key": KEY[:10] + "\x7f" + KEY[10:]}, "api_key", "control character"),
        ({"passphrase": "Pass\udce9phrase123"}, "passphrase", "not UTF-8 text"),
        ({"secret_key": "\ud800" + SECRET}, "secret_key", "not UTF-8 text"),
    ],
)
def test_unusable_input_is_refused_naming_the_field_not_the_value(changes, field, words):
    with pytest.raises(InvalidInput) as raised:
        checked(**changes)
    assert raised.value.field == field
    assert words in raised.value.message
    assert all(v.strip() not in raised.value.message for v in changes.values() if v.strip())


def test_passphrase_bitget_would_refuse_is_a_warning():
    assert "8 to 32 letters and digits" in checked(passphrase="short!").warnings[0]


def test_key_from_another_exchange_is_a_warning():
    assert "does not look like a Bitget key" in checked(api_key="A" * 64).warnings[0]


@pytest.mark.parametrize("label", ["main", "bot-1", "futures_2", "A" * 32])
def test_good_labels(label):
    assert check_label(f" {label} ") == label


@pytest.mark.parametrize("label", ["", "two words", "a/b", "A" * 33, "é"])
def test_bad_labels(label):
    with pytest.raises(InvalidInput) as raised:
        check_label(label)
    assert raised.value.field == "label"


def test_a_pasted_rsa_private_key_is_named_as_such():
    body = "\n".join(["MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + "A" * 32] * 26)
    pem = f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"
    with pytest.raises(InvalidInput) as raised:
        checked(secret_key=pem)
    assert raised.value.field == "secret_key"
    assert raised.value.message == "Bitget takes no PEM private key here: create a system-generated (HMAC) key"
