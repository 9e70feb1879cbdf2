"""Accounts files, for every simulated exchange: ``{"accounts": [...]}``, each entry one API key.

An exchange defines what one entry holds (a pydantic model with at least ``label``, ``api_key``,
``secret_key`` and ``passphrase``); this module reads a file of them, checks that labels and keys
are unique, finds the exchange's built-in ``demo_accounts.json`` and prints the credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel


class KeyEntry(Protocol):
    label: str
    api_key: str
    secret_key: str
    passphrase: str


Entry = TypeVar("Entry", bound=BaseModel)


class CamelFields(BaseModel):
    """A balance entry: the exchange's camelCase names in files and answers, snake_case in Python."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, alias_generator=to_camel)


def currency_name(name: str, word: str) -> str:
    """A currency's name as an entry keeps it, upper-cased; ``word`` is what the exchange calls one."""
    if not name.strip():
        raise ValueError(f"a {word} name cannot be empty")
    return name.strip().upper()


class AccountsFile(BaseModel, Generic[Entry]):
    model_config = ConfigDict(extra="forbid")

    accounts: tuple[Entry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> AccountsFile[Entry]:
        for field in ("label", "api_key"):
            values = [getattr(a, field) for a in self.accounts]
            if len(values) != len(set(values)):
                raise ValueError(f"two accounts share one {field}")
        return self


def parse_accounts(entry: type[Entry], text: str | bytes) -> tuple[Entry, ...]:
    return AccountsFile[entry].model_validate_json(text).accounts  # type: ignore[valid-type]


def validate_accounts(entry: type[Entry], accounts: tuple[Entry, ...]) -> tuple[Entry, ...]:
    """``accounts`` checked as a file's would be (at least one, unique labels and keys)."""
    return AccountsFile[entry](accounts=accounts).accounts  # type: ignore[valid-type]


def accounts_or_demo(
    entry: type[Entry], accounts: Iterable[Entry] | None, demo: Callable[[], tuple[Entry, ...]]
) -> tuple[Entry, ...]:
    """``accounts`` checked (:func:`validate_accounts`), or the exchange's ``demo`` ones when None."""
    return demo() if accounts is None else validate_accounts(entry, tuple(accounts))


def load_accounts(entry: type[Entry], path: str | Path) -> tuple[Entry, ...]:
    """The accounts of a JSON accounts file; raises ``OSError`` or pydantic's ``ValidationError``."""
    return parse_accounts(entry, Path(path).read_bytes())


def packaged_accounts(entry: type[Entry], package: str) -> tuple[Entry, ...]:
    """The built-in accounts an exchange's package serves without a file (its ``demo_accounts.json``)."""
    return parse_accounts(entry, resources.files(package).joinpath("demo_accounts.json").read_bytes())


def credentials_line(accounts: tuple[KeyEntry, ...]) -> list[dict[str, str]]:
    """The part of the command line's startup JSON that tells a client how to log in."""
    return [
        {"label": a.label, "api_key": a.api_key, "secret_key": a.secret_key, "passphrase": a.passphrase}
        for a in accounts
    ]
