"""The account index: everything about an account that is not secret, in one JSON file.

It lives in the data folder (0600 in a 0700 folder) and is only ever replaced atomically, so a
reader sees the old index or the new one. Read-modify-write happens under a short index-wide
lock. A file that is not an index (damaged, or nested too deeply to parse) is moved aside
(``index.json.corrupt-<time>``) and reported, never silently replaced; a file we may not read is
reported and left where it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exchange_tui.models import KEY_PREFIX_LENGTH, Credentials, KeyFacts, KeyReport

from .errors import IndexCorrupt, IndexTooNew, InvalidAccountName, LockTimeout, StoreFileUnavailable
from .files import atomic_write, file_lock
from .locations import Locations

INDEX_VERSION = 1
LABEL_PATTERN = r"[A-Za-z0-9_-]{1,64}"
EXCHANGE_PATTERN = r"[a-z][a-z0-9]{0,31}"


def now() -> datetime:
    return datetime.now(UTC)


def check_label(label: str) -> str:
    if not re.fullmatch(LABEL_PATTERN, label):
        raise InvalidAccountName(f"label {label!r}: use 1 to 64 letters, digits, '-' or '_'")
    return label


def check_exchange(exchange: str) -> str:
    if not re.fullmatch(EXCHANGE_PATTERN, exchange):
        raise InvalidAccountName(f"exchange {exchange!r}: use an exchange's lower-case id")
    return exchange


def account_id(exchange: str, label: str) -> str:
    """The account's name in the secret store: ``<exchange>:<label>``, lower case.

    Lower case because the encrypted file cannot tell ``Main`` from ``main``; labels are
    therefore unique regardless of case everywhere.
    """
    return f"{check_exchange(exchange)}:{check_label(label)}".lower()


class CheckStatus(StrEnum):
    CONNECTED = "connected"
    FAILED = "failed"


class CheckSummary(BaseModel):
    """The outcome of the last check of an account's key, as the list of accounts shows it."""

    model_config = ConfigDict(frozen=True)

    status: CheckStatus
    checked_at: datetime
    error_code: str | None = None
    error_kind: str | None = None
    error_reason: str | None = None
    total_usdt: Decimal | None = None
    uid: str | None = None
    """The exchange account the key belongs to, as last seen (kept when a check fails)."""
    key: KeyFacts | None = None
    """What the last check that connected learned of the key, for its exchange's expiry rule (kept when a check fails)."""
    last_used: datetime | None = None
    """The last successful check or balance read this box recorded."""
    expires_at: datetime | None = None
    """When the key stops working (or loses a permission) by its exchange's rule, as of ``last_used``."""

    @classmethod
    def from_report(cls, report: KeyReport, previous: CheckSummary | None = None) -> CheckSummary:
        """The summary of a check; what a failed one cannot know (the key's facts, its last use) is the previous'."""
        return cls(
            status=CheckStatus.CONNECTED if report.connected else CheckStatus.FAILED,
            checked_at=report.checked_at,
            error_code=report.error.code if report.error else None,
            error_kind=report.error.kind if report.error else None,
            error_reason=report.error.reason if report.error else None,
            total_usdt=report.total_usdt,
            uid=report.uid or (previous.uid if previous else None),
            key=report.facts if report.connected else (previous.key if previous else None),
            last_used=report.checked_at if report.connected else (previous.last_used if previous else None),
        )


class AccountRecord(BaseModel):
    """One account as the index keeps it: no secret, only the key's short prefix."""

    model_config = ConfigDict(frozen=True)

    label: str = Field(pattern=f"^{LABEL_PATTERN}$")
    exchange: str = Field(pattern=f"^{EXCHANGE_PATTERN}$")
    key_prefix: str = Field(max_length=KEY_PREFIX_LENGTH + 1)
    demo_trading: bool = False
    testnet: bool = False
    site: str | None = None
    """The exchange's site (region) the key belongs to, where it has several; ``None``: its first."""
    base_url: str | None = None
    created: datetime
    rotated: datetime | None = None
    rotated_by: str | None = None
    """The box that last replaced the key, where the store records it (Vault)."""
    last_check: CheckSummary | None = None

    @classmethod
    def new(
        cls,
        exchange: str,
        label: str,
        credentials: Credentials,
        *,
        demo_trading: bool,
        base_url: str | None,
        site: str | None = None,
        testnet: bool = False,
    ) -> AccountRecord:
        """The record of an account about to be added, created now."""
        return cls(
            label=check_label(label),
            exchange=check_exchange(exchange),
            key_prefix=credentials.key_prefix,
            demo_trading=demo_trading,
            testnet=testnet,
            site=site,
            base_url=base_url,
            created=now(),
        )

    @property
    def account_id(self) -> str:
        return account_id(self.exchange, self.label)

    @property
    def key_set_at(self) -> datetime:
        """When the key in the store was set: replaced, else added."""
        return self.rotated or self.created

    def age_days(self, at: datetime) -> int:
        """The key's age in whole days at ``at``."""
        return max(0, (at - self.key_set_at).days)

    @property
    def key(self) -> str:
        """What identifies the account among the others: its label, ignoring case."""
        return self.label.casefold()


def key_fingerprint(credentials: Credentials) -> str:
    """A short digest of the API key (never of the secret or passphrase): tells two keys apart
    where their short prefixes could be the same."""
    return hashlib.sha256(credentials.api_key.get_secret_value().encode()).hexdigest()[:16]


class PendingRotation(BaseModel):
    """A key swap in progress, noted before the new secret is written: if the process dies before
    the index shows the new key, the next open sees which key the store holds and finishes or
    drops the swap."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    key_prefix: str = Field(max_length=KEY_PREFIX_LENGTH + 1)
    key_fingerprint: str
    started: datetime


class PendingMigration(BaseModel):
    """A move of every account to another store (``exchange-tui migrate``), noted before the first
    copy and dropped when it is done, so a second run or ``doctor --repair`` finishes one cut short.

    ``switched``: every account was copied and read back, and the box points at ``destination``
    (for a local one, the pin moved with the same write); only deleting the source's copies is left.
    """

    model_config = ConfigDict(frozen=True)

    source: str
    destination: str
    delete_source: bool = False
    switched: bool = False
    started: datetime


class IndexDocument(BaseModel):
    """The index file's content.

    ``secret_backend`` pins the secret store this box's accounts live in (``os-keyring`` or
    ``encrypted-file``), set by the first add: later processes use that store or none, so the
    accounts never end up split over two stores when the keyring is locked for a while.
    ``purge`` lists account ids whose secret must be deleted unless the account is listed: an add
    or remove in progress, or one a crash interrupted. ``rotations`` lists key swaps in progress.
    ``migration`` is a move to another store in progress (:class:`PendingMigration`).
    """

    version: int = INDEX_VERSION
    secret_backend: str | None = None
    accounts: list[AccountRecord] = Field(default_factory=list)
    purge: list[str] = Field(default_factory=list)
    rotations: list[PendingRotation] = Field(default_factory=list)
    migration: PendingMigration | None = None

    def find(self, label: str) -> AccountRecord | None:
        key = label.casefold()
        return next((record for record in self.accounts if record.key == key), None)

    def put(self, record: AccountRecord) -> None:
        """Add ``record``, or replace the account with the same label."""
        self.drop(record.label)
        self.accounts.append(record)
        self.accounts.sort(key=lambda record: record.key)

    def drop(self, label: str) -> AccountRecord | None:
        record = self.find(label)
        if record is not None:
            self.accounts.remove(record)
        return record

    def mark_for_purge(self, account_id: str) -> None:
        if account_id not in self.purge:
            self.purge.append(account_id)

    def unmark(self, account_id: str) -> None:
        if account_id in self.purge:
            self.purge.remove(account_id)

    def start_rotation(self, rotation: PendingRotation) -> None:
        self.end_rotation(rotation.account_id)
        self.rotations.append(rotation)

    def end_rotation(self, account_id: str) -> None:
        self.rotations = [rotation for rotation in self.rotations if rotation.account_id != account_id]


class AccountIndex:
    """The index file of one set of :class:`Locations`."""

    def __init__(self, locations: Locations, *, lock_timeout: float = 10.0) -> None:
        self.path = locations.index_file
        self.lock_path = locations.state / "index.lock"
        self.lock_timeout = lock_timeout
        self._locations = locations

    def load(self) -> IndexDocument:
        """The index as it is now (empty if there is none); ``IndexCorrupt`` if it cannot be read."""
        try:
            return self._parse()
        except _Unreadable:
            with self._locked():
                return self._load_or_set_aside()

    def pinned_backend(self) -> str | None:
        """The secret store the index pins, read without side effects (a damaged index is left
        where it is, for the command that uses it to report); ``None`` if it pins none."""
        try:
            return self._parse().secret_backend
        except (_Unreadable, IndexTooNew, StoreFileUnavailable):
            return None

    @contextmanager
    def edit(self) -> Iterator[IndexDocument]:
        """Read, let the block change, and atomically write the index, all under the index lock.

        Nothing is written if the block raises.
        """
        with self._locked():
            document = self._load_or_set_aside()
            yield document
            self.save(document)

    def save(self, document: IndexDocument) -> None:
        self._locations.ensure()
        text = document.model_dump_json(indent=2) + "\n"
        atomic_write(self.path, text.encode("utf-8"))

    def _locked(self):
        self._locations.ensure()
        return file_lock(
            self.lock_path,
            self.lock_timeout,
            lambda: LockTimeout("the account index", self.lock_path, self.lock_timeout),
        )

    def _load_or_set_aside(self) -> IndexDocument:
        try:
            return self._parse()
        except _Unreadable as problem:
            moved_to = self._set_aside()
            raise IndexCorrupt(self.path, moved_to, problem.reason) from None

    def _parse(self) -> IndexDocument:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return IndexDocument()
        except OSError as error:
            raise StoreFileUnavailable("read", self.path, error) from None
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise _Unreadable(f"not JSON: {exc}") from None
        except RecursionError:
            raise _Unreadable("nested too deeply to be an index") from None
        if isinstance(data, dict) and isinstance(data.get("version"), int) and data["version"] > INDEX_VERSION:
            raise IndexTooNew(self.path, data["version"])
        try:
            document = IndexDocument.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "top level"
            raise _Unreadable(f"{where}: {first['msg']}") from None
        keys = [record.key for record in document.accounts]
        if len(set(keys)) != len(keys):
            raise _Unreadable("the same label appears twice")
        return document

    def _set_aside(self) -> Path:
        stamp = now().strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        serial = 1
        while target.exists():
            serial += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{serial}")
        try:
            os.replace(self.path, target)
        except OSError as error:
            raise StoreFileUnavailable("move aside the damaged file", self.path, error) from None
        return target


class _Unreadable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
