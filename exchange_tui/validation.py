"""Checking what a person typed or pasted before anything is sent or stored.

Pasted credentials are cleaned (surrounding spaces, tabs and newlines go);
what cannot be right is refused with a message naming the field, never its
value. What is merely unusual (a passphrase Bitget would refuse, a key that
does not look like Bitget's) is a warning: the exchange has the last word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pydantic import SecretStr

from exchange_tui.models import Credentials

LABEL_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_CREDENTIAL_LENGTH = 512
BITGET_PASSPHRASE = re.compile(r"[A-Za-z0-9]{8,32}")
BITGET_KEY = re.compile(r"bg_[0-9a-f]{32}")

PEM_MARKER = "-----BEGIN"
RSA_KEYS = "RSA keys are not supported yet: create a system-generated key (step 4)"

FIELD_NAMES = {"api_key": "API key", "secret_key": "secret key", "passphrase": "passphrase"}


class InvalidInput(ValueError):
    """Input that cannot be right; ``field`` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_label(label: str) -> str:
    label = label.strip()
    if not LABEL_PATTERN.fullmatch(label):
        raise InvalidInput(
            "label", "Label: 1 to 32 letters, digits, '-' or '_' (it names the account in commands)"
        )
    return label


def clean_secret(field: str, value: SecretStr) -> SecretStr:
    """One credential, stripped of what pasting adds; refused if empty, too long, broken by whitespace
    or a control character (NUL…), or not text: lone surrogates, which is what Python makes of bytes
    in another encoding (in the environment, or on stdin in the C locale) and of JSON's surrogate escapes."""
    name = FIELD_NAMES[field]
    cleaned = value.get_secret_value().strip()
    if not cleaned:
        raise InvalidInput(field, f"The {name} is empty")
    if field == "secret_key" and PEM_MARKER in cleaned:
        raise InvalidInput(field, RSA_KEYS)
    if len(cleaned) > MAX_CREDENTIAL_LENGTH:
        raise InvalidInput(field, f"The {name} is too long ({len(cleaned)} characters): paste only the {name}")
    if any(ch.isspace() for ch in cleaned):
        raise InvalidInput(
            field, f"The {name} has spaces or line breaks inside it: copy it again, in one piece"
        )
    if any(unicodedata.category(ch) == "Cs" for ch in cleaned):
        raise InvalidInput(
            field, f"The {name} is not UTF-8 text (typed or stored in another encoding?): copy it again"
        )
    if any(unicodedata.category(ch) == "Cc" for ch in cleaned):
        raise InvalidInput(
            field, f"The {name} has a control character (such as NUL) inside it: copy it again, in one piece"
        )
    return SecretStr(cleaned)


@dataclass
class CheckedCredentials:
    credentials: Credentials
    warnings: list[str] = field(default_factory=list)


def check_credentials(exchange: str, api_key: SecretStr, secret_key: SecretStr, passphrase: SecretStr) -> CheckedCredentials:
    """Clean all three parts; refuse what cannot work, warn about what the exchange will likely refuse."""
    credentials = Credentials(
        api_key=clean_secret("api_key", api_key),
        secret_key=clean_secret("secret_key", secret_key),
        passphrase=clean_secret("passphrase", passphrase),
    )
    warnings: list[str] = []
    if exchange == "bitget":
        if credentials.api_key.get_secret_value() == credentials.secret_key.get_secret_value():
            raise InvalidInput("secret_key", "The secret key is the same as the API key: paste the secret key")
        if not BITGET_KEY.fullmatch(credentials.api_key.get_secret_value()):
            warnings.append(
                "The API key does not look like a Bitget key (bg_ and 32 hex digits): "
                "check it is not another exchange's key or the secret key"
            )
        if not BITGET_PASSPHRASE.fullmatch(credentials.passphrase.get_secret_value()):
            warnings.append(
                "Bitget passphrases are 8 to 32 letters and digits: Bitget will likely refuse this one"
            )
    return CheckedCredentials(credentials, warnings)
