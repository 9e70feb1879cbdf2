"""Checking what a person typed or pasted before anything is sent or stored.

Pasted credentials are cleaned (surrounding spaces, tabs and newlines go);
what cannot be right is refused with a message naming the field, never its
value. What is merely unusual (a passphrase the exchange would refuse, a key
that does not look like its keys) is a warning from the exchange's own
format check: the exchange has the last word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import SecretStr

from exchange_tui.models import Credentials

if TYPE_CHECKING:
    from exchange_tui.exchanges.base import ExchangeSpec

LABEL_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_CREDENTIAL_LENGTH = 512
PEM_MARKER = "-----BEGIN"
PEM_REFUSED = "{exchange} takes no PEM private key here: create a system-generated (HMAC) key"

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


def clean_secret(field: str, value: SecretStr, *, pem: bool = False, exchange: str = "This exchange") -> SecretStr:
    """One credential, stripped of what pasting adds; refused if empty, too long, broken by whitespace
    or a control character (NUL…), or not text: lone surrogates, which is what Python makes of bytes
    in another encoding (in the environment, or on stdin in the C locale) and of JSON's surrogate escapes.

    With ``pem`` a PEM private key is taken whole, its line breaks kept; without, ``exchange`` takes none."""
    name = FIELD_NAMES[field]
    cleaned = value.get_secret_value().strip()
    if not cleaned:
        raise InvalidInput(field, f"The {name} is empty")
    if PEM_MARKER in cleaned:
        if pem:
            return _clean_pem(field, cleaned)
        raise InvalidInput(field, PEM_REFUSED.format(exchange=exchange))
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


def _clean_pem(field: str, text: str) -> SecretStr:
    """A PEM private key, its lines stripped of what pasting adds (carriage returns, indents)."""
    lines = [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]
    if not (lines[0].startswith(PEM_MARKER) and lines[-1].startswith("-----END")) or len("\n".join(lines)) > 8192:
        raise InvalidInput(field, "The private key is not one whole PEM block: paste it from -----BEGIN to -----END")
    return SecretStr("\n".join(lines) + "\n")


@dataclass
class CheckedCredentials:
    credentials: Credentials
    warnings: list[str] = field(default_factory=list)


def check_credentials(
    spec: ExchangeSpec, api_key: SecretStr, secret_key: SecretStr, passphrase: SecretStr | None = None
) -> CheckedCredentials:
    """Clean every part the exchange has; refuse what cannot work, and pass on the exchange's own
    warnings about a key that does not look like its keys."""
    given = {"api_key": api_key, "secret_key": secret_key, "passphrase": passphrase}
    parts: dict[str, SecretStr] = {}
    for field_spec in spec.credentials:
        value = given[field_spec.name]
        if value is None:
            raise InvalidInput(field_spec.name, f"The {FIELD_NAMES[field_spec.name]} is missing: {spec.name} keys have one")
        parts[field_spec.name] = clean_secret(field_spec.name, value, pem=field_spec.pem, exchange=spec.name)
    credentials = Credentials(**parts)
    if credentials.api_key.get_secret_value() == credentials.secret_key.get_secret_value():
        raise InvalidInput("secret_key", "The secret key is the same as the API key: paste the secret key")
    return CheckedCredentials(credentials, spec.check_format(credentials))
